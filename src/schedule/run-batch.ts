// A run of a schedule with a task list: one `agentBatch` child whose items are the tasks rendered for the run's
// scheduled time. The batch starts sealed with all its items (built with the batch's own state), so the run needs
// no update from outside; it follows the platform's quota itself.
import { executeChild, ParentClosePolicy, workflowInfo } from '@temporalio/workflow';
import {
  BATCH_WORKFLOW_TYPE,
  type BatchItem,
  type BatchResult,
  type BatchSettings,
  DEFAULT_BATCH_PRIORITY,
  DEFAULT_CONCURRENCY,
} from '../batch/definitions';
import { BatchState } from '../batch/state';
import type { agentBatch } from '../batch/workflow';
import type { ScheduledRunInput } from './definitions';
import { renderTask } from './template';

export async function runBatch(input: ScheduledRunInput, scheduledTime: Date, batchId: string): Promise<BatchResult> {
  const items: BatchItem[] = input.tasks!.map((task, i) => ({
    key: String(i + 1),
    line: i + 1,
    input: { task: renderTask(task, scheduledTime, input.timezone) },
  }));
  const settings: BatchSettings = {
    concurrency: Math.min(DEFAULT_CONCURRENCY, items.length),
    priorityKey: DEFAULT_BATCH_PRIORITY,
    tenant: input.scheduleId.slice(0, 64),
    defaults: input.session,
  };
  const batch = BatchState.initial(settings, Date.now());
  batch.addPage({ page: 0, items, last: true });
  return executeChild<typeof agentBatch>(BATCH_WORKFLOW_TYPE, {
    workflowId: batchId,
    taskQueue: workflowInfo().taskQueue,
    args: [{ settings, resumeFrom: batch.s }],
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
  });
}
