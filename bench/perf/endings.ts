// (c): where the lag to `completed` goes. Per session, from the platform marking it finished to the workflow task
// that applied it completing, in three hops read from the history (server timestamps) and the platform's event time:
// the worker's side (its feed of finished sessions wakes the parked watch, which reads the answer and completes by
// token), the ending task waiting to be picked up (on the sticky queue, and on the task queue after a sticky
// timeout), and the task itself (with a replay from history when the workflow left the cache).
import { tsToMs } from '@temporalio/common/lib/time';
import proto from '@temporalio/proto';
import { type HistoryEvent, timedOutOnStickyQueue } from './histories';
import type { Observation } from './plain-loop';
import { percentile, show } from './report';

const { EventType } = proto.temporal.api.enums.v1;

export const ENDING_HOPS = [
  'finished → watch completed',
  '→ ending task picked up',
  '→ ending task completed',
] as const;

export interface Ending {
  hopsMs: number[];
  /** The ending task timed out on the sticky queue at least once before a poll took it. */
  viaTaskQueue: boolean;
}

/** The ending of one session, or null when the history or the platform lacks one of its marks. */
export function endingOf(events: HistoryEvent[], seen: Observation[]): Ending | null {
  const finishedMs = seen.find((o) => o.status === 'completed')?.happenedMs;
  const watchDone = events.findLastIndex((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  if (finishedMs === undefined || watchDone < 0) return null;
  const after = events.slice(watchDone);
  const pickedUp = after.findLast((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
  const completed = after.findLast((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  if (!pickedUp || !completed) return null;
  const marks = [
    finishedMs,
    tsToMs(events[watchDone]!.eventTime),
    tsToMs(pickedUp.eventTime),
    tsToMs(completed.eventTime),
  ];
  return {
    hopsMs: marks.slice(1).map((m, i) => m - marks[i]!),
    viaTaskQueue: after.some(timedOutOnStickyQueue),
  };
}

/** p50 · p99 of each hop in seconds, and how many endings went through the task queue, as one line of notes. */
export function endingNote(endings: (Ending | null)[]): string {
  const known = endings.filter((e): e is Ending => e !== null);
  const hop = (i: number, p: number) =>
    percentile(
      known.map((e) => e.hopsMs[i]! / 1000),
      p,
    );
  const hops = ENDING_HOPS.map((name, i) => `${name} ${show(hop(i, 0.5))} · ${show(hop(i, 0.99))}`).join('; ');
  const via = known.filter((e) => e.viaTaskQueue).length;
  return `where the lag to completed goes, p50 · p99 (s), ${known.length} endings: ${hops}; ${via} ending tasks timed out on the sticky queue first`;
}
