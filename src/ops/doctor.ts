// `hai-temporal doctor`: checks what a worker needs, in order, and says how to fix each problem. Later checks
// that need an earlier one (a connection, a namespace) are skipped when it failed, and say so.
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import {
  loadLogFormat,
  loadLogLevel,
  loadMetricsAddress,
  loadNotifySettings,
  loadTemporalSettings,
  loadWorkerTuning,
  resolveTaskQueue,
  type TemporalSettings,
} from '../config';
import { HaiClient } from '../hai/client';
import { resolveHaiSettings } from '../hai/config';
import { HaiApiError } from '../hai/errors';
import { missingSearchAttributes, searchAttributeCommands } from '../temporal/ensure-search-attributes';

export interface Check {
  name: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  /** How to fix it, when not ok. */
  fix?: string;
}

export interface DoctorOptions {
  address?: string;
  namespace?: string;
  taskQueue?: string;
  env?: NodeJS.ProcessEnv;
  /** Per network check, default 10 s. */
  timeoutMs?: number;
}

const TASK_QUEUE_TYPE = proto.temporal.api.enums.v1.TaskQueueType;
const TASK_QUEUE_KIND = proto.temporal.api.enums.v1.TaskQueueKind;

export async function runDoctor(opts: DoctorOptions = {}): Promise<Check[]> {
  const env = opts.env ?? process.env;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const checks: Check[] = [];
  const add = (check: Check) => checks.push(check);

  const settings = checkSettings(opts, env);
  add(settings.check);
  const { temporal, taskQueue } = settings;

  let connection: Connection | undefined;
  try {
    if (!temporal) {
      add(skipped('Temporal reachable', 'the Temporal settings'));
    } else {
      connection = await reachTemporal(temporal, timeoutMs, add);
      if (connection) {
        const namespaceOk = await checkNamespace(connection, temporal.namespace, add);
        if (namespaceOk) {
          await checkSearchAttributes(connection, temporal.namespace, add);
          if (taskQueue) await checkPollers(connection, temporal.namespace, taskQueue, add);
        } else {
          add(skipped('search attributes', 'the namespace'));
          add(skipped('workers polling', 'the namespace'));
        }
      } else {
        for (const name of ['namespace', 'search attributes', 'workers polling']) add(skipped(name, 'Temporal'));
      }
    }
    await checkPlatform(env, timeoutMs, add);
  } finally {
    await connection?.close().catch(() => undefined);
  }
  return checks;
}

function skipped(name: string, needs: string): Check {
  return { name, ok: false, detail: `not checked: needs ${needs}`, fix: `fix ${needs} first` };
}

function checkSettings(
  opts: DoctorOptions,
  env: NodeJS.ProcessEnv,
): { check: Check; temporal?: TemporalSettings; taskQueue?: string } {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      problems.push((err as Error).message);
      return undefined;
    }
  };
  const temporal = attempt(() => loadTemporalSettings({ address: opts.address, namespace: opts.namespace }, env));
  const taskQueue = attempt(() => resolveTaskQueue(opts.taskQueue, env));
  attempt(() => loadWorkerTuning(env));
  attempt(() => loadNotifySettings(env));
  attempt(() => loadLogLevel(undefined, env));
  attempt(() => loadLogFormat(undefined, env));
  attempt(() => loadMetricsAddress(env));
  const hai = attempt(() => resolveHaiSettings({}, env));
  if (hai && !hai.apiKey) problems.push('no platform key: HAI_API_KEY (or H_API_KEY) is not set');
  const check: Check =
    problems.length === 0
      ? {
          name: 'settings',
          ok: true,
          detail: `Temporal ${temporal!.address}, namespace ${temporal!.namespace}, task queue ${taskQueue}, platform ${hai!.baseUrl}`,
        }
      : {
          name: 'settings',
          ok: false,
          detail: problems.join('; '),
          fix: 'set the variables named above (README, Configuration) in the environment the worker runs with',
        };
  return { check, ...(temporal ? { temporal } : {}), ...(taskQueue ? { taskQueue } : {}) };
}

async function reachTemporal(
  temporal: TemporalSettings,
  timeoutMs: number,
  add: (c: Check) => void,
): Promise<Connection | undefined> {
  try {
    const connection = await Connection.connect({ ...temporal.connectionOptions, connectTimeout: timeoutMs });
    const info = await connection.workflowService.getSystemInfo({});
    add({
      name: 'Temporal reachable',
      ok: true,
      detail: `${temporal.address} (server ${info.serverVersion || 'version unknown'})`,
    });
    return connection;
  } catch (err) {
    add({
      name: 'Temporal reachable',
      ok: false,
      detail: `cannot reach ${temporal.address}: ${(err as Error).message}`,
      fix:
        'start Temporal (`npm start`, or `docker compose -f deploy/docker-compose.yml up -d`), or point TEMPORAL_ADDRESS ' +
        '(--address) at your cluster; Temporal Cloud also needs TEMPORAL_API_KEY or TEMPORAL_TLS_CLIENT_CERT_PATH/KEY_PATH',
    });
    return undefined;
  }
}

async function checkNamespace(connection: Connection, namespace: string, add: (c: Check) => void): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    add({ name: 'namespace', ok: true, detail: `"${namespace}" exists` });
    return true;
  } catch (err) {
    add({
      name: 'namespace',
      ok: false,
      detail: `"${namespace}": ${(err as Error).message}`,
      fix:
        `create it: \`temporal operator namespace create --namespace ${namespace}\` (Temporal Cloud: create it in the ` +
        'Cloud UI or with tcld), or set TEMPORAL_NAMESPACE (--namespace) to an existing one',
    });
    return false;
  }
}

async function checkSearchAttributes(connection: Connection, namespace: string, add: (c: Check) => void) {
  try {
    const missing = await missingSearchAttributes(connection, namespace);
    add(
      missing.length === 0
        ? { name: 'search attributes', ok: true, detail: 'all registered' }
        : {
            name: 'search attributes',
            ok: false,
            detail: `missing: ${missing.join(', ')}`,
            fix: `run \`hai-temporal setup\` (or start a worker, which adds them), or:\n  ${searchAttributeCommands(namespace, missing).join('\n  ')}`,
          },
    );
  } catch (err) {
    add({
      name: 'search attributes',
      ok: false,
      detail: `cannot list them: ${(err as Error).message}`,
      fix: 'check that this identity may read the namespace',
    });
  }
}

async function checkPollers(connection: Connection, namespace: string, taskQueue: string, add: (c: Check) => void) {
  const pollers = async (type: number) =>
    (
      await connection.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: type,
      })
    ).pollers ?? [];
  try {
    const [workflow, activity] = await Promise.all([
      pollers(TASK_QUEUE_TYPE.TASK_QUEUE_TYPE_WORKFLOW),
      pollers(TASK_QUEUE_TYPE.TASK_QUEUE_TYPE_ACTIVITY),
    ]);
    const identities = [...new Set([...workflow, ...activity].map((p) => p.identity).filter(Boolean))];
    add(
      workflow.length > 0 && activity.length > 0
        ? { name: 'workers polling', ok: true, detail: `task queue "${taskQueue}": ${identities.join(', ')}` }
        : {
            name: 'workers polling',
            ok: false,
            detail: `no worker polls task queue "${taskQueue}" (workflow pollers: ${workflow.length}, activity pollers: ${activity.length}); sessions started now wait`,
            fix: `start one: \`HAI_TEMPORAL_TASK_QUEUE=${taskQueue} hai-temporal worker\` (or check that the workers and the client use the same task queue and namespace)`,
          },
    );
  } catch (err) {
    add({
      name: 'workers polling',
      ok: false,
      detail: `cannot describe task queue "${taskQueue}": ${(err as Error).message}`,
      fix: 'check that this identity may read the namespace',
    });
  }
}

async function checkPlatform(env: NodeJS.ProcessEnv, timeoutMs: number, add: (c: Check) => void) {
  let hai: HaiClient;
  try {
    hai = new HaiClient({ env, timeoutMs, maxRetries: 1, retryDeadlineMs: timeoutMs });
  } catch (err) {
    add({ name: 'platform key', ok: false, detail: (err as Error).message, fix: 'fix the platform settings above' });
    return;
  }
  try {
    const quota = await hai.getQuota();
    add({
      name: 'platform key',
      ok: true,
      detail: `${hai.baseUrl} accepted the key (quota: ${JSON.stringify(quota)})`,
    });
  } catch (err) {
    const refused = err instanceof HaiApiError && (err.status === 401 || err.status === 403);
    const noKey = err instanceof HaiApiError && err.code === 'unauthorized' && err.status === undefined;
    add({
      name: 'platform key',
      ok: false,
      detail: `${hai.baseUrl}: ${(err as Error).message}`,
      fix: noKey
        ? 'set HAI_API_KEY to your Agents API key, or run the simulator and set HAI_BASE_URL to it'
        : refused
          ? 'the platform refused the key: set HAI_API_KEY to a valid, unrevoked key of your organisation'
          : 'check HAI_BASE_URL / HAI_REGION and that this machine can reach the platform',
    });
  } finally {
    await hai.close();
  }
}
