// Drives one session through the state machine of hai-api.md §3.4 with a single timer: the next step, the idle
// window or the max_time_s deadline, whichever comes first. Nothing polls, so thousands of sessions stay cheap.
import { randomUUID } from 'node:crypto';
import { ev } from './events';
import {
  type ErrorCode,
  type Json,
  type SessionStatusValue,
  type ToolRequest,
  type UserMessage,
  isTerminal,
} from './model';
import type { SimulatorOptions } from './options';
import { sampleAnswer } from './sample-answer';
import { type Directive, hasDirective, parseMessage } from './script';
import type { SimSession } from './session';

const MAX_TIMER_MS = 2_147_483_647;

export interface AgentHost {
  options(): SimulatorOptions;
  /** Told of every status change, so the store can keep quota counts and start queued sessions. */
  statusChanged(session: SimSession, from: SessionStatusValue): void;
}

/** What a control call did: applied (or a documented no-op), or hit a state the GUESS options decide about. */
export type ControlResult = 'ok' | 'inactive';

export interface Turn {
  task: string;
  directive: Directive;
  directiveError?: string;
  workDone: number;
  toolsRequested: boolean;
  pendingTools: Map<string, ToolRequest>;
  toolOutputs: Json[];
  forced: boolean;
}

export type ToolSubmission =
  | { kind: 'tool_result'; tool_req: ToolRequest; result: Json }
  | { kind: 'error_event'; tool_req: ToolRequest; error: string; origin: string };

/** An agent's progress as a state file keeps it (`dataFile`), so its script continues where it was. */
export interface SavedAgent {
  inbox: UserMessage[];
  turn: (Omit<Turn, 'pendingTools'> & { pendingTools: ToolRequest[] }) | null;
  /** What was left of the turn's max_time_s when saved: time the simulator was down does not count. */
  deadlineInMs: number | null;
}

export class Agent {
  private timer: NodeJS.Timeout | undefined;
  /** Messages not yet seen by the agent: delivered at boot or at the next step. */
  private inbox: UserMessage[];
  private turn: Turn | null = null;
  private deadlineAt: number | null = null;

  constructor(
    readonly session: SimSession,
    private readonly host: AgentHost,
  ) {
    this.inbox = [...session.setup.messages];
  }

  get pendingToolIds(): ReadonlySet<string> {
    return new Set(this.turn?.pendingTools.keys() ?? []);
  }

  /** New, promoted from the queue, or restarted: provisioning starts, the agent boots after bootMs. */
  start(): void {
    this.setStatus('pending');
    this.session.emit(ev.requestStart());
    this.schedule(this.host.options().bootMs, () => this.boot());
  }

  enqueue(): void {
    this.setStatus('queued');
  }

  /** Back to life after a terminal status (message to a terminal session, `messageToTerminal: restart`). */
  prepareRestart(messages: UserMessage[]): void {
    const s = this.session;
    s.finishedAt = null;
    s.error = null;
    s.errorCode = null;
    s.outcome = null;
    this.inbox = [...messages];
  }

  message(messages: UserMessage[]): void {
    const s = this.session;
    switch (s.status) {
      case 'idle':
        this.clearTimer();
        this.echo(messages);
        s.emit(ev.activeState('running'));
        this.setStatus('running');
        this.beginTurn(messages);
        this.scheduleStep();
        return;
      case 'paused':
        this.inbox.push(...messages);
        this.resume();
        return;
      default:
        // queued/pending: buffered until the agent starts; running/awaiting: delivered at the next step.
        this.inbox.push(...messages);
    }
  }

  pause(): ControlResult {
    const s = this.session;
    if (s.status === 'paused') return 'ok';
    if (s.status !== 'running') return 'inactive';
    s.emit(ev.flow('pause'), ev.runStatus('paused'));
    this.setStatus('paused');
    // No step is due; only the max_time_s deadline keeps running.
    this.schedule();
    return 'ok';
  }

  resume(): ControlResult {
    const s = this.session;
    if (s.status === 'running') return 'ok';
    if (s.status !== 'paused') return 'inactive';
    s.emit(ev.flow('resume'), ev.runStatus('running'));
    this.setStatus('running');
    this.scheduleStep();
    return 'ok';
  }

  forceAnswer(): ControlResult {
    const s = this.session;
    if ((s.status !== 'running' && s.status !== 'paused') || !this.turn) return 'inactive';
    s.emit(ev.flow('force_answer'));
    this.turn.forced = true;
    return 'ok';
  }

  /** Caller has checked that every id is pending. The agent resumes once all calls have an answer. */
  submitToolResults(results: ToolSubmission[]): void {
    const turn = this.turn;
    if (!turn) return;
    const s = this.session;
    for (const r of results) {
      const req = turn.pendingTools.get(r.tool_req.id);
      if (!req) continue;
      turn.pendingTools.delete(req.id);
      if (r.kind === 'tool_result') {
        s.emit(ev.toolResult(req, r.result));
        turn.toolOutputs.push({ id: req.id, tool_name: req.tool_name, result: r.result });
      } else {
        s.emit(ev.toolError(req, r.error, r.origin));
        turn.toolOutputs.push({ id: req.id, tool_name: req.tool_name, error: r.error });
      }
    }
    if (s.status !== 'awaiting_tool_results') return;
    if (turn.pendingTools.size > 0) {
      // As the platform does: the surviving calls are re-published whenever some settle.
      s.emit(ev.activeState('awaiting_tool_results', [...turn.pendingTools.values()]));
      return;
    }
    s.emit(ev.activeState('running'));
    this.setStatus('running');
    this.scheduleStep();
  }

  cancel(): void {
    if (isTerminal(this.session.status)) return;
    this.finish('interrupted');
  }

  save(): SavedAgent {
    const turn = this.turn && { ...this.turn, pendingTools: [...this.turn.pendingTools.values()] };
    const deadlineInMs = this.deadlineAt === null ? null : Math.max(0, this.deadlineAt - Date.now());
    return { inbox: this.inbox, turn, deadlineInMs };
  }

  restore(saved: SavedAgent): void {
    this.inbox = saved.inbox;
    this.turn = saved.turn && { ...saved.turn, pendingTools: new Map(saved.turn.pendingTools.map((r) => [r.id, r])) };
    this.deadlineAt = saved.deadlineInMs === null ? null : Date.now() + saved.deadlineInMs;
  }

  /** Re-arms the timer a restored session's status calls for; a queued session waits for the store to start it. */
  resumeAfterRestore(): void {
    switch (this.session.status) {
      case 'pending':
        return this.schedule(this.host.options().bootMs, () => this.boot());
      case 'running':
        return this.scheduleStep();
      case 'idle': {
        // The idle window starts again: the simulator being down is not the user being silent.
        const idleS = this.session.setup.idleTimeoutS;
        return idleS === null ? undefined : this.schedule(idleS * 1000, () => this.idleLapsed());
      }
      case 'paused':
      case 'awaiting_tool_results':
        return this.schedule();
      default:
        return undefined;
    }
  }

  /** Stops the timer for good (server shutdown). */
  dispose(): void {
    this.clearTimer();
  }

  private boot(): void {
    const s = this.session;
    s.startedAt ??= new Date().toISOString();
    s.emit(ev.dispatched(), ev.agentStarted(), ev.activeState('running'));
    this.setStatus('running');
    const messages = this.inbox;
    this.inbox = [];
    this.echo(messages);
    this.beginTurn(messages);
    this.scheduleStep();
  }

  private echo(messages: UserMessage[]): void {
    this.session.emit(...messages.map((m) => ev.userMessage(m.message, m.images)));
  }

  /** The latest directive among the turn's messages governs it; the last non-empty text is the task. */
  private beginTurn(messages: UserMessage[]): void {
    const parsed = messages.map((m) => parseMessage(m.message));
    const governing = parsed.findLast((p) => p.directive || p.directiveError);
    const maxTimeS = this.session.setup.maxTimeS;
    // max_time_s is measured per turn, so an interactive session's idle wait does not count against it.
    this.deadlineAt = maxTimeS === null ? null : Date.now() + maxTimeS * 1000;
    this.turn = {
      task: parsed.findLast((p) => p.task !== '')?.task ?? '',
      directive: governing?.directive ?? {},
      directiveError: governing?.directiveError,
      workDone: 0,
      toolsRequested: false,
      pendingTools: new Map(),
      toolOutputs: [],
      forced: false,
    };
  }

  private scheduleStep(): void {
    const ms = this.turn?.directive.stepMs ?? this.host.options().stepMs;
    this.schedule(ms, () => this.tick());
  }

  /** One decide-and-act cycle. */
  private tick(): void {
    const s = this.session;
    const turn = this.turn;
    if (s.status !== 'running' || !turn) return;
    this.deliverInbox();
    // Delivering the inbox may have re-planned the turn.
    const t = this.turn ?? turn;
    const d = t.directive;
    const maxSteps = s.setup.maxSteps;
    const capReached = maxSteps !== null && s.steps >= maxSteps;
    if (t.directiveError) return this.fail(`Invalid simulator directive: ${t.directiveError}`, 'internal');
    if (t.forced) return this.answer();
    const plannedSteps = d.steps ?? this.host.options().defaultSteps;
    const moreWork = t.workDone < plannedSteps || (d.tools !== undefined && !t.toolsRequested);
    if (moreWork && capReached) return this.answerAtStepCap();
    if (t.workDone < plannedSteps) {
      t.workDone += 1;
      this.step(t);
      return this.scheduleStep();
    }
    if (d.fail !== undefined) return this.fail(d.fail, d.failCode ?? 'internal');
    if (d.timeout) return this.timeOut('The agent timed out');
    if (d.tools && !t.toolsRequested) return this.requestTools(t, d.tools);
    this.answer();
  }

  /** Messages that arrived while running are seen now; one carrying a directive re-plans the turn. */
  private deliverInbox(): void {
    if (this.inbox.length === 0) return;
    const messages = this.inbox;
    this.inbox = [];
    this.echo(messages);
    if (messages.some((m) => hasDirective(m.message))) this.beginTurn(messages);
  }

  private step(turn: Turn): void {
    const s = this.session;
    s.addStepUsage();
    const req: ToolRequest = {
      tool_name: 'navigate',
      args: { url: `https://example.com/search?q=${encodeURIComponent(turn.task.slice(0, 80))}&step=${s.steps}` },
      id: `call_${randomUUID()}`,
    };
    s.emit(ev.policy(`Step ${s.steps}: working on the task`, [req]), ev.toolResult(req, 'ok'), ev.metrics(s.metrics()));
  }

  private requestTools(turn: Turn, tools: NonNullable<Directive['tools']>): void {
    const s = this.session;
    const reqs: ToolRequest[] = tools.map((t) => ({
      tool_name: t.tool_name,
      args: t.args,
      id: `call_${randomUUID()}`,
    }));
    turn.toolsRequested = true;
    for (const r of reqs) turn.pendingTools.set(r.id, r);
    s.addStepUsage();
    s.emit(
      ev.policy('Calling custom tools', reqs),
      ev.metrics(s.metrics()),
      ev.activeState('awaiting_tool_results', reqs),
    );
    this.setStatus('awaiting_tool_results');
    this.schedule();
  }

  private turnAnswer(): Json {
    const t = this.turn;
    const d = t?.directive ?? {};
    if (d.ask !== undefined) return d.ask;
    if (d.answer !== undefined) return d.answer;
    const format = this.session.setup.answerFormat;
    if (format) return sampleAnswer(format);
    if (t && t.toolOutputs.length > 0) return JSON.stringify({ tool_results: t.toolOutputs });
    return `Answer to: ${t?.task ?? ''}`;
  }

  private emitAnswer(): void {
    const s = this.session;
    const answer = this.turnAnswer();
    const outcome = this.turn?.directive.outcome ?? 'success';
    s.latestAnswer = answer;
    s.outcome = outcome;
    s.emit(ev.answer(answer, outcome));
  }

  /** The agent answers: the session idles when interactive, else completes. */
  private answer(): void {
    const s = this.session;
    this.emitAnswer();
    this.turn = null;
    this.deadlineAt = null;
    const idleS = s.setup.idleTimeoutS;
    if (idleS === null) return this.finish('completed');
    s.emit(ev.activeState('idle'));
    this.setStatus('idle');
    this.schedule(idleS * 1000, () => this.idleLapsed());
  }

  private answerAtStepCap(): void {
    if (this.host.options().maxStepsStatus === 'completed') return this.answer();
    this.emitAnswer();
    this.finish('timed_out', `max_steps (${this.session.setup.maxSteps}) reached`);
  }

  private idleLapsed(): void {
    const status = this.host.options().idleTimeoutStatus;
    this.finish(status, status === 'timed_out' ? 'idle_timeout_s elapsed with no new message' : undefined);
  }

  private timeOut(message: string): void {
    if (this.host.options().maxTimeAnswer) this.emitAnswer();
    this.finish('timed_out', message);
  }

  private fail(message: string, code: ErrorCode): void {
    const s = this.session;
    s.error = message;
    s.errorCode = code;
    s.emit(ev.error(message, code));
    this.finish('failed');
  }

  private finish(status: 'completed' | 'failed' | 'timed_out' | 'interrupted', error?: string): void {
    const s = this.session;
    this.clearTimer();
    this.turn = null;
    this.inbox = [];
    this.deadlineAt = null;
    s.finishedAt = new Date().toISOString();
    if (status === 'timed_out') {
      s.error = error ?? 'The session timed out';
      s.errorCode = 'timeout';
    }
    if (status === 'completed') s.emit(ev.completion('finished'));
    if (status === 'timed_out') s.emit(ev.completion('timed_out'));
    if (status === 'interrupted') s.emit(ev.completion('stopped'));
    this.setStatus(status);
  }

  private setStatus(status: SessionStatusValue): void {
    const from = this.session.status;
    this.session.status = status;
    this.host.statusChanged(this.session, from);
  }

  /** Arms the one timer for `action` in `ms`, or for the max_time_s deadline if that comes first. */
  private schedule(ms: number | null = null, action?: () => void): void {
    this.clearTimer();
    const untilDeadline = this.deadlineAt === null ? null : Math.max(0, this.deadlineAt - Date.now());
    if (untilDeadline !== null && (ms === null || untilDeadline <= ms)) {
      this.armAt(Date.now() + untilDeadline, () =>
        this.timeOut(`max_time_s (${this.session.setup.maxTimeS}s) exceeded`),
      );
    } else if (ms !== null && action) {
      this.armAt(Date.now() + ms, action);
    }
  }

  /** setTimeout caps delays at about 24.8 days, so longer waits (idle_timeout_s can be large) re-arm. */
  private armAt(at: number, run: () => void): void {
    const delay = Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => (Date.now() < at ? this.armAt(at, run) : this.guard(run)), delay);
    this.timer.unref();
  }

  private guard(run: () => void): void {
    this.timer = undefined;
    try {
      run();
    } catch (err) {
      console.error(`simulator: session ${this.session.id} crashed`, err);
      if (!isTerminal(this.session.status)) this.fail('internal simulator error', 'internal');
    }
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
