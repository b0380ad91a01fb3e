// The durable state of one session workflow and every change made to it. It is what queries read, what
// continue-as-new carries and what the result is made of, so it stays bounded whatever people send: long
// messages are kept as previews (the platform keeps them whole, by event index), only the latest answer is
// kept whole, and turns, audit entries and transitions keep the most recent ones.
import type { CheckedAnswer, WatchResult } from '../activities';
import { isTerminalStatus } from '../hai/status';
import type {
  AuditEntry,
  Awaiting,
  EndedBy,
  SessionOutcome,
  SessionPhase,
  SessionFollow,
  SessionProgress,
  SessionResult,
  Transition,
  Turn,
  UsageEntry,
} from '../shared/session';

export const RECENT_TRANSITIONS = 50;
export const RECENT_TURNS = 100;
export const RECENT_AUDIT = 200;
export const ANSWERED_TOOL_CALLS_KEPT = 200;
/** Characters of a person's message kept in the state; the platform has the whole text. */
export const MESSAGE_PREVIEW = 2_000;
/** The latest answer is kept whole up to this size; earlier turns keep whole answers up to OLDER_ANSWER_BYTES. */
export const LATEST_ANSWER_BYTES = 256_000;
export const OLDER_ANSWER_BYTES = 16_000;
const DETAIL_CHARS = 500;

export type Decision =
  | { kind: 'approved'; by: string; at: string; comment?: string }
  | { kind: 'rejected'; by: string; at: string; reason: string; feedback?: string };

/** How a session ended: what the workflow returns. */
export interface Ending {
  outcome: SessionOutcome;
  endedBy: EndedBy;
  error?: string;
}

/** The plain data continue-as-new carries (also what older runs carried, whose extra fields are ignored). */
export interface SessionData {
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
  /** How the session ended, once it has. */
  ending?: Ending | null;
  /** Transitions recorded since the session began (`transitions` keeps the most recent ones). */
  transitionsRecorded?: number;
}

const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

/** The first MESSAGE_PREVIEW characters of a text, saying how long the whole was. */
export function preview(text: string, chars = MESSAGE_PREVIEW): string {
  return text.length <= chars ? text : `${text.slice(0, chars)}… [${utf8Bytes(text)} bytes in all]`;
}

/** The answer itself when it fits `maxBytes` as JSON, else a preview string that says so. */
function bounded(answer: unknown, maxBytes: number): unknown {
  if (answer === null || answer === undefined) return answer;
  const json = typeof answer === 'string' ? answer : JSON.stringify(answer);
  if (utf8Bytes(json) <= maxBytes) return answer;
  return preview(json, Math.floor(maxBytes / 4));
}

const keepLast = <T>(list: T[], n: number) => {
  if (list.length > n) list.splice(0, list.length - n);
};

export class SessionState implements SessionData {
  sessionId: string | null = null;
  agentViewUrl: string | null = null;
  status = 'creating';
  phase: SessionPhase = 'creating';
  cursor = 0;
  steps = 0;
  usage: UsageEntry[] = [];
  turns: Turn[] = [];
  transitions: Transition[] = [];
  error: string | null = null;
  errorCode: string | null = null;
  outcome: string | null = null;
  endRequest: 'end' | 'cancel' | null = null;
  transitionsThisRun = 0;
  awaiting: Awaiting | null = null;
  audit: AuditEntry[] = [];
  round = 0;
  decision: Decision | null = null;
  toolReplies: Record<string, string> = {};
  answeredToolCalls: string[] = [];
  costUsd: number | null = null;
  costLimitForced = false;
  ending: Ending | null = null;
  transitionsRecorded = 0;

  /** A new session's state, or the one a previous run carried over. */
  static resume(carried: SessionData | undefined, firstMessage: string | null): SessionState {
    const state = Object.assign(new SessionState(), carried ?? {});
    if (state.turns.length === 0) state.turns.push(newTurn(0, firstMessage === null ? null : preview(firstMessage)));
    state.costUsd ??= null;
    state.transitionsRecorded ??= state.transitions.length;
    state.transitionsThisRun = 0;
    return state;
  }

  /** What continue-as-new carries: the fields, as plain data. */
  carryOver(): SessionData {
    return { ...this };
  }

  end(ending: Ending): void {
    this.phase = 'ended';
    this.ending = ending;
    if (ending.error) this.error = ending.error;
  }

  get currentTurn(): Turn {
    return this.turns[this.turns.length - 1]!;
  }

  record(...transitions: Transition[]): void {
    for (const t of transitions)
      this.transitions.push(t.detail && t.detail.length > DETAIL_CHARS ? { ...t, detail: preview(t.detail) } : t);
    this.transitionsThisRun += transitions.length;
    this.transitionsRecorded += transitions.length;
    keepLast(this.transitions, RECENT_TRANSITIONS);
  }

  note(at: string, kind: 'rejected' | 'note', detail: string): void {
    this.record({ at, eventIndex: null, kind, detail });
  }

  addAudit(entry: AuditEntry): void {
    this.audit.push({
      ...entry,
      ...(entry.message !== undefined ? { message: preview(entry.message) } : {}),
      ...(entry.feedback !== undefined ? { feedback: preview(entry.feedback) } : {}),
      ...(entry.comment !== undefined ? { comment: preview(entry.comment) } : {}),
      ...(entry.reason !== undefined ? { reason: preview(entry.reason) } : {}),
    });
    keepLast(this.audit, RECENT_AUDIT);
  }

  /** `midTurn`: the create found its session already past its start (a retry after a crash), in no terminal status. */
  sessionCreated(
    created: { sessionId: string; status: string; agentViewUrl: string | null },
    at: string,
    midTurn = false,
  ): void {
    this.sessionId = created.sessionId;
    this.agentViewUrl = created.agentViewUrl;
    // A create retried after a crash may find the session ended, or waiting for tool results or input: its events
    // must still be read, and the watch must report that status as a change, not wait for the next one.
    this.status = midTurn || isTerminalStatus(created.status) ? 'creating' : created.status;
    this.phase = 'running';
    this.record({ at, eventIndex: null, kind: 'created', status: created.status, detail: created.sessionId });
  }

  applyWatch(r: WatchResult): void {
    this.cursor = r.cursor;
    this.status = r.status;
    this.steps = r.steps;
    this.usage = r.usage;
    this.error = r.error;
    this.errorCode = r.errorCode;
    this.outcome = r.outcome ?? this.outcome;
    this.costUsd = r.costUsd ?? this.costUsd;
    this.record(...r.transitions);
    for (const a of r.answers) this.setAnswer(a);
    // The answer may ride a page of its own; take the platform's latest answer when no event brought one.
    if (r.latestAnswer && !answered(this.currentTurn)) this.setAnswer(r.latestAnswer);
    if (this.phase !== 'awaiting_approval') this.phase = phaseOf(this.status);
  }

  /** Opens the next turn when a person writes to a session that was waiting for them (or for their decision). */
  openTurnIfWaiting(message: string): Turn | null {
    const waiting = this.phase === 'awaiting_input' || this.phase === 'awaiting_approval' || this.status === 'idle';
    if (!waiting || !answered(this.currentTurn)) return null;
    const previous = this.currentTurn;
    previous.answer = bounded(previous.answer, OLDER_ANSWER_BYTES);
    const turn = newTurn(this.turns.length === 0 ? 0 : previous.index + 1, preview(message));
    this.turns.push(turn);
    keepLast(this.turns, RECENT_TURNS);
    return turn;
  }

  /** Takes back a turn whose message could not be delivered. */
  dropTurn(turn: Turn): void {
    if (this.currentTurn === turn) this.turns.pop();
  }

  startAwaiting(awaiting: Omit<Awaiting, 'since' | 'turn'>, at: string): Awaiting {
    const answer = awaiting.answer === undefined ? {} : { answer: bounded(awaiting.answer, LATEST_ANSWER_BYTES) };
    this.awaiting = { ...awaiting, ...answer, since: at, turn: this.currentTurn.index };
    return this.awaiting;
  }

  toolCallsAnswered(ids: string[]): void {
    this.answeredToolCalls.push(...ids);
    keepLast(this.answeredToolCalls, ANSWERED_TOOL_CALLS_KEPT);
  }

  progress(workflowId: string): SessionProgress {
    const lastAnswered = [...this.turns].reverse().find(answered);
    return {
      workflowId,
      sessionId: this.sessionId,
      agentViewUrl: this.agentViewUrl,
      phase: this.phase,
      status: this.status,
      steps: this.steps,
      usage: this.usage,
      answer: (lastAnswered ?? this.currentTurn).answer,
      outcome: this.outcome,
      error: this.error,
      errorCode: this.errorCode,
      turns: this.turns,
      transitions: this.transitions,
      cursor: this.cursor,
      awaiting: this.awaiting,
      audit: this.audit,
      costUsd: this.costUsd,
      ending: this.ending,
    };
  }

  follow(since: number): SessionFollow {
    const firstKept = this.transitionsRecorded - this.transitions.length;
    const from = Math.max(0, (Number.isInteger(since) ? since : 0) - firstKept);
    return {
      phase: this.phase,
      status: this.status,
      steps: this.steps,
      turns: this.turns.length,
      sessionId: this.sessionId,
      costUsd: this.costUsd,
      awaiting: this.awaiting,
      transitions: this.transitions.slice(from),
      next: this.transitionsRecorded,
    };
  }

  result(workflowId: string, end: Ending): SessionResult {
    const answeredTurns = this.turns.filter(answered);
    const last = answeredTurns[answeredTurns.length - 1];
    return {
      workflowId,
      sessionId: this.sessionId ?? '',
      status: end.outcome,
      platformStatus: this.status,
      endedBy: end.endedBy,
      answer: last?.answer ?? null,
      outcome: last?.outcome ?? this.outcome,
      answerValid: last?.answerValid ?? null,
      ...(last?.answerErrors ? { answerErrors: last.answerErrors } : {}),
      steps: this.steps,
      usage: this.usage,
      error: end.error ?? this.error,
      errorCode: this.errorCode,
      turns: this.turns,
      agentViewUrl: this.agentViewUrl,
      events: this.cursor,
      audit: this.audit,
      costUsd: this.costUsd,
    };
  }

  private setAnswer(a: CheckedAnswer): void {
    const turn = this.currentTurn;
    turn.answer = bounded(a.answer, LATEST_ANSWER_BYTES);
    turn.outcome = a.outcome;
    turn.answerValid = a.valid;
    turn.eventIndex = a.eventIndex >= 0 ? a.eventIndex : turn.eventIndex;
    if (a.errors) turn.answerErrors = a.errors.slice(0, 20);
    else delete turn.answerErrors;
  }
}

export const answered = (turn: Turn) => turn.eventIndex !== null || turn.answer !== null;

function newTurn(index: number, message: string | null): Turn {
  return { index, message, answer: null, outcome: null, answerValid: null, eventIndex: null };
}

export function phaseOf(status: string): SessionPhase {
  if (isTerminalStatus(status)) return 'ended';
  if (status === 'awaiting_tool_results') return 'awaiting_tools';
  if (status === 'idle') return 'awaiting_input';
  if (status === 'paused') return 'paused';
  if (status === 'creating') return 'creating';
  return 'running';
}
