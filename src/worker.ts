// The worker: runs session workflows and their activities on one task queue. More workers on the same
// queue (any machine) is how a deployment grows; each shuts down gracefully on SIGINT/SIGTERM.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataConverter, Logger } from '@temporalio/common';
import { AsyncCompletionClient } from '@temporalio/client';
import {
  type LogLevel,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
  type WorkerPlugin,
} from '@temporalio/worker';
import { createActivities, ParkedWatches } from './activities';
import { createBatchActivities } from './batch/activities';
import { createScheduleActivities } from './schedule/activities';
import {
  DEFAULT_MAX_LOCAL_ACTIVITIES,
  DEFAULT_MAX_TASK_POLLS,
  defaultMaxStartWaits,
  loadLogFormat,
  loadLogLevel,
  loadMetricsAddress,
  type LogFormat,
  loadNotifySettings,
  type NotifySettings,
  loadTemporalSettings,
  loadWorkerTuning,
  resolveTaskQueue,
  type TemporalSettings,
  type WorkerTuning,
} from './config';
import { HaiClient, type PlatformResponse } from './hai/client';
import { checkPlatformKeyOnce } from './hai/key-check';
import { sessionIdLogAttributes } from './logging/activity-log-attributes';
import { createLogger } from './logging/logger';
import { platformRequestMetrics } from './metrics/platform-requests';
import { loadDataConverter } from './security/data-converter';
import { ensureSearchAttributes } from './temporal/ensure-search-attributes';
import { type Tool, ToolRegistry } from './tools/registry';

/** A module the workflow bundler reads: its TypeScript source in a checkout, its built file (next to this one) in dist/. */
function bundlerModule(relative: string): string {
  const source = fileURLToPath(new URL(`${relative}.ts`, import.meta.url));
  return existsSync(source) ? source : fileURLToPath(new URL(`${relative}.js`, import.meta.url));
}

/** The workflow bundle's entry. */
export const WORKFLOWS_PATH = bundlerModule('./workflows/index');
/** Bundle these with the workflows (`bundleWorkflowCode({workflowInterceptorModules})`): session metrics, log attributes. */
export const WORKFLOW_INTERCEPTOR_MODULES = [bundlerModule('./metrics/workflow-interceptors')];
/**
 * The modules every workflow shares: evaluated once per workflow thread, not once per workflow. They keep no state of
 * their own (a workflow's state lives in its objects and Temporal's activator), so a cached session costs its own
 * state only, not a copy of every module it imports (docs/decisions.md, "Workflow modules are shared").
 */
export const PRELOADED_MODULES = [WORKFLOWS_PATH, ...WORKFLOW_INTERCEPTOR_MODULES];
/** `bundleWorkflowCode(WORKFLOW_BUNDLE_OPTIONS)` makes a bundle for `--workflow-bundle` as the worker would. */
export const WORKFLOW_BUNDLE_OPTIONS = {
  workflowsPath: WORKFLOWS_PATH,
  workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  preloadModules: PRELOADED_MODULES,
};

export interface SessionWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  hai: HaiClient;
  tuning?: WorkerTuning;
  /** A bundle made by `bundleWorkflowCode`, to skip bundling at start. */
  workflowBundlePath?: string;
  /** Tools sessions may offer their agent (by name, in the session's `tools`). */
  tools?: Tool[];
  notify?: NotifySettings;
  /** Payload encryption; default from HAI_TEMPORAL_ENCRYPTION_KEYS (see src/security/). */
  dataConverter?: DataConverter;
}

export function createSessionWorker(opts: SessionWorkerOptions): Promise<Worker> {
  const tuning = opts.tuning ?? loadWorkerTuning();
  const dataConverter = opts.dataConverter ?? loadDataConverter();
  const { connection, namespace } = opts;
  const parking = new ParkedWatches(new AsyncCompletionClient({ connection, namespace, dataConverter }), (what, err) =>
    Runtime.instance().logger.warn(what, { error: String(err) }),
  );
  return Worker.create({
    connection,
    namespace,
    taskQueue: opts.taskQueue,
    dataConverter,
    plugins: [handOverOnStop(parking)],
    ...(opts.workflowBundlePath
      ? { workflowBundle: { codePath: opts.workflowBundlePath } }
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: PRELOADED_MODULES } }),
    activities: {
      ...createActivities(opts.hai, {
        tools: new ToolRegistry(opts.tools),
        notify: opts.notify ?? loadNotifySettings(),
        maxStartWaits: tuning.maxStartWaits ?? defaultMaxStartWaits(tuning.maxConcurrentWorkflowTasks),
        parking,
        onSweepError: (err) =>
          Runtime.instance().logger.warn('the status sweep of lean watches failed', { error: String(err) }),
        onSlowSweep: (sweep) =>
          Runtime.instance().logger.warn(
            'the status sweep of lean watches was slow: their transitions are seen late',
            sweep,
          ),
      }),
      ...createScheduleActivities(opts.hai),
      ...createBatchActivities(opts.hai),
    },
    interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES, activity: [sessionIdLogAttributes] },
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks,
    maxConcurrentLocalActivityExecutions: tuning.maxConcurrentLocalActivities ?? DEFAULT_MAX_LOCAL_ACTIVITIES,
    workflowTaskPollerBehavior: pollsUpTo(tuning.maxWorkflowTaskPolls),
    activityTaskPollerBehavior: pollsUpTo(tuning.maxActivityTaskPolls),
    ...(tuning.maxCachedWorkflows ? { maxCachedWorkflows: tuning.maxCachedWorkflows } : {}),
    ...(tuning.workflowThreads ? { workflowThreadPoolSize: tuning.workflowThreads } : {}),
    shutdownGraceTime: '5s',
  });
}

/**
 * Polls that scale with the backlog the server reports, up to `maximum`. The SDK's fixed default (2 polls of the
 * workflow queue, 8 of the worker's sticky queue) let tasks wait on the server with slots free: at 10,000 live
 * sessions endings were picked up 6 → 136 s late (BENCHMARKS.md, issue 13, fifth pass).
 */
export function pollsUpTo(maximum = DEFAULT_MAX_TASK_POLLS): WorkerOptions['workflowTaskPollerBehavior'] {
  return { type: 'autoscaling', maximum, initial: Math.min(5, maximum) };
}

/** A worker that stops hands its parked lean watches over to the other workers at once (not after their timeout). */
function handOverOnStop(parking: ParkedWatches): WorkerPlugin {
  return {
    name: 'hai-temporal.hand-over-parked-watches',
    async runWorker(worker, next) {
      try {
        await next(worker);
      } finally {
        await parking.handOver();
      }
    },
  };
}

export interface RuntimeOptions {
  /** `text` or `json` (one object per line); default HAI_TEMPORAL_LOG_FORMAT, else text. */
  logFormat?: LogFormat;
  /** Prometheus bind address (`host:port`); default from HAI_TEMPORAL_METRICS_PORT, else no metrics. */
  metricsAddress?: string;
}

let installed: { logger: Logger; metrics: boolean } | undefined;

/**
 * Sets up Temporal's runtime for this process: log level and format, and the Prometheus endpoint when
 * HAI_TEMPORAL_METRICS_PORT is set. Only the first call counts (a process has one runtime).
 */
export function installRuntime(level?: LogLevel, opts: RuntimeOptions = {}): Logger {
  if (installed) return installed.logger;
  const logger = createLogger({ level: loadLogLevel(level), format: opts.logFormat ?? loadLogFormat() });
  const bindAddress = opts.metricsAddress ?? loadMetricsAddress();
  try {
    Runtime.install({
      logger,
      telemetryOptions: {
        logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } },
        ...(bindAddress ? { metrics: { prometheus: { bindAddress, useSecondsForDurations: true } } } : {}),
      },
    });
    installed = { logger, metrics: !!bindAddress };
  } catch {
    // Already installed by an earlier worker or dev server in this process.
    installed = { logger: Runtime.instance().logger, metrics: false };
  }
  return installed.logger;
}

/** The platform client's request observer when this process exports metrics, else undefined. */
export function platformObserver(): ((r: PlatformResponse) => void) | undefined {
  return installed?.metrics ? platformRequestMetrics() : undefined;
}

export interface RunWorkerOptions {
  temporal?: TemporalSettings;
  taskQueue?: string;
  hai?: HaiClient;
  workflowBundlePath?: string;
  tools?: Tool[];
  log?: (line: string) => void;
  /** Called once the worker polls its task queue. */
  onReady?: () => void;
  /** Temporal's own log level (HAI_TEMPORAL_LOG_LEVEL); default INFO. */
  logLevel?: LogLevel;
  /** `--log-format`: text or json (HAI_TEMPORAL_LOG_FORMAT). */
  logFormat?: LogFormat;
}

/** Connects, checks the namespace, and runs the worker until a shutdown signal. */
export async function runWorker(opts: RunWorkerOptions = {}): Promise<void> {
  // Settings before the runtime is installed: once it runs, a refused setting would leave the process running.
  const dataConverter = loadDataConverter();
  const temporal = opts.temporal ?? loadTemporalSettings();
  const taskQueue = resolveTaskQueue(opts.taskQueue);
  const tuning = loadWorkerTuning();
  loadNotifySettings();
  const logFormat = loadLogFormat(opts.logFormat);
  // The platform key too: every session of a worker whose key is refused would fail.
  const key = await checkPlatformKeyOnce(opts.hai);
  const logger = installRuntime(opts.logLevel, { logFormat });
  const log =
    opts.log ?? (logFormat === 'json' ? (line: string) => logger.info(line) : (line: string) => console.log(line));
  const onResponse = platformObserver();
  const hai = opts.hai ?? new HaiClient(onResponse ? { onResponse } : {});
  const metrics = loadMetricsAddress();

  if (!key.ok) log(`warning: the platform is not reachable at start (${key.unreachable}); sessions will retry`);
  const connection = await NativeConnection.connect(temporal.connectionOptions);
  try {
    await ensureSearchAttributes(connection, temporal.namespace);
    const worker = await createSessionWorker({
      connection,
      namespace: temporal.namespace,
      taskQueue,
      hai,
      tuning,
      dataConverter,
      ...(opts.tools ? { tools: opts.tools } : {}),
      ...(opts.workflowBundlePath ? { workflowBundlePath: opts.workflowBundlePath } : {}),
    });
    const tools = opts.tools?.length ? `, tools: ${opts.tools.map((t) => t.name).join(', ')}` : '';
    log(
      `worker ready: task queue "${taskQueue}" on ${temporal.address} (namespace ${temporal.namespace}), platform ${hai.baseUrl}${tools}${metrics && installed?.metrics ? `, metrics on http://${metrics}/metrics` : ''}`,
    );
    opts.onReady?.();
    await worker.run();
    log('worker stopped');
  } finally {
    await connection.close();
    await hai.close();
  }
}
