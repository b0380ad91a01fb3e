// The state of one scheduled run and how it changes: pure, so the workflow stays short and replays the same.
import type { BatchResult } from '../batch/definitions';
import type { SessionResult } from '../shared/session';
import type { ScheduledRunPhase, ScheduledRunProgress, ScheduledRunResult } from './definitions';
import type { QuotaReading } from './activities';

export class ScheduledRunState {
  phase: ScheduledRunPhase = 'starting';
  task: string | null = null;
  childWorkflowId: string | null = null;
  quota: QuotaReading | null = null;

  constructor(
    readonly scheduleId: string,
    readonly scheduledTime: Date,
    readonly localTime: string,
  ) {}

  waitingForQuota(quota: QuotaReading): void {
    this.phase = 'waiting_for_quota';
    this.quota = quota;
  }

  running(task: string | null, childWorkflowId: string): void {
    this.phase = 'running';
    this.task = task;
    this.childWorkflowId = childWorkflowId;
  }

  progress(): ScheduledRunProgress {
    return {
      scheduleId: this.scheduleId,
      scheduledTime: this.scheduledTime.toISOString(),
      phase: this.phase,
      task: this.task,
      sessionWorkflowId: this.childWorkflowId,
      quota: this.quota,
    };
  }

  private base(): ScheduledRunResult {
    return {
      scheduleId: this.scheduleId,
      scheduledTime: this.scheduledTime.toISOString(),
      localTime: this.localTime,
      task: this.task,
      status: 'skipped',
      skipped: null,
      answer: null,
      costUsd: null,
      agentViewUrl: null,
      sessionWorkflowId: this.childWorkflowId,
      sessionId: null,
      steps: 0,
      error: null,
    };
  }

  skippedForQuota(detail: string): ScheduledRunResult {
    this.phase = 'ended';
    return { ...this.base(), status: 'skipped', skipped: { reason: 'quota', detail } };
  }

  sessionEnded(result: SessionResult): ScheduledRunResult {
    this.phase = 'ended';
    return {
      ...this.base(),
      status: result.status,
      answer: result.answer,
      costUsd: result.costUsd ?? null,
      agentViewUrl: result.agentViewUrl,
      sessionId: result.sessionId,
      steps: result.steps,
      error: result.error,
    };
  }

  /** A task list's batch ended: the run failed if any task failed; no answer (each task's is its session's). */
  batchEnded(result: BatchResult): ScheduledRunResult {
    this.phase = 'ended';
    const { counts } = result;
    const failed = counts.failed + counts.budgetExhausted;
    return {
      ...this.base(),
      status: result.status === 'cancelled' ? 'cancelled' : failed > 0 ? 'failed' : 'completed',
      costUsd: result.costUsd,
      steps: result.steps,
      error: failed > 0 ? `${failed} of ${counts.received} tasks did not succeed` : null,
      batch: {
        workflowId: result.batchId,
        total: counts.received,
        counts: {
          succeeded: counts.succeeded,
          failed: counts.failed,
          cancelled: counts.cancelled,
          budgetExhausted: counts.budgetExhausted,
        },
      },
    };
  }

  childFailed(error: string): ScheduledRunResult {
    this.phase = 'ended';
    return { ...this.base(), status: 'failed', error };
  }
}
