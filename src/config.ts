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

const wholeNumber = (name: string, raw: string, min: 0 | 1): number => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new SettingsError(`${name}=${JSON.stringify(raw)} must be a whole number ≥ ${min}`);
  return value;
};

const positiveInt = (name: string, raw: string | undefined, fallback: number): number =>
  raw === undefined || raw === '' ? fallback : wholeNumber(name, raw, 1);

export const DEFAULT_MAX_LOCAL_ACTIVITIES = 1000;
// More slots start a burst sooner (a first task holds its slot while the create waits for the session to start),
// but under sustained load tasks then wait in the worker past their timeout (BENCHMARKS.md, issue 13).
export const DEFAULT_MAX_WORKFLOW_TASKS = 100;

export const DEFAULT_MAX_TASK_POLLS = 100;

/** Creates that may wait at once for their session to start, unless set: half the workflow-task slots. */
export const defaultMaxStartWaits = (workflowTaskSlots: number): number => Math.floor(workflowTaskSlots / 2);

export interface WorkerTuning {
  /** Concurrent activities: mostly watches, each an idle long-poll. */
  maxConcurrentActivities: number;
  maxConcurrentWorkflowTasks: number;
  /** Concurrent local activities: mostly creates, each holding its slot until its session runs (up to 7 s). */
  maxConcurrentLocalActivities?: number;
  /**
   * Creates that wait at once for their session to start (each holds a workflow-task slot meanwhile, since a create
   * runs inside its workflow's first task); past this, a create returns at once and the watch waits. Default: half
   * the workflow-task slots.
   */
  maxStartWaits?: number;
  /** Polls of the workflow task queues (sticky and not) open at once, at most; they scale with the server's backlog. */
  maxWorkflowTaskPolls?: number;
  /** Polls of the activity task queue open at once, at most; they scale with the server's backlog. */
  maxActivityTaskPolls?: number;
  /**
   * Unset: the SDK sizes the workflow cache from the heap (about 1 per 1.7 MB); each cached session uses about 0.2 MB
   * (BENCHMARKS.md).
   */
  maxCachedWorkflows: number | undefined;
  /** Threads that run workflow code; unset: the SDK's default (1, with its reused V8 context). */
  workflowThreads?: number;
}

export function loadWorkerTuning(env = process.env): WorkerTuning {
  return {
    maxConcurrentActivities: positiveInt('HAI_TEMPORAL_MAX_ACTIVITIES', env.HAI_TEMPORAL_MAX_ACTIVITIES, 4000),
    maxConcurrentWorkflowTasks: positiveInt(
      'HAI_TEMPORAL_MAX_WORKFLOW_TASKS',
      env.HAI_TEMPORAL_MAX_WORKFLOW_TASKS,
      DEFAULT_MAX_WORKFLOW_TASKS,
    ),
    maxConcurrentLocalActivities: positiveInt(
      'HAI_TEMPORAL_MAX_LOCAL_ACTIVITIES',
      env.HAI_TEMPORAL_MAX_LOCAL_ACTIVITIES,
      DEFAULT_MAX_LOCAL_ACTIVITIES,
    ),
    maxWorkflowTaskPolls: positiveInt(
      'HAI_TEMPORAL_MAX_WORKFLOW_TASK_POLLS',
      env.HAI_TEMPORAL_MAX_WORKFLOW_TASK_POLLS,
      DEFAULT_MAX_TASK_POLLS,
    ),
    maxActivityTaskPolls: positiveInt(
      'HAI_TEMPORAL_MAX_ACTIVITY_TASK_POLLS',
      env.HAI_TEMPORAL_MAX_ACTIVITY_TASK_POLLS,
      DEFAULT_MAX_TASK_POLLS,
    ),
    ...(env.HAI_TEMPORAL_MAX_START_WAITS
      ? { maxStartWaits: wholeNumber('HAI_TEMPORAL_MAX_START_WAITS', env.HAI_TEMPORAL_MAX_START_WAITS, 0) }
      : {}),
    maxCachedWorkflows: env.HAI_TEMPORAL_MAX_CACHED_WORKFLOWS
      ? positiveInt('HAI_TEMPORAL_MAX_CACHED_WORKFLOWS', env.HAI_TEMPORAL_MAX_CACHED_WORKFLOWS, 0)
      : undefined,
    ...(env.HAI_TEMPORAL_WORKFLOW_THREADS
      ? { workflowThreads: positiveInt('HAI_TEMPORAL_WORKFLOW_THREADS', env.HAI_TEMPORAL_WORKFLOW_THREADS, 0) }
      : {}),
  };
}

export interface NotifySettings {
  defaultUrl?: string;
  secret?: string;
  /** HAI_TEMPORAL_NOTIFY_ALLOW_PRIVATE=1: a session's notifyUrl may reach loopback, link-local and private addresses. */
  allowPrivate?: boolean;
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
  const allow = env.HAI_TEMPORAL_NOTIFY_ALLOW_PRIVATE?.trim().toLowerCase() || '0';
  if (!['0', '1', 'true', 'false'].includes(allow))
    throw new SettingsError(`HAI_TEMPORAL_NOTIFY_ALLOW_PRIVATE=${JSON.stringify(allow)} must be 1 or 0`);
  const allowPrivate = allow === '1' || allow === 'true';
  return {
    ...(defaultUrl ? { defaultUrl } : {}),
    ...(secret ? { secret } : {}),
    ...(allowPrivate ? { allowPrivate } : {}),
  };
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** Temporal's own log level: an explicit value, else HAI_TEMPORAL_LOG_LEVEL, else INFO. */
export function loadLogLevel(explicit?: (typeof LOG_LEVELS)[number], env = process.env): (typeof LOG_LEVELS)[number] {
  const raw = explicit ?? (env.HAI_TEMPORAL_LOG_LEVEL?.toUpperCase() || 'INFO');
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new SettingsError(`HAI_TEMPORAL_LOG_LEVEL=${JSON.stringify(raw)} must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return raw as (typeof LOG_LEVELS)[number];
}

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** How the worker writes its log: an explicit value (`--log-format`), else HAI_TEMPORAL_LOG_FORMAT, else text. */
export function loadLogFormat(explicit?: string, env = process.env): LogFormat {
  const raw = (explicit ?? (env.HAI_TEMPORAL_LOG_FORMAT || 'text')).toLowerCase();
  if (!(LOG_FORMATS as readonly string[]).includes(raw)) {
    throw new SettingsError(
      `HAI_TEMPORAL_LOG_FORMAT=${JSON.stringify(raw)} (or --log-format) must be one of ${LOG_FORMATS.join(', ')}`,
    );
  }
  return raw as LogFormat;
}

/** The Prometheus endpoint's bind address (`0.0.0.0:<HAI_TEMPORAL_METRICS_PORT>`), or undefined when metrics are off. */
export function loadMetricsAddress(env = process.env): string | undefined {
  const raw = env.HAI_TEMPORAL_METRICS_PORT;
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || port < 1 || port > 65535)
    throw new SettingsError(`HAI_TEMPORAL_METRICS_PORT=${JSON.stringify(raw)} must be a port number (1-65535)`);
  return `${env.HAI_TEMPORAL_METRICS_HOST || '0.0.0.0'}:${port}`;
}

/**
 * Every environment variable the worker reads, for the docs, the compose file's test and `doctor`. The
 * TEMPORAL_* ones are read by Temporal's env-config (`@temporalio/envconfig`), the HAI_* platform ones by
 * src/hai/config.ts, the rest above. A test checks that every variable the sources read is listed here.
 */
export const WORKER_ENV_VARS = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
  'HAI_TEMPORAL_TASK_QUEUE',
  'HAI_API_KEY',
  'H_API_KEY',
  'HAI_BASE_URL',
  'HAI_REGION',
  'HAI_TEMPORAL_NOTIFY_URL',
  'HAI_TEMPORAL_WEBHOOK_SECRET',
  'HAI_TEMPORAL_NOTIFY_ALLOW_PRIVATE',
  'HAI_TEMPORAL_ENCRYPTION_KEYS',
  'HAI_TEMPORAL_MAX_ACTIVITIES',
  'HAI_TEMPORAL_MAX_WORKFLOW_TASKS',
  'HAI_TEMPORAL_MAX_LOCAL_ACTIVITIES',
  'HAI_TEMPORAL_MAX_CACHED_WORKFLOWS',
  'HAI_TEMPORAL_WORKFLOW_THREADS',
  'HAI_TEMPORAL_MAX_START_WAITS',
  'HAI_TEMPORAL_MAX_WORKFLOW_TASK_POLLS',
  'HAI_TEMPORAL_MAX_ACTIVITY_TASK_POLLS',
  'HAI_TEMPORAL_LOG_LEVEL',
  'HAI_TEMPORAL_LOG_FORMAT',
  'HAI_TEMPORAL_METRICS_PORT',
  'HAI_TEMPORAL_METRICS_HOST',
  'HAI_TEMPORAL_WATCH_BUDGET_MS',
] as const;
