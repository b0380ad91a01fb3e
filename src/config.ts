// Settings of the worker and the CLI: Temporal's own conventions for the connection (TEMPORAL_ADDRESS,
// TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE and the env-config file),
// HAI_TEMPORAL_* for this project. A bad setting is refused with a message naming it.
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from './shared/session';

export class SettingsError extends Error {
  override name = 'SettingsError';
}

export interface TemporalSettings {
  address: string;
  namespace: string;
  /** Passed as-is to NativeConnection / Connection. */
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
}

const hostPort = z
  .string()
  .trim()
  .regex(/^[^\s:/]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/, 'must be host:port, e.g. localhost:7233');

/** Reads the Temporal connection the way Temporal's CLI and SDKs do; explicit values win. */
export function loadTemporalSettings(
  overrides: { address?: string; namespace?: string } = {},
  env = process.env,
): TemporalSettings {
  let loaded: ReturnType<typeof loadClientConnectConfig>;
  try {
    loaded = loadClientConnectConfig({ profile: env.TEMPORAL_PROFILE });
  } catch (err) {
    throw new SettingsError(`Temporal env-config (TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE): ${(err as Error).message}`);
  }
  const address = overrides.address ?? loaded.connectionOptions.address ?? 'localhost:7233';
  const checked = hostPort.safeParse(address);
  if (!checked.success) {
    throw new SettingsError(`TEMPORAL_ADDRESS=${JSON.stringify(address)} ${checked.error.issues[0]?.message}`);
  }
  const namespace = overrides.namespace ?? loaded.namespace ?? 'default';
  if (!namespace.trim()) throw new SettingsError('TEMPORAL_NAMESPACE must not be empty');
  return { address, namespace, connectionOptions: { ...loaded.connectionOptions, address } };
}

export function resolveTaskQueue(explicit: string | undefined, env = process.env): string {
  const taskQueue = explicit ?? env.HAI_TEMPORAL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE;
  if (!taskQueue.trim())
    throw new SettingsError('the task queue (--task-queue / HAI_TEMPORAL_TASK_QUEUE) must not be empty');
  return taskQueue;
}

const positiveInt = (name: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new SettingsError(`${name}=${JSON.stringify(raw)} must be a whole number ≥ 1`);
  return value;
};

export interface WorkerTuning {
  /** Concurrent activities: mostly watches, each an idle long-poll. */
  maxConcurrentActivities: number;
  maxConcurrentWorkflowTasks: number;
  /** Unset: the SDK sizes the workflow cache from the heap (about 1 per 1.7 MB); each cached session uses about 0.6 MB. */
  maxCachedWorkflows: number | undefined;
}

export function loadWorkerTuning(env = process.env): WorkerTuning {
  return {
    maxConcurrentActivities: positiveInt('HAI_TEMPORAL_MAX_ACTIVITIES', env.HAI_TEMPORAL_MAX_ACTIVITIES, 4000),
    maxConcurrentWorkflowTasks: positiveInt(
      'HAI_TEMPORAL_MAX_WORKFLOW_TASKS',
      env.HAI_TEMPORAL_MAX_WORKFLOW_TASKS,
      100,
    ),
    maxCachedWorkflows: env.HAI_TEMPORAL_MAX_CACHED_WORKFLOWS
      ? positiveInt('HAI_TEMPORAL_MAX_CACHED_WORKFLOWS', env.HAI_TEMPORAL_MAX_CACHED_WORKFLOWS, 0)
      : undefined,
  };
}

export interface NotifySettings {
  defaultUrl?: string;
  secret?: string;
}

/** HAI_TEMPORAL_NOTIFY_URL (the default receiver of "waiting for a person" notices) and HAI_TEMPORAL_WEBHOOK_SECRET. */
export function loadNotifySettings(env = process.env): NotifySettings {
  const defaultUrl = env.HAI_TEMPORAL_NOTIFY_URL || undefined;
  const secret = env.HAI_TEMPORAL_WEBHOOK_SECRET || undefined;
  if (defaultUrl && !/^https?:\/\/[^\s]+$/.test(defaultUrl)) {
    throw new SettingsError(`HAI_TEMPORAL_NOTIFY_URL=${JSON.stringify(defaultUrl)} must be an http(s) URL`);
  }
  if (defaultUrl && !secret)
    throw new SettingsError(
      'HAI_TEMPORAL_NOTIFY_URL is set but HAI_TEMPORAL_WEBHOOK_SECRET is not: notices must be signed',
    );
  return { ...(defaultUrl ? { defaultUrl } : {}), ...(secret ? { secret } : {}) };
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** Temporal's own log level: an explicit value, else HAI_TEMPORAL_LOG_LEVEL, else INFO. */
export function loadLogLevel(explicit?: (typeof LOG_LEVELS)[number], env = process.env): (typeof LOG_LEVELS)[number] {
  const raw = explicit ?? env.HAI_TEMPORAL_LOG_LEVEL?.toUpperCase() ?? 'INFO';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new SettingsError(`HAI_TEMPORAL_LOG_LEVEL=${JSON.stringify(raw)} must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return raw as (typeof LOG_LEVELS)[number];
}
