// Where a project session's time goes, from the caller's start to the caller seeing its result: each hop read from
// the workflow's history (server timestamps), the platform session (its created, started and finished times) and the
// caller's own clock. All clocks are this machine's. The platform's part (booting, then running) is the floor; every
// other phase is what following the session through Temporal added.
import { tsToMs } from '@temporalio/common/lib/time';
import proto from '@temporalio/proto';
import type { HaiClient } from '../../src/hai/client';
import { mapLimit } from '../support';
import { type HistoryEvent, sessionIdOf } from './histories';
import { percentile, show } from './report';

const { EventType } = proto.temporal.api.enums.v1;

export const PHASES = [
  'start call → workflow started',
  '→ first workflow task picked up',
  '→ platform session created',
  '→ session booted (platform)',
  '→ first workflow task completed',
  '→ watch started',
  '→ session finished (platform)',
  '→ last watch returned',
  '→ workflow closed',
  '→ result seen by the caller',
] as const;

export interface Timed {
  calledMs: number;
  seenMs: number;
  events: HistoryEvent[];
}

/** Per session, the milliseconds of each phase in order, or null when one of its marks is missing. */
export async function phasesOf(hai: HaiClient, sessions: Timed[]): Promise<(number[] | null)[]> {
  return mapLimit(sessions, 20, async ({ calledMs, seenMs, events }) => {
    const sessionId = sessionIdOf(events);
    if (!sessionId) return null;
    const session = await hai.getSession(sessionId);
    const at = (type: proto.temporal.api.enums.v1.EventType, last = false) => {
      const found = last ? events.findLast((e) => e.eventType === type) : events.find((e) => e.eventType === type);
      return found ? tsToMs(found.eventTime) : NaN;
    };
    const marks = [
      calledMs,
      at(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
      at(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED),
      Date.parse(session.created_at),
      Date.parse(session.started_at ?? ''),
      at(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
      at(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED),
      Date.parse(session.finished_at ?? ''),
      at(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, true),
      at(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED),
      seenMs,
    ];
    if (marks.some((m) => !Number.isFinite(m))) return null;
    return marks.slice(1).map((m, i) => m - marks[i]!);
  });
}

/** p50 and p90 of each phase, in seconds, with the total from start call to result. */
export function phaseSummary(phases: (number[] | null)[]): { phase: string; p50: number | null; p90: number | null }[] {
  const complete = phases.filter((p): p is number[] => p !== null);
  const column = (i: number) => complete.map((p) => p[i]! / 1000);
  const total = complete.map((p) => p.reduce((a, b) => a + b, 0) / 1000);
  return [
    ...PHASES.map((phase, i) => ({ phase, p50: percentile(column(i), 0.5), p90: percentile(column(i), 0.9) })),
    { phase: 'total', p50: percentile(total, 0.5), p90: percentile(total, 0.9) },
  ];
}

/** The summary as one line of a report's notes. */
export const phaseNote = (summary: ReturnType<typeof phaseSummary>) =>
  `where a project session's time goes, p50 · p90 (s): ${summary
    .map((p) => `${p.phase} ${show(p.p50)} · ${show(p.p90)}`)
    .join('; ')}`;
