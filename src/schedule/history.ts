// Run history and cost figures of a schedule, from what Temporal keeps: pure functions over runs already read.
import type { ScheduledRunResult } from './definitions';

export type RunStatus = ScheduledRunResult['status'] | 'running' | 'waiting_for_quota' | 'terminated';

/** One row of `schedule runs`: a run Temporal started, or a fire time the overlap policy skipped. */
export interface ScheduledRunEntry {
  /** The run's workflow id; null for a skipped fire time (no workflow was started). */
  workflowId: string | null;
  scheduledTime: Date;
  status: RunStatus;
  skipped: { reason: 'quota' | 'overlap'; detail: string } | null;
  task: string | null;
  answer: unknown;
  costUsd: number | null;
  agentViewUrl: string | null;
  sessionWorkflowId: string | null;
  error: string | null;
  /** For a task list: the batch's workflow id, its size and its items by outcome. */
  batch?: ScheduledRunResult['batch'];
  startTime: Date | null;
  closeTime: Date | null;
}

export function skippedEntry(scheduledTime: Date, detail: string): ScheduledRunEntry {
  return {
    workflowId: null,
    scheduledTime,
    status: 'skipped',
    skipped: { reason: 'overlap', detail },
    task: null,
    answer: null,
    costUsd: null,
    agentViewUrl: null,
    sessionWorkflowId: null,
    error: null,
    startTime: null,
    closeTime: null,
  };
}

/**
 * Fire times the overlap policy skipped. Temporal counts these skips but does not record their times, so they are
 * the spec's matching times that started no run while another run of the schedule was running; at most
 * `skippedCount` of them (Temporal's own count), the latest first.
 */
export function overlapSkips(matching: Date[], runs: ScheduledRunEntry[], skippedCount: number): ScheduledRunEntry[] {
  const started = new Set(runs.map((r) => Math.floor(r.scheduledTime.getTime() / 1000)));
  const skips: ScheduledRunEntry[] = [];
  for (const at of [...matching].sort((a, b) => b.getTime() - a.getTime())) {
    if (skips.length >= skippedCount) break;
    if (started.has(Math.floor(at.getTime() / 1000))) continue;
    const blocker = runs.find(
      (r) =>
        r.workflowId !== null &&
        r.startTime !== null &&
        r.startTime.getTime() <= at.getTime() &&
        (r.closeTime === null || r.closeTime.getTime() > at.getTime()),
    );
    if (blocker) skips.push(skippedEntry(at, `run ${blocker.workflowId} was still going`));
  }
  return skips;
}

export function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs per day, from the next fire times (their average spacing); null with fewer than two. */
export function firesPerDay(nextTimes: Date[]): number | null {
  if (nextTimes.length < 2) return null;
  const times = nextTimes.map((t) => t.getTime()).sort((a, b) => a - b);
  const span = times[times.length - 1]! - times[0]!;
  return span > 0 ? ((times.length - 1) * 86_400_000) / span : null;
}

export interface CostProjection {
  /** Runs whose cost is known (completed or failed sessions the platform priced). */
  pricedRuns: number;
  medianCostUsd: number | null;
  firesPerDay: number | null;
  projectedCostPerDayUsd: number | null;
}

export function projectCost(runs: ScheduledRunEntry[], nextTimes: Date[]): CostProjection {
  const costs = runs.map((r) => r.costUsd).filter((c): c is number => typeof c === 'number');
  const medianCostUsd = median(costs);
  const perDay = firesPerDay(nextTimes);
  return {
    pricedRuns: costs.length,
    medianCostUsd,
    firesPerDay: perDay,
    projectedCostPerDayUsd: medianCostUsd !== null && perDay !== null ? medianCostUsd * perDay : null,
  };
}
