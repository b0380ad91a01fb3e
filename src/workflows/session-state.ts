// The durable state of one session workflow, and how each watch result moves it forward.
import type { CheckedAnswer, WatchResult } from '../activities';
import { isTerminalStatus } from '../hai/status';
import type {
  AuditEntry,
  Awaiting,
  SessionPhase,
  SessionProgress,
  Transition,
  Turn,
  UsageEntry,
} from '../shared/session';

export const RECENT_TRANSITIONS = 50;

export interface SessionState {
  sessionId: string | null;
  agentViewUrl: string | null;
  status: string;
  phase: SessionPhase;
  cursor: number;
  steps: number;
  usage: UsageEntry[];
  turns: Turn[];
  transitions: Transition[];
  error: string | null;
  errorCode: string | null;
  outcome: string | null;
  /** Set once a person asked the session to end or be cancelled. */
  endRequest: 'end' | 'cancel' | null;
  /** Transitions handled in this run, for continue-as-new. */
  transitionsThisRun: number;
  awaiting: Awaiting | null;
  audit: AuditEntry[];
  /** Approval rounds held so far. */
  round: number;
  /** The decision taken in the current approval round, once there is one. */
  decision: Decision | null;
  /** Replies to the agent's ask_human calls, by call id, until they are posted. */
  toolReplies: Record<string, string>;
  /** Ids of tool calls already answered (bounded), so a repeated request is not run twice. */
  answeredToolCalls: string[];
  /** The platform's USD cost so far; absent in states carried over by older runs. */
  costUsd?: number | null;
  /** Set once the cost limit forced an answer, so it is forced only once. */
  costLimitForced?: boolean;
}

export type Decision =
  | { kind: 'approved'; by: string; at: string; comment?: string }
  | { kind: 'rejected'; by: string; at: string; reason: string; feedback?: string };

export function initialState(firstMessage: string | null): SessionState {
  return {
    sessionId: null,
    agentViewUrl: null,
    status: 'creating',
    phase: 'creating',
    cursor: 0,
    steps: 0,
    usage: [],
    turns: [{ index: 0, message: firstMessage, answer: null, outcome: null, answerValid: null, eventIndex: null }],
    transitions: [],
    error: null,
    errorCode: null,
    outcome: null,
    endRequest: null,
    transitionsThisRun: 0,
    awaiting: null,
    audit: [],
    round: 0,
    decision: null,
    toolReplies: {},
    answeredToolCalls: [],
    costUsd: null,
    costLimitForced: false,
  };
}

export function record(state: SessionState, ...transitions: Transition[]): void {
  state.transitions.push(...transitions);
  state.transitionsThisRun += transitions.length;
  if (state.transitions.length > RECENT_TRANSITIONS)
    state.transitions.splice(0, state.transitions.length - RECENT_TRANSITIONS);
}

export const currentTurn = (state: SessionState): Turn => state.turns[state.turns.length - 1]!;
export const answered = (turn: Turn) => turn.eventIndex !== null || turn.answer !== null;

function setAnswer(turn: Turn, a: CheckedAnswer): void {
  turn.answer = a.answer;
  turn.outcome = a.outcome;
  turn.answerValid = a.valid;
  turn.eventIndex = a.eventIndex >= 0 ? a.eventIndex : turn.eventIndex;
  if (a.errors) turn.answerErrors = a.errors;
  else delete turn.answerErrors;
}

export function applyWatch(state: SessionState, r: WatchResult): void {
  state.cursor = r.cursor;
  state.status = r.status;
  state.steps = r.steps;
  state.usage = r.usage;
  state.error = r.error;
  state.errorCode = r.errorCode;
  state.outcome = r.outcome ?? state.outcome;
  state.costUsd = r.costUsd ?? state.costUsd ?? null;
  record(state, ...r.transitions);
  for (const a of r.answers) setAnswer(currentTurn(state), a);
  // The answer may ride a page of its own; take the platform's latest answer when no event brought one.
  if (r.latestAnswer && !answered(currentTurn(state))) setAnswer(currentTurn(state), r.latestAnswer);
  if (state.phase !== 'awaiting_approval') state.phase = phaseOf(state.status);
}

export function phaseOf(status: string): SessionPhase {
  if (isTerminalStatus(status)) return 'ended';
  if (status === 'awaiting_tool_results') return 'awaiting_tools';
  if (status === 'idle') return 'awaiting_input';
  if (status === 'paused') return 'paused';
  if (status === 'creating') return 'creating';
  return 'running';
}

/** Opens the next turn when a person writes to a session that was waiting for them (or for their decision). */
export function openTurnIfWaiting(state: SessionState, message: string): Turn | null {
  const waiting = state.phase === 'awaiting_input' || state.phase === 'awaiting_approval' || state.status === 'idle';
  if (!waiting || !answered(currentTurn(state))) return null;
  const turn: Turn = {
    index: state.turns.length,
    message,
    answer: null,
    outcome: null,
    answerValid: null,
    eventIndex: null,
  };
  state.turns.push(turn);
  return turn;
}

export function progressOf(workflowId: string, state: SessionState): SessionProgress {
  const last = currentTurn(state);
  const lastAnswered = [...state.turns].reverse().find(answered);
  return {
    workflowId,
    sessionId: state.sessionId,
    agentViewUrl: state.agentViewUrl,
    phase: state.phase,
    status: state.status,
    steps: state.steps,
    usage: state.usage,
    answer: (lastAnswered ?? last).answer,
    outcome: state.outcome,
    error: state.error,
    errorCode: state.errorCode,
    turns: state.turns,
    transitions: state.transitions,
    cursor: state.cursor,
    awaiting: state.awaiting,
    audit: state.audit,
    costUsd: state.costUsd ?? null,
  };
}
