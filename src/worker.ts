// The worker: runs session workflows and their activities on one task queue. More workers on the same
// queue (any machine) is how a deployment grows; each shuts down gracefully on SIGINT/SIGTERM.
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import {
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

export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

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
    activities: createActivities(opts.hai, {
      tools: new ToolRegistry(opts.tools),
      notify: opts.notify ?? loadNotifySettings(),
    }),
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks,
    maxCachedWorkflows: tuning.maxCachedWorkflows,
    shutdownGraceTime: '5s',
  });
}

export interface RunWorkerOptions {
  temporal?: TemporalSettings;
  taskQueue?: string;
  hai?: HaiClient;
  workflowBundlePath?: string;
  tools?: Tool[];
  log?: (line: string) => void;
}

/** Connects, checks the namespace, and runs the worker until a shutdown signal. */
export async function runWorker(opts: RunWorkerOptions = {}): Promise<void> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const temporal = opts.temporal ?? loadTemporalSettings();
  const taskQueue = resolveTaskQueue(opts.taskQueue);
  const tuning = loadWorkerTuning();
  loadNotifySettings();
  const hai = opts.hai ?? new HaiClient();

  const client = await Connection.connect(temporal.connectionOptions);
  try {
    await ensureSearchAttributes(client, temporal.namespace);
  } finally {
    await client.close();
  }
  const connection = await NativeConnection.connect(temporal.connectionOptions);
  try {
    const worker = await createSessionWorker({
      connection,
      namespace: temporal.namespace,
      taskQueue,
      hai,
      tuning,
      ...(opts.tools ? { tools: opts.tools } : {}),
      ...(opts.workflowBundlePath ? { workflowBundlePath: opts.workflowBundlePath } : {}),
    });
    log(
      `worker ready: task queue "${taskQueue}" on ${temporal.address} (namespace ${temporal.namespace}), platform ${hai.baseUrl}`,
    );
    await worker.run();
    log('worker stopped');
  } finally {
    await connection.close();
    await hai.close();
  }
}
