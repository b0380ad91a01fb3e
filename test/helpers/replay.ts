// Replays a history on the workflow bundle the test run's workers use (made once, in global setup).
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';

export const replayOnThisCode = (history: Parameters<typeof Worker.runReplayHistory>[1], workflowId: string) =>
  Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, workflowId);
