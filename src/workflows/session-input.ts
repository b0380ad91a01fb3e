// What the workflow reads of its input. Full validation (zod) happens in the client before the start and
// in the create activity: zod in the workflow bundle was re-evaluated for every workflow and cost about
// 1.1 MB and 13 ms per workflow (BENCHMARKS.md). This file only applies defaults, with no dependencies.
import { parseDuration } from '../shared/duration';
import type { SessionInput } from '../shared/input';

export interface WorkflowInput {
  firstMessage: string | null;
  answerSchema: Record<string, unknown> | undefined;
  approval: { timeout: number | undefined; onTimeout: 'reject' | 'approve' | 'cancel'; maxRounds: number } | undefined;
  replyTimeout: number | undefined;
  notifyUrl: string | undefined;
  continueAsNewEvery: number | undefined;
  maxCostUsd: number | undefined;
  /** Follow the status alone (`watch: 'lean'`); never with a cost limit, which needs the events' cost figures. */
  lean: boolean;
  /** A lean watch's heartbeat timeout (`leanTakeoverAfter`); unset: the default. */
  leanTakeoverAfterMs: number | undefined;
  reportTo: { workflowId: string; key: string } | undefined;
}

const duration = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' ? (parseDuration(value) ?? undefined) : undefined;

export function workflowInput(raw: SessionInput): WorkflowInput {
  const approval = raw.approval;
  return {
    firstMessage: raw.task ?? raw.messages?.[0]?.message ?? null,
    answerSchema: raw.answerSchema,
    approval: approval
      ? {
          timeout: duration(approval.timeout),
          onTimeout: approval.onTimeout ?? 'reject',
          maxRounds: approval.maxRounds ?? 3,
        }
      : undefined,
    replyTimeout: duration(raw.replyTimeout),
    notifyUrl: raw.notifyUrl,
    continueAsNewEvery: raw.continueAsNewEvery,
    maxCostUsd: typeof raw.maxCostUsd === 'number' ? raw.maxCostUsd : undefined,
    lean: raw.watch === 'lean' && raw.maxCostUsd === undefined,
    leanTakeoverAfterMs: duration(raw.leanTakeoverAfter),
    reportTo: raw.reportTo,
  };
}
