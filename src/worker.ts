// The worker: runs session workflows and their activities on one task queue. More workers on the same
// queue (any machine) is how a deployment grows; each shuts down gracefully on SIGINT/SIGTERM.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, type LogLevel, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import { createBatchActivities } from './batch/activities';
import { createScheduleActivities } from './schedule/activities';
import {
  loadLogLevel,
  loadNotifySettings,
  type NotifySettings,
  loadTemporalSettings,
  loadWorkerTuning,
  resolveTaskQueue,
  type TemporalSettings,
  type WorkerTuning,
} from './config';
import { HaiClient } from './hai/client';
import { ensureSearchAttributes } from './temporal/ensure-search-attributes';
import { type Tool, ToolRegistry } from './tools/registry';

/** A module the workflow bundler reads: its TypeScript source in a checkout, its built file (next to this one) in dist/. */
function bundlerModule(relative: string): string {
  const source = fileURLToPath(new URL(`${relative}.ts`, import.meta.url));
  return existsSync(source) ? source : fileURLToPath(new URL(`${relative}.js`, import.meta.url));
}

/** The workflow bundle's entry. */
export const WORKFLOWS_PATH = bundlerModule('./workflows/index');

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
}

export function createSessionWorker(opts: SessionWorkerOptions): Promise<Worker> {
  const tuning = opts.tuning ?? loadWorkerTuning();
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundlePath
      ? { workflowBundle: { codePath: opts.workflowBundlePath } }
      : { workflowsPath: WORKFLOWS_PATH }),
    activities: {
      ...createActivities(opts.hai, {
        tools: new ToolRegistry(opts.tools),
        notify: opts.notify ?? loadNotifySettings(),
      }),
      ...createScheduleActivities(opts.hai),
      ...createBatchActivities(opts.hai),
    },
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks,
    ...(tuning.maxCachedWorkflows ? { maxCachedWorkflows: tuning.maxCachedWorkflows } : {}),
    shutdownGraceTime: '5s',
  });
}

/** Sets Temporal's log level for this process; only the first call counts (a process has one runtime). */
export function installRuntime(level?: LogLevel): void {
  const logger = new DefaultLogger(loadLogLevel(level));
  try {
    Runtime.install({ logger });
  } catch {
    // Already installed by an earlier worker or dev server in this process.
  }
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
}

/** Connects, checks the namespace, and runs the worker until a shutdown signal. */
export async function runWorker(opts: RunWorkerOptions = {}): Promise<void> {
  const log = opts.log ?? ((line: string) => console.log(line));
  installRuntime(opts.logLevel);
  const temporal = opts.temporal ?? loadTemporalSettings();
  const taskQueue = resolveTaskQueue(opts.taskQueue);
  const tuning = loadWorkerTuning();
  loadNotifySettings();
  const hai = opts.hai ?? new HaiClient();

  const connection = await NativeConnection.connect(temporal.connectionOptions);
  try {
    await ensureSearchAttributes(connection, temporal.namespace);
    const worker = await createSessionWorker({
      connection,
      namespace: temporal.namespace,
      taskQueue,
      hai,
      tuning,
      ...(opts.tools ? { tools: opts.tools } : {}),
      ...(opts.workflowBundlePath ? { workflowBundlePath: opts.workflowBundlePath } : {}),
    });
    const tools = opts.tools?.length ? `, tools: ${opts.tools.map((t) => t.name).join(', ')}` : '';
    log(
      `worker ready: task queue "${taskQueue}" on ${temporal.address} (namespace ${temporal.namespace}), platform ${hai.baseUrl}${tools}`,
    );
    opts.onReady?.();
    await worker.run();
    log('worker stopped');
  } finally {
    await connection.close();
    await hai.close();
  }
}
