// A worker in your own process, with a custom tool the agent can call. Each call runs as a Temporal activity
// (retries, timeouts, heartbeats); a session offers the tool by name: `sessions.start({ task, tools: ['lookup_order'] })`.
// The platform key stays in this process's environment (HAI_API_KEY); it never enters a workflow.
//
//   TEMPORAL_ADDRESS=localhost:7233 HAI_API_KEY=... node examples/worker-with-tools.mjs
import { NativeConnection } from '@temporalio/worker';
import { createSessionWorker, defineTool, HaiClient } from 'hai-temporal/worker';

const orders = new Map([['A-1', { id: 'A-1', status: 'shipped', eta: '2026-12-01' }]]);

const lookupOrder = defineTool({
  name: 'lookup_order',
  description: 'Look up an order by its id.',
  inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  run: async ({ id }) => orders.get(id) ?? { error: `no order ${id}` },
});

const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' });
const hai = new HaiClient(); // HAI_API_KEY, HAI_BASE_URL / HAI_REGION
try {
  const worker = await createSessionWorker({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: process.env.HAI_TEMPORAL_TASK_QUEUE ?? 'hai-agents',
    hai,
    tools: [lookupOrder],
  });
  console.log(`worker ready on ${process.env.HAI_TEMPORAL_TASK_QUEUE ?? 'hai-agents'} with tools: lookup_order`);
  await worker.run(); // until SIGINT or SIGTERM
} finally {
  await connection.close();
  await hai.close();
}
