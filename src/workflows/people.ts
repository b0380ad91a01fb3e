// What people say to a session: approval decisions on an answer and replies to an agent waiting for
// them. Updates refuse what cannot be taken now (nothing awaits a decision, a decision already taken) and
// say why; signals cannot be refused, so a refused signal is recorded and otherwise ignored.
import { setHandler } from '@temporalio/workflow';
import { messageProblem } from '../shared/limits';
import {
  approveSignal,
  approveUpdate,
  rejectSignal,
  rejectUpdate,
  replySignal,
  replyUpdate,
  type ApprovePayload,
  type DecisionAck,
  type RejectPayload,
  type ReplyPayload,
  type SteerAck,
} from '../shared/session';
import type { Decision, SessionState } from './session-state';
import type { SteeringQueue } from './steering';

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
const field = (payload: unknown, name: string): unknown =>
  payload && typeof payload === 'object' ? (payload as Record<string, unknown>)[name] : undefined;

export class PeopleDesk {
  constructor(
    private readonly state: SessionState,
    private readonly steering: SteeringQueue,
    private readonly now: () => string,
    private readonly onRefused: (what: string, reason: string) => void,
  ) {}

  register(): void {
    setHandler(approveSignal, (p) =>
      this.ifAllowed('approve', this.decisionProblem(p, 'approve'), () => this.decide(p, 'approve')),
    );
    setHandler(rejectSignal, (p) =>
      this.ifAllowed('reject', this.decisionProblem(p, 'reject'), () => this.decide(p, 'reject')),
    );
    setHandler(approveUpdate, (p) => this.decide(p, 'approve'), {
      validator: (p) => this.refuse(this.decisionProblem(p, 'approve')),
    });
    setHandler(rejectUpdate, (p) => this.decide(p, 'reject'), {
      validator: (p) => this.refuse(this.decisionProblem(p, 'reject')),
    });
    setHandler(replySignal, (p) =>
      this.ifAllowed('reply', this.replyProblem(p), () => void this.reply(p).catch(() => undefined)),
    );
    setHandler(replyUpdate, (p) => this.reply(p), { validator: (p) => this.refuse(this.replyProblem(p)) });
  }

  private refuse(problem: string | null): void {
    if (problem) throw new Error(problem);
  }

  private ifAllowed(what: string, problem: string | null, act: () => unknown): void {
    if (problem) this.onRefused(what, problem);
    else act();
  }

  private decisionProblem(payload: unknown, kind: 'approve' | 'reject'): string | null {
    const { state } = this;
    if (!text(field(payload, 'by'))) return `${kind} needs "by": who decides`;
    if (kind === 'reject' && !text(field(payload, 'reason'))) return 'reject needs a "reason"';
    for (const name of ['comment', 'reason', 'feedback']) {
      const value = field(payload, name);
      const problem = typeof value === 'string' && value.trim() ? messageProblem(value) : null;
      if (problem) return `${kind} "${name}": ${problem.replace(/^the message /, '')}`;
    }
    if (state.phase === 'awaiting_approval' && state.decision === null) return null;
    const last = [...state.audit].reverse().find((a) => a.kind === 'approved' || a.kind === 'rejected');
    if (state.decision || (last && state.phase === 'ended')) {
      const d = state.decision ?? last!;
      return `the answer of turn ${state.currentTurn.index + 1} was already ${d.kind === 'approved' ? 'approved' : 'rejected'} by ${d.by}`;
    }
    return `nothing awaits a decision: the session is ${state.phase.replace('_', ' ')} (${state.status})`;
  }

  private decide(payload: ApprovePayload | RejectPayload, kind: 'approve' | 'reject'): DecisionAck {
    const { state } = this;
    const at = this.now();
    const by = text(payload.by)!;
    const turn = state.currentTurn.index;
    let decision: Decision;
    if (kind === 'approve') {
      const comment = text(field(payload, 'comment'));
      decision = { kind: 'approved', by, at, ...(comment ? { comment } : {}) };
      state.addAudit({ at, turn, kind: 'approved', by, ...(comment ? { comment } : {}) });
    } else {
      const reason = text(field(payload, 'reason'))!;
      const feedback = text(field(payload, 'feedback'));
      decision = { kind: 'rejected', by, at, reason, ...(feedback ? { feedback } : {}) };
      state.addAudit({ at, turn, kind: 'rejected', by, reason, ...(feedback ? { feedback } : {}) });
    }
    state.decision = decision;
    return { decision: decision.kind, turn, round: state.round };
  }

  private replyProblem(payload: unknown): string | null {
    if (this.state.phase === 'ended') return `the session has ended (${this.state.status}); reply is not possible`;
    const message = field(payload, 'message');
    const problem = messageProblem(message);
    if (problem || this.state.awaiting?.toolCallId) return problem;
    // Not an answer to the agent's question: a message, refused when a message cannot be taken now.
    return this.steering.refusal({ type: 'send', message: message as string });
  }

  /** An answer to the agent's ask_human call, or else a message to the agent (reply is an alias of send). */
  private async reply(payload: ReplyPayload): Promise<SteerAck> {
    const { state } = this;
    const by = text(payload.by) ?? 'unknown';
    state.addAudit({ at: this.now(), turn: state.currentTurn.index, kind: 'reply', by, message: payload.message });
    const toolCallId = state.awaiting?.kind === 'input' ? state.awaiting.toolCallId : undefined;
    if (toolCallId) {
      state.toolReplies[toolCallId] = payload.message;
      return { command: 'send', status: state.status };
    }
    return this.steering.enqueue({ type: 'send', message: payload.message });
  }
}
