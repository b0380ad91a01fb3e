// One run of a schedule: started by Temporal at each fire time (and by trigger and backfill). It renders the task
// for the time the run was scheduled for, waits for a free slot in the platform's quota (or records the run as
// skipped), runs the session as a child workflow and returns a compact result for the run history.
import {
  ApplicationFailure,
  condition,
  executeChild,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { SESSION_WORKFLOW_TYPE } from '../shared/session';
import type { agentSession } from '../workflows/agent-session';
import type { ScheduleActivities } from './activities';
import {
  DEFAULT_QUOTA_POLL_MS,
  type ScheduledRunInput,
  type ScheduledRunResult,
  scheduledRunProgressQuery,
  TEMPORAL_SCHEDULED_START_TIME,
} from './definitions';
import { runBatch } from './run-batch';
import { ScheduledRunState } from './run-state';
import { localTime, renderTask } from './template';
import { rootCause } from '../shared/root-cause';

// A few quick tries: a platform that cannot say its quota does not stop the run (the session then queues).
const { readQuotaForSchedule } = proxyActivities<ScheduleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 4 },
});

const QUOTA_WAIT_ON_TIMER = 'quota-wait-on-timer';

export async function scheduledRun(input: ScheduledRunInput): Promise<ScheduledRunResult> {
  if (!input || typeof input !== 'object' || (typeof input.task !== 'string' && !input.tasks?.length)) {
    throw ApplicationFailure.nonRetryable(
      'invalid scheduled run input: expected a task or a task list',
      'InvalidScheduledRunInput',
    );
  }
  const info = workflowInfo();
  const scheduledTime = scheduledTimeOf(info);
  const state = new ScheduledRunState(
    input.scheduleId,
    scheduledTime,
    localTime(scheduledTime, input.timezone).scheduledTime,
  );
  setHandler(scheduledRunProgressQuery, () => state.progress());

  const quotaProblem = await waitForQuota(input, state);
  if (quotaProblem) return state.skippedForQuota(quotaProblem);

  if (input.tasks?.length) {
    const batchId = `${info.workflowId}/batch`;
    state.running(`${input.tasks.length} tasks`, batchId);
    try {
      const outcome = state.batchEnded(await runBatch(input, scheduledTime, batchId));
      if (outcome.status === 'failed') throw runFailed(outcome.error!, outcome);
      return outcome;
    } catch (err) {
      if (isCancellation(err) || err instanceof ApplicationFailure) throw err;
      throw runFailed(`the batch workflow failed: ${rootCause(err)}`, state.childFailed(rootCause(err)));
    }
  }

  const task = renderTask(input.task!, scheduledTime, input.timezone);
  const childId = `${info.workflowId}/session`;
  state.running(task, childId);
  try {
    const result = await executeChild<typeof agentSession>(SESSION_WORKFLOW_TYPE, {
      workflowId: childId,
      taskQueue: info.taskQueue,
      args: [{ ...input.session, task }],
      // A run terminated by the overlap policy still cancels its platform session.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    const outcome = state.sessionEnded(result);
    if (result.status === 'failed' || result.status === 'timed_out')
      throw runFailed(`the agent's session ${result.status}: ${result.error ?? 'no detail'}`, outcome);
    return outcome;
  } catch (err) {
    if (isCancellation(err) || err instanceof ApplicationFailure) throw err;
    throw runFailed(`the session workflow failed: ${rootCause(err)}`, state.childFailed(rootCause(err)));
  }
}

/** A failed run fails its workflow (so pause-on-failure applies) and carries its result for the run history. */
function runFailed(message: string, outcome: ScheduledRunResult): ApplicationFailure {
  return ApplicationFailure.create({ message, type: 'ScheduledRunFailed', nonRetryable: true, details: [outcome] });
}

/** Null once there is a free slot; else, after the wait allowed, why the run is skipped. */
async function waitForQuota(input: ScheduledRunInput, state: ScheduledRunState): Promise<string | null> {
  // The wait's end is a durable timer, not a clock comparison: workflow time is not replayed identically after a
  // failed workflow task, and a decision taken on it can differ on replay (the batch's nondeterminism, RELIABILITY.md).
  const onTimer = patched(QUOTA_WAIT_ON_TIMER);
  const deadline = Date.now() + Math.max(0, input.quotaWaitMs);
  let waitOver = input.quotaWaitMs <= 0;
  for (let first = true; ; first = false) {
    let quota;
    try {
      quota = await readQuotaForSchedule();
    } catch (err) {
      log.warn('platform quota unknown; running anyway', { error: rootCause(err) });
      return null;
    }
    if (quota.available > 0) return null;
    if (onTimer && first && !waitOver) void sleep(input.quotaWaitMs).then(() => (waitOver = true));
    const left = deadline - Date.now();
    if (onTimer ? waitOver : left <= 0) {
      const waited = input.quotaWaitMs > 0 ? ` after waiting ${Math.round(input.quotaWaitMs / 1000)}s` : '';
      return `platform quota full (${quota.active}/${quota.limit} sessions active)${waited}`;
    }
    state.waitingForQuota(quota);
    const pollMs = input.quotaPollMs ?? DEFAULT_QUOTA_POLL_MS;
    if (onTimer) await condition(() => waitOver, pollMs);
    else await sleep(Math.min(pollMs, left));
  }
}

/** The time Temporal scheduled this run for (backfills included); a run started by hand has its start time. */
function scheduledTimeOf(info: ReturnType<typeof workflowInfo>): Date {
  const typed = info.typedSearchAttributes.get(TEMPORAL_SCHEDULED_START_TIME);
  if (typed instanceof Date && !Number.isNaN(typed.getTime())) return typed;
  const raw = info.searchAttributes?.[TEMPORAL_SCHEDULED_START_TIME.name]?.[0];
  const parsed = raw instanceof Date ? raw : typeof raw === 'string' ? new Date(raw) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : info.startTime;
}
