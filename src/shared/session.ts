// Shared definitions of the session workflow: its steering messages, its state and its result.
// Imported by the workflow, the activities, the client library and the CLI alike.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export const SESSION_WORKFLOW_TYPE = 'agentSession';
export const DEFAULT_TASK_QUEUE = 'hai-agents';

/** A step of a session's life worth recording: status changes, answers, tool requests, steering. */
export interface Transition {
  at: string;
  /** Index of the platform event that carried it, when it came from one. */
  eventIndex: number | null;
  kind: 'created' | 'status' | 'answer' | 'tool_request' | 'steer' | 'rejected' | 'note';
  status?: string;
  detail?: string;
}

export interface UsageEntry {
  name: string;
  input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
}

/** One answer of the agent; an interactive session has one per follow-up message. */
export interface Turn {
  index: number;
  /** The message that opened the turn: the task for turn 0, a follow-up after that. */
  message: string | null;
  answer: unknown;
  outcome: string | null;
  /** Whether the answer matched the answer schema; null when there is no schema. */
  answerValid: boolean | null;
  answerErrors?: string[];
  eventIndex: number | null;
}

export type SessionPhase =
  'creating' | 'running' | 'paused' | 'awaiting_input' | 'awaiting_approval' | 'awaiting_tools' | 'ended';
export type SessionOutcome = 'completed' | 'failed' | 'timed_out' | 'cancelled' | 'rejected';
export type EndedBy =
  | 'agent'
  | 'idle_timeout'
  | 'end'
  | 'cancel'
  | 'platform'
  | 'approval'
  | 'rejection'
  | 'approval_timeout'
  | 'reply_timeout'
  /** The workflow itself failed (e.g. an invalid input) or was terminated. */
  | 'workflow';

/** One thing a person decided or said, in order: the audit trail of a session. */
export interface AuditEntry {
  at: string;
  /** The turn it concerned (0-based). */
  turn: number;
  kind: 'approved' | 'rejected' | 'reply' | 'timeout';
  by: string;
  comment?: string;
  reason?: string;
  feedback?: string;
  message?: string;
  /** For a timeout: what was applied. */
  applied?: 'approve' | 'reject' | 'cancel' | 'end';
}

/** What the session waits on a person for, if anything. */
export interface Awaiting {
  kind: 'approval' | 'input';
  since: string;
  turn: number;
  /** Approval round, counting from 1. */
  round?: number;
  /** The agent's answer up for approval, or its question. */
  answer?: unknown;
  /** For input asked through the ask_human tool: the tool call it answers. */
  toolCallId?: string;
}

export interface SessionProgress {
  workflowId: string;
  sessionId: string | null;
  agentViewUrl: string | null;
  phase: SessionPhase;
  /** The platform status as last read (the platform's `/status` is the authority). */
  status: string;
  steps: number;
  usage: UsageEntry[];
  answer: unknown;
  outcome: string | null;
  error: string | null;
  errorCode: string | null;
  turns: Turn[];
  /** The most recent transitions, oldest first (bounded). */
  transitions: Transition[];
  /** Count of platform events handled so far. */
  cursor: number;
  awaiting: Awaiting | null;
  audit: AuditEntry[];
  /** The platform's USD cost of the session so far (`metrics.total_cost`); null when unpriced or unknown. */
  costUsd: number | null;
  /** How the session ended, once it has: the result's status, who ended it, and why when it failed. */
  ending?: { outcome: SessionOutcome; endedBy: EndedBy; error?: string } | null;
}

export interface SessionResult {
  workflowId: string;
  sessionId: string;
  status: SessionOutcome;
  platformStatus: string;
  endedBy: EndedBy;
  answer: unknown;
  outcome: string | null;
  answerValid: boolean | null;
  answerErrors?: string[];
  steps: number;
  usage: UsageEntry[];
  error: string | null;
  errorCode: string | null;
  turns: Turn[];
  agentViewUrl: string | null;
  /** Count of platform events handled. */
  events: number;
  audit: AuditEntry[];
  /** The platform's USD cost of the session (`metrics.total_cost`); null when unpriced or unknown. */
  costUsd: number | null;
}

/** What a session signals to its `reportTo` workflow when it ends: compact, never the answer itself. */
export interface SessionReport {
  key: string;
  workflowId: string;
  sessionId: string | null;
  /** The session's outcome, or `failed` when the workflow itself failed (e.g. an invalid input). */
  status: SessionOutcome;
  answerValid: boolean | null;
  steps: number;
  tokens: number;
  costUsd: number | null;
  error: string | null;
}

/** A steering command, in the order it was received. */
export type SteerCommand =
  | { type: 'send'; message: string }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'forceAnswer' }
  | { type: 'cancel'; reason?: string }
  | { type: 'end' };

export type SteerCommandType = SteerCommand['type'];

export interface SendPayload {
  message: string;
}
export interface CancelPayload {
  reason?: string;
}
/** What an update returns once the platform accepted the call. */
export interface SteerAck {
  command: SteerCommandType;
  status: string;
}

// Signals: fire-and-forget, as Temporal's samples steer workflows.
export const sendSignal = defineSignal<[SendPayload]>('send');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const forceAnswerSignal = defineSignal('forceAnswer');
export const cancelSignal = defineSignal<[CancelPayload]>('cancel');
export const endSignal = defineSignal('end');

// Updates: the same commands, for callers that want to know the platform accepted them.
export const sendUpdate = defineUpdate<SteerAck, [SendPayload]>('send');
export const pauseUpdate = defineUpdate<SteerAck>('pause');
export const resumeUpdate = defineUpdate<SteerAck>('resume');
export const forceAnswerUpdate = defineUpdate<SteerAck>('forceAnswer');
export const cancelUpdate = defineUpdate<SteerAck, [CancelPayload]>('cancel');
export const endUpdate = defineUpdate<SteerAck>('end');

export interface ApprovePayload {
  by: string;
  comment?: string;
}
export interface RejectPayload {
  by: string;
  reason: string;
  /** Sent to an interactive agent as its next message; its next answer is gated again. */
  feedback?: string;
}
export interface ReplyPayload {
  by?: string;
  message: string;
}
export interface DecisionAck {
  decision: 'approved' | 'rejected';
  turn: number;
  round: number;
}

// Human decisions and replies, as signals and as updates (whose validators refuse what cannot be taken now).
export const approveSignal = defineSignal<[ApprovePayload]>('approve');
export const rejectSignal = defineSignal<[RejectPayload]>('reject');
export const replySignal = defineSignal<[ReplyPayload]>('reply');
export const approveUpdate = defineUpdate<DecisionAck, [ApprovePayload]>('approve');
export const rejectUpdate = defineUpdate<DecisionAck, [RejectPayload]>('reject');
export const replyUpdate = defineUpdate<SteerAck, [ReplyPayload]>('reply');

export const progressQuery = defineQuery<SessionProgress>('progress');

/** What a follower needs each second: where the session stands and the transitions it has not seen yet. */
export interface SessionFollow {
  phase: SessionPhase;
  status: string;
  steps: number;
  turns: number;
  sessionId: string | null;
  costUsd: number | null;
  awaiting: Awaiting | null;
  /** Transitions numbered `since` and later that the workflow still keeps (it keeps the most recent ones). */
  transitions: Transition[];
  /** Pass this as `since` next time. */
  next: number;
}
/** Takes `since`: the count of transitions already seen (0 at first). */
export const followQuery = defineQuery<SessionFollow, [number]>('follow');
export const sessionFinishedSignal = defineSignal<[SessionReport]>('sessionFinished');
