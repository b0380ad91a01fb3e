// Runs your own workflow (workflows.mjs) on your own task queue, in a worker of your own, and prints its result.
// The child agent sessions run on the hai-temporal worker's queue (`npx hai-temporal worker`, or
// ../worker-with-tools.mjs).
//
//   TEMPORAL_ADDRESS=localhost:7233 node examples/own-workflow/run.mjs
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';

const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
const taskQueue = `my-app-${randomUUID()}`;

const worker = await Worker.create({
  connection: await NativeConnection.connect({ address }),
  taskQueue,
  workflowsPath: fileURLToPath(new URL('./workflows.mjs', import.meta.url)),
});
const client = new Client({ connection: await Connection.connect({ address }) });

const digest = await worker.runUntil(
  client.workflow.execute('researchDigest', {
    taskQueue,
    workflowId: `digest-${randomUUID()}`,
    args: [{ topics: ['rivers', 'mountains'], sessionsTaskQueue: process.env.HAI_TEMPORAL_TASK_QUEUE ?? 'hai-agents' }],
  }),
);
console.log(JSON.stringify(digest));
await client.connection.close();
