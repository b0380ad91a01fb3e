// The control's worker: a child process like the project's, with the project's slots and polls (HAI_TEMPORAL_*).
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadWorkerTuning } from '../../../src/config';
import { HaiClient } from '../../../src/hai/client';
import { pollsUpTo } from '../../../src/worker';
import { createOneActivityActivities } from './activities';

const { TEMPORAL_ADDRESS, HAI_BASE_URL, HAI_API_KEY, HAI_TEMPORAL_TASK_QUEUE } = process.env;
const tuning = loadWorkerTuning();
const connection = await NativeConnection.connect({ address: TEMPORAL_ADDRESS });
const worker = await Worker.create({
  connection,
  taskQueue: HAI_TEMPORAL_TASK_QUEUE!,
  workflowsPath: fileURLToPath(new URL('./workflow.ts', import.meta.url)),
  activities: createOneActivityActivities(new HaiClient({ baseUrl: HAI_BASE_URL, apiKey: HAI_API_KEY })),
  maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities,
  maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks,
  workflowTaskPollerBehavior: pollsUpTo(tuning.maxWorkflowTaskPolls),
  activityTaskPollerBehavior: pollsUpTo(tuning.maxActivityTaskPolls),
});
console.log('worker ready');
await worker.run(); // until SIGTERM
await connection.close();
