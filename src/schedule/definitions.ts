// Shared definitions of scheduled agent runs: the `scheduledRun` workflow's input, state and result, and the
// search attributes Temporal sets on every workflow a schedule starts. Imported by the workflow, the activities,
// the client and the CLI alike, so nothing here may pull in zod or Node modules.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';
import type { SessionInput } from '../shared/input';
import type { SessionOutcome } from '../shared/session';

export const SCHEDULED_RUN_WORKFLOW_TYPE = 'scheduledRun';

/** Set by Temporal on each workflow a schedule starts: the time the run was scheduled for (backfills too). */
export const TEMPORAL_SCHEDULED_START_TIME = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);
/** Set by Temporal on each workflow a schedule starts: the schedule's id. */
export const TEMPORAL_SCHEDULED_BY_ID = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);

/** Overlap policies by the names the CLI and library take, with Temporal's names. */
export const OVERLAP_POLICIES = {
  skip: 'SKIP',
  'buffer-one': 'BUFFER_ONE',
  'buffer-all': 'BUFFER_ALL',
  'allow-all': 'ALLOW_ALL',
  'cancel-other': 'CANCEL_OTHER',
  'terminate-other': 'TERMINATE_OTHER',
} as const;
export type OverlapPolicyName = keyof typeof OVERLAP_POLICIES;

/**
 * Temporal's own catch-up default is one year: after an outage a schedule fires every run it missed. For paid
 * agent runs the default here is one minute: a run late by more than that is dropped (backfill it on purpose).
 */
export const DEFAULT_CATCHUP_WINDOW_MS = 60_000;
/** How long a run waits for a free slot in the platform's concurrency quota before it is skipped. */
export const DEFAULT_QUOTA_WAIT_MS = 10 * 60_000;
/** How often a waiting run reads the quota again. */
export const DEFAULT_QUOTA_POLL_MS = 15_000;

/** The session options a schedule gives each of its runs (the task comes from the schedule). */
export type ScheduledSessionOptions = Omit<SessionInput, 'task' | 'messages' | 'reportTo'>;

/** What each run of a schedule is started with. Holds no secret: it is in every run's history. */
export interface ScheduledRunInput {
  scheduleId: string;
  /** IANA time zone the task's `{{scheduledTime}}` and `{{date}}` are rendered in. */
  timezone: string;
  /** The task text, possibly with `{{scheduledTime}}` and `{{date}}`. */
  task?: string;
  /** A task list: the run starts an `agentBatch` of these instead of one session. */
  tasks?: string[];
  session: ScheduledSessionOptions;
  /** Wait this long (ms) for a free quota slot; 0 skips at once when the quota is full. */
  quotaWaitMs: number;
  /** How often (ms) a waiting run reads the quota again. */
  quotaPollMs?: number;
}

export type ScheduledRunStatus = SessionOutcome | 'skipped';

export interface ScheduledRunResult {
  scheduleId: string;
  /** The time the run was scheduled for (UTC ISO); a manual trigger's is its start time. */
  scheduledTime: string;
  /** The same instant in the schedule's time zone, as `{{scheduledTime}}` renders it. */
  localTime: string;
  /** The task as sent to the agent (placeholders rendered); a task list's first task and its count. */
  task: string | null;
  status: ScheduledRunStatus;
  /** Why nothing ran, for a skipped run. */
  skipped: { reason: 'quota'; detail: string } | null;
  answer: unknown;
  costUsd: number | null;
  agentViewUrl: string | null;
  /** The child workflow that ran the session (or the batch). */
  sessionWorkflowId: string | null;
  sessionId: string | null;
  steps: number;
  error: string | null;
  /** For a task list: counts of the batch's items by outcome. */
  batch?: { workflowId: string; total: number; counts: Record<string, number> };
}

export type ScheduledRunPhase = 'starting' | 'waiting_for_quota' | 'running' | 'ended';

export interface ScheduledRunProgress {
  scheduleId: string;
  scheduledTime: string;
  phase: ScheduledRunPhase;
  task: string | null;
  sessionWorkflowId: string | null;
  /** Last quota read, while waiting for a slot. */
  quota: { active: number; limit: number; available: number } | null;
}

export const scheduledRunProgressQuery = defineQuery<ScheduledRunProgress>('scheduledRunProgress');
