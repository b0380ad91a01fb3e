// The client library: start an agent session and wait for its answer. Needs only a Temporal client (it never
// loads the worker's native bridge) and a worker serving the task queue (`npx hai-temporal worker`, or
// worker-with-tools.mjs here).
//
//   TEMPORAL_ADDRESS=localhost:7233 node examples/client.mjs "Find the top 3 stories on Hacker News"
import { SessionClient } from 'hai-temporal';

const task = process.argv[2] ?? 'Find the top 3 stories on Hacker News';
const tools = process.argv.slice(3); // tools the worker offers, e.g. lookup_order

const sessions = await SessionClient.connect(); // TEMPORAL_ADDRESS, HAI_TEMPORAL_TASK_QUEUE (default hai-agents)
try {
  const handle = await sessions.start({ task, maxSteps: 30, ...(tools.length ? { tools } : {}) });
  console.log(`started ${handle.workflowId}`);
  const result = await handle.result(); // status, answer, steps, usage, turns, agentViewUrl, ...
  console.log(JSON.stringify({ workflowId: result.workflowId, status: result.status, answer: result.answer }));
} finally {
  await sessions.close();
}
