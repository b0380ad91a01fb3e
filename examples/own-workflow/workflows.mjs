// Agent sessions inside your own workflow: `researchDigest` asks an agent about each topic in parallel, each as
// a child agentSession workflow on the task queue a hai-temporal worker serves, and combines the answers. Only
// workflow-safe code is imported (`hai-temporal/workflows`), so this file goes in your workflow bundle.
import { executeChild, workflowInfo } from '@temporalio/workflow';
import { agentSession } from 'hai-temporal/workflows';

export async function researchDigest({ topics, sessionsTaskQueue = 'hai-agents' }) {
  const results = await Promise.all(
    topics.map((topic, i) =>
      executeChild(agentSession, {
        workflowId: `${workflowInfo().workflowId}-topic-${i}`,
        taskQueue: sessionsTaskQueue,
        args: [{ task: `Summarise today's news about ${topic}`, maxSteps: 20 }],
      }),
    ),
  );
  return topics.map((topic, i) => ({ topic, status: results[i].status, answer: results[i].answer }));
}
