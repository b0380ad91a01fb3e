// The steps of a session workflow. Each step returns how the session goes on: null to keep following it, or
// the Ending that the workflow returns. Deterministic code only: what talks to the outside is an activity.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { WatchResult } from '../activities';
import type { ToolRequest, ToolResult } from '../hai/schemas';
import { isTerminalStatus } from '../hai/status';
import type { SessionInput } from '../shared/input';
import {
  followQuery,
  progressQuery,
  sessionFinishedSignal,
  type Awaiting,
  type EndedBy,
  type SessionOutcome,
  type SessionReport,
  type SessionResult,
  type SteerAck,
  type SteerCommand,
} from '../shared/session';
import { rootCause } from '../shared/root-cause';
import { HAI_AWAITING, HAI_SESSION_ID, HAI_STATUS } from '../temporal/search-attributes';
import { currentDetails } from './details';
import { PeopleDesk } from './people';
import {
  checkAnswers,
  createSession,
  createSessionInWorkflowTask,
  notify,
  runTool,
  steerSession,
  submitToolResults,
  watchSession,
  leanWatchSession,
} from './session-activities';
import { answered, type Ending, type SessionState } from './session-state';
import type { WorkflowInput } from './session-input';
import { SteeringQueue } from './steering';

const WATCH_BUDGET_MS = 20 * 60_000;
const ANSWERS_CHECKED_APART = 'answers-checked-apart';
const NOTICES_DO_NOT_HOLD_THE_END = 'notices-do-not-hold-the-end';
const NOTICE_WAIT_AT_END = '10 seconds';
const CREATE_IN_WORKFLOW_TASK = 'create-in-workflow-task';
const CREATE_MID_TURN_IS_A_CHANGE = 'create-mid-turn-is-a-change';
const STARTING: ReadonlySet<string> = new Set(['pending', 'queued', 'running']);
// A lean watch follows the status alone while only the agent can move it. A session waiting for the workflow (idle,
// tool results) is followed by its events: what the workflow sends could take it round and back to the same status
// between two sweeps, unseen.
const AGENT_AT_WORK: ReadonlySet<string> = new Set([...STARTING, 'paused']);

const now = () => new Date().toISOString();

/**
 * For a patch whose new branch every run of the code of `CREATE_IN_WORKFLOW_TASK` takes: such a run records no marker
 * for it, and a replay meets the marker of the runs that did record one. A marker recorded right after the create's
 * local activity is not safe: when a query is answered while the activity's result waits for the workflow, sdk-core
 * 1.24 closes the workflow task with the activity's marker, the marker lands in the next task, and no replay finds
 * it where the run asked for it (RELIABILITY.md, "a patch marker after a local activity").
 */
function replayRecordedPatch(patchId: string): void {
  if (workflowInfo().unsafe.isReplaying) patched(patchId);
}

export class SessionRun {
  private readonly info = workflowInfo();
  private readonly steering: SteeringQueue;
  private notificationsInFlight = 0;

  constructor(
    private readonly input: WorkflowInput,
    readonly state: SessionState,
    /**
     * This run is of the code that records `CREATE_IN_WORKFLOW_TASK`: it created its session so (set by `create`), or
     * a run of that code carried over to it. Every change patched before that code is then taken without a marker.
     */
    private ofCreateInWorkflowTask = false,
  ) {
    this.steering = new SteeringQueue(
      (command) => this.refusal(command),
      (command, reason) => this.state.note(now(), 'rejected', `${command.type}: ${reason}`),
    );
  }

  registerHandlers(): void {
    setHandler(progressQuery, () => this.state.progress(this.info.workflowId));
    setHandler(followQuery, (since) => this.state.follow(since));
    this.steering.register();
    new PeopleDesk(this.state, this.steering, now, (what, reason) =>
      this.state.note(now(), 'rejected', `${what}: ${reason}`),
    ).register();
    // The queue waits forever; its wait ends only by the workflow's cancellation, handled in `failed`.
    this.steering
      .run(
        () => this.state.sessionId !== null,
        (c) => this.deliver(c),
      )
      .catch(() => undefined);
  }

  async create(rawInput: SessionInput): Promise<void> {
    // Not cancellable: a session the platform created must be known, so that cleanup can cancel it.
    const args = { workflowId: this.info.workflowId, firstRunId: this.info.firstExecutionRunId, input: rawInput };
    // First try inside this workflow task; an error worth retrying goes to the create activity, whose attempts and
    // reasons Temporal shows. Both send the same idempotency key: however they end, one platform session.
    this.ofCreateInWorkflowTask = patched(CREATE_IN_WORKFLOW_TASK);
    const created = await CancellationScope.nonCancellable(async () => {
      if (!this.ofCreateInWorkflowTask) return createSession(args);
      try {
        return await createSessionInWorkflowTask(args);
      } catch (err) {
        const failure = err instanceof ActivityFailure ? err.cause : err;
        if (failure instanceof ApplicationFailure && failure.nonRetryable) throw err;
        return createSession(args);
      }
    }).catch((err) => {
      throw ApplicationFailure.nonRetryable(`could not create the platform session: ${rootCause(err)}`, 'CreateFailed');
    });
    // A create that finds its session mid-turn (a retry after a crash) reports it as a change. That came with the
    // create in the workflow task, so runs created by that code need no marker of their own for it.
    const midTurn = !STARTING.has(created.status) && !isTerminalStatus(created.status) && this.ofCreateInWorkflowTask;
    if (midTurn) replayRecordedPatch(CREATE_MID_TURN_IS_A_CHANGE);
    this.state.sessionCreated(created, now(), midTurn);
    upsertSearchAttributes([
      { key: HAI_SESSION_ID, value: created.sessionId },
      { key: HAI_STATUS, value: created.status },
    ]);
  }

  /** Answers were checked apart before the create moved into the workflow task. */
  private checksAnswersApart(): boolean {
    if (!this.ofCreateInWorkflowTask) return patched(ANSWERS_CHECKED_APART);
    replayRecordedPatch(ANSWERS_CHECKED_APART);
    return true;
  }

  continueAsNewDue(): boolean {
    if (workflowInfo().continueAsNewSuggested) return true;
    const every = this.input.continueAsNewEvery;
    return every !== undefined && this.state.transitionsThisRun >= every;
  }

  /** Nothing in flight: every steering command delivered, every notice sent, every handler done. */
  async quiesced(): Promise<void> {
    await condition(() => this.steering.idle && this.notificationsInFlight === 0 && allHandlersFinished());
  }

  /** Follows the session to its next transition and acts on it. */
  async nextTransition(): Promise<Ending | null> {
    const { state } = this;
    const wasWaiting = state.phase === 'awaiting_input';
    const before = state.status;
    const watched = await this.watch();
    if ('endedBy' in watched) return watched;
    state.applyWatch(watched);
    // Awaited only when due: an extra await would reorder this step's commands against update completions.
    if (this.overBudget()) await this.forceAnswerOverBudget();
    this.showDetails();
    if (state.status !== before) upsertSearchAttributes([{ key: HAI_STATUS, value: state.status }]);

    if (state.status === 'awaiting_tool_results' && watched.pendingToolCalls) {
      return this.answerToolCalls(watched.pendingToolCalls);
    }
    const settledWithAnswer = (state.status === 'idle' || state.status === 'completed') && answered(state.currentTurn);
    if (this.input.approval && settledWithAnswer && !state.endRequest) return this.holdForApproval();
    if (isTerminalStatus(state.status)) {
      const idleLapsed = wasWaiting && (state.status === 'completed' || state.status === 'timed_out');
      const by: EndedBy =
        state.endRequest ?? (idleLapsed ? 'idle_timeout' : state.status === 'interrupted' ? 'platform' : 'agent');
      return this.ended({ outcome: outcomeOf(state.status, by), endedBy: by });
    }
    if (state.status === 'idle' && !wasWaiting) this.startAwaiting({ kind: 'input', answer: state.currentTurn.answer });
    if (state.status !== 'idle') this.clearAwaiting();
    return null;
  }

  async finish(ending: Ending): Promise<SessionResult> {
    // Wait for a notice in flight, so the workflow does not complete while its activity completes (the server would
    // fail that task, and abort an update riding it), but not for long: a receiver that is down must not hold up the
    // result. Histories recorded before this waited for the notice without a limit, and replay the same way.
    const noticesDone = () => this.notificationsInFlight === 0;
    // A run of the code that creates in the workflow task needs no marker of its own for it (two history events less).
    const boundedWait = this.ofCreateInWorkflowTask || patched(NOTICES_DO_NOT_HOLD_THE_END);
    if (boundedWait && !noticesDone()) await condition(noticesDone, NOTICE_WAIT_AT_END);
    await condition(() => allHandlersFinished() && (boundedWait || noticesDone()));
    await this.report(ending.outcome, ending.error ?? this.state.error);
    return this.state.result(this.info.workflowId, ending);
  }

  /** Cleans up after a failure or a cancellation of the workflow, and gives back what to throw. */
  async failed(err: unknown): Promise<unknown> {
    const cancelled = isCancellation(err);
    const { sessionId } = this.state;
    if (cancelled && sessionId && !isTerminalStatus(this.state.status)) {
      await CancellationScope.nonCancellable(() =>
        steerSession({ sessionId, command: { type: 'cancel', reason: 'workflow cancelled' } }),
      );
    }
    await CancellationScope.nonCancellable(() =>
      this.report(cancelled ? 'cancelled' : 'failed', cancelled ? 'workflow cancelled' : rootCause(err)),
    );
    return err;
  }

  /**
   * Marks the session ended, at once: in the same step as the transition that ended it, so that commands keep
   * the order of histories recorded when this was an exception caught by the workflow function.
   */
  private ended(ending: Ending): Ending {
    this.state.end(ending);
    this.clearAwaiting();
    this.showDetails();
    return ending;
  }

  /** What the Web UI shows as the session's current details; metadata only, no command. */
  private showDetails(): void {
    setCurrentDetails(currentDetails(this.state, this.info.workflowId, this.input.approval?.maxRounds));
  }

  /** Why a steering command cannot be taken now, or null when it can. */
  private refusal(command: SteerCommand): string | null {
    const { state } = this;
    if (state.phase === 'ended') return `the session has ended (${state.status}); ${command.type} is not possible`;
    if (command.type === 'send' && state.phase === 'awaiting_approval') {
      // Delivering it would make the agent answer again while the held answer waits: one of the two would be lost.
      return (
        `the answer of turn ${state.currentTurn.index + 1} awaits a decision: approve it, or reject it ` +
        'with feedback to send the agent a message'
      );
    }
    return null;
  }

  private async deliver(command: SteerCommand): Promise<SteerAck> {
    const { state } = this;
    const turn = command.type === 'send' ? state.openTurnIfWaiting(command.message) : null;
    if (command.type === 'end' || command.type === 'cancel') state.endRequest = command.type;
    try {
      const { status } = await steerSession({ sessionId: state.sessionId!, command, sinceEventIndex: state.cursor });
      state.record({ at: now(), eventIndex: null, kind: 'steer', detail: command.type });
      return { command: command.type, status };
    } catch (err) {
      if (turn) state.dropTurn(turn);
      if (command.type === 'end' || command.type === 'cancel') state.endRequest = null;
      throw ApplicationFailure.nonRetryable(`${command.type} failed: ${rootCause(err)}`, 'SteerFailed');
    }
  }

  /**
   * Watches for the next transition. An interactive session waiting for a reply may time out instead, and a
   * session the platform no longer knows fails: both are Endings.
   */
  private async watch(): Promise<WatchResult | Ending> {
    const { state, input } = this;
    const scope = new CancellationScope();
    // Older histories sent the answer schema with every watch; newer runs check answers apart, once per answer.
    const checkedApart = input.answerSchema !== undefined && this.checksAnswersApart();
    const lean = input.lean && AGENT_AT_WORK.has(state.status);
    const watching = scope.run(() =>
      (lean ? leanWatchSession(input.leanTakeoverAfterMs) : watchSession)({
        sessionId: state.sessionId!,
        cursor: state.cursor,
        status: state.status,
        ...(checkedApart ? {} : { answerSchema: input.answerSchema }),
        budgetMs: WATCH_BUDGET_MS,
        ...(input.maxCostUsd !== undefined && !state.costLimitForced ? { returnAtCostUsd: input.maxCostUsd } : {}),
        ...(lean ? { mode: 'lean' as const } : {}),
      }),
    );
    const waitingFor = state.phase === 'awaiting_input' ? input.replyTimeout : undefined;
    if (waitingFor !== undefined) {
      const turns = state.turns.length;
      const timer = new CancellationScope();
      const replyInTime = timer.run(() => condition(() => state.turns.length > turns, waitingFor));
      const replied = await Promise.race([watching.then(() => true), replyInTime]).catch(() => true);
      timer.cancel();
      replyInTime.catch(() => undefined);
      if (!replied) {
        scope.cancel();
        await watching.catch(() => undefined);
        state.addAudit({ at: now(), turn: state.currentTurn.index, kind: 'timeout', by: 'timeout', applied: 'end' });
        await this.endPlatformSession();
        return this.ended({ outcome: 'completed', endedBy: 'reply_timeout' });
      }
    }
    try {
      const watched = await watching;
      return checkedApart ? await this.checked(watched) : watched;
    } catch (err) {
      if (isCancellation(err)) throw err;
      return this.ended({
        outcome: 'failed',
        endedBy: 'platform',
        error: `lost track of the platform session: ${rootCause(err)}`,
      });
    }
  }

  private overBudget(): boolean {
    const { state } = this;
    const limit = this.input.maxCostUsd;
    if (limit === undefined || state.costLimitForced || (state.costUsd ?? 0) < limit) return false;
    return !isTerminalStatus(state.status) && state.status !== 'idle';
  }

  /** The watch's answers with their check against the answer schema. */
  private async checked(watched: WatchResult): Promise<WatchResult> {
    const answerSchema = this.input.answerSchema!;
    const all = [...watched.answers, ...(watched.latestAnswer ? [watched.latestAnswer] : [])];
    if (all.length === 0) return watched;
    const checked = await checkAnswers({ answerSchema, answers: all });
    return {
      ...watched,
      answers: checked.slice(0, watched.answers.length),
      latestAnswer: watched.latestAnswer ? checked[watched.answers.length]! : null,
    };
  }

  /** Past its cost limit, a session is asked for its final answer, once. */
  private async forceAnswerOverBudget(): Promise<void> {
    const { state } = this;
    const limit = this.input.maxCostUsd;
    state.costLimitForced = true;
    state.note(now(), 'note', `cost ${state.costUsd} USD passed the limit of ${limit} USD: forcing an answer`);
    await this.deliver({ type: 'forceAnswer' }).catch((e) =>
      state.note(now(), 'note', `force answer failed: ${rootCause(e)}`),
    );
  }

  private startAwaiting(awaiting: Omit<Awaiting, 'since' | 'turn'>): void {
    const { state, info } = this;
    const held = state.startAwaiting(awaiting, now());
    upsertSearchAttributes([{ key: HAI_AWAITING, value: awaiting.kind }]);
    this.showDetails();
    // One notice per waiting period: the activity's result is in history, so a restart does not repeat it.
    const deliveryId = `${info.workflowId}:${awaiting.kind}:${held.turn}:${awaiting.round ?? awaiting.toolCallId ?? 0}`;
    this.notificationsInFlight++;
    // Never cancelled: a cancel command racing the notice's own completion made the server fail the workflow task
    // (and with it an update being decided). The session does not wait for it to end.
    notify({
      url: this.input.notifyUrl,
      deliveryId,
      workflowId: info.workflowId,
      sessionId: state.sessionId,
      awaiting: held,
    })
      .catch((err) => state.note(now(), 'note', `notification failed: ${rootCause(err)}`))
      .finally(() => this.notificationsInFlight--);
  }

  private clearAwaiting(): void {
    if (!this.state.awaiting) return;
    this.state.awaiting = null;
    upsertSearchAttributes([{ key: HAI_AWAITING, value: null }]);
    this.showDetails();
  }

  private async endPlatformSession(): Promise<void> {
    if (isTerminalStatus(this.state.status)) return;
    this.state.status = (await steerSession({ sessionId: this.state.sessionId!, command: { type: 'end' } })).status;
  }

  /**
   * Waits until `done()` or a person ends or cancels the session. Returns 'in_time' or 'timed_out', or the
   * Ending when a person ended the session meanwhile (the cancel or end was delivered to the platform already).
   */
  private async waitForPerson(
    done: () => boolean,
    timeout: number | undefined,
  ): Promise<'in_time' | 'timed_out' | Ending> {
    const settled = () => done() || this.state.endRequest !== null;
    const inTime = timeout === undefined ? (await condition(settled), true) : await condition(settled, timeout);
    const request = this.state.endRequest;
    if (request) return this.ended({ outcome: request === 'cancel' ? 'cancelled' : 'completed', endedBy: request });
    return inTime ? 'in_time' : 'timed_out';
  }

  /** Holds the current answer until a person approves or rejects it, or the timeout decides. */
  private async holdForApproval(): Promise<Ending | null> {
    const { state } = this;
    const approval = this.input.approval!;
    state.round += 1;
    state.decision = null;
    state.phase = 'awaiting_approval';
    this.startAwaiting({ kind: 'approval', round: state.round, answer: state.currentTurn.answer });
    const waited = await this.waitForPerson(() => state.decision !== null, approval.timeout);
    if (typeof waited === 'object') return waited;
    this.clearAwaiting();
    const decided = waited === 'in_time';
    if (!decided) {
      const turn = state.currentTurn.index;
      state.addAudit({ at: now(), turn, kind: 'timeout', by: 'timeout', applied: approval.onTimeout });
      if (approval.onTimeout === 'cancel') {
        await this.endPlatformSession();
        return this.ended({ outcome: 'cancelled', endedBy: 'approval_timeout' });
      }
      state.decision =
        approval.onTimeout === 'approve'
          ? { kind: 'approved', by: 'timeout', at: now() }
          : { kind: 'rejected', by: 'timeout', at: now(), reason: 'no decision in time' };
    }
    const decision = state.decision!;
    const by: EndedBy = decided ? (decision.kind === 'approved' ? 'approval' : 'rejection') : 'approval_timeout';
    if (
      decision.kind === 'rejected' &&
      decision.feedback &&
      state.status === 'idle' &&
      state.round < approval.maxRounds
    ) {
      state.phase = 'awaiting_input';
      try {
        await this.deliver({ type: 'send', message: decision.feedback });
        state.phase = 'running';
        return null;
      } catch (err) {
        // The platform may have ended the idle session meanwhile: the rejection stands, without another round.
        state.note(now(), 'note', `feedback not delivered: ${rootCause(err)}`);
      }
    }
    await this.endPlatformSession();
    return this.ended({ outcome: decision.kind === 'approved' ? 'completed' : 'rejected', endedBy: by });
  }

  /** Runs the agent's tool calls (users' tools as activities, ask_human through a person) and posts all results at once. */
  private async answerToolCalls(calls: ToolRequest[]): Promise<Ending | null> {
    const { state } = this;
    const fresh = calls.filter((c) => !c.id || !state.answeredToolCalls.includes(c.id));
    const results: ToolResult[] = await Promise.all(
      fresh.filter((c) => c.tool_name !== 'ask_human').map((call) => this.runToolCall(call)),
    );
    for (const call of fresh.filter((c) => c.tool_name === 'ask_human')) {
      const asked = await this.askHuman(call);
      if ('ending' in asked) return asked.ending;
      results.push(asked.result);
    }
    if (results.length === 0) return null;
    await submitToolResults({ sessionId: state.sessionId!, results });
    state.toolCallsAnswered(fresh.flatMap((c) => (c.id ? [c.id] : [])));
    state.record({ at: now(), eventIndex: null, kind: 'note', detail: `answered ${results.length} tool call(s)` });
    return null;
  }

  private async runToolCall(call: ToolRequest): Promise<ToolResult> {
    try {
      const result = await runTool({ sessionId: this.state.sessionId!, call });
      return { kind: 'tool_result', tool_req: call, result };
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('tool call failed', { tool: call.tool_name, error: rootCause(err) });
      return { kind: 'error_event', error: rootCause(err), origin: 'client', tool_req: call };
    }
  }

  private async askHuman(call: ToolRequest): Promise<{ result: ToolResult } | { ending: Ending }> {
    const { state } = this;
    const id = call.id ?? `ask-${state.cursor}`;
    const question = typeof call.args?.question === 'string' ? call.args.question : JSON.stringify(call.args ?? {});
    this.startAwaiting({ kind: 'input', answer: question, toolCallId: id });
    state.phase = 'awaiting_input';
    const waited = await this.waitForPerson(() => state.toolReplies[id] !== undefined, this.input.replyTimeout);
    if (typeof waited === 'object') return { ending: waited };
    this.clearAwaiting();
    state.phase = 'awaiting_tools';
    if (waited === 'timed_out') {
      state.addAudit({ at: now(), turn: state.currentTurn.index, kind: 'timeout', by: 'timeout', applied: 'end' });
      await this.endPlatformSession();
      return { ending: this.ended({ outcome: 'completed', endedBy: 'reply_timeout' }) };
    }
    const reply = state.toolReplies[id]!;
    delete state.toolReplies[id];
    return { result: { kind: 'tool_result', tool_req: call, result: reply } };
  }

  /** Tells the workflow named in `reportTo` (a batch) how the session ended; a closed receiver is not an error. */
  private async report(status: SessionReport['status'], error: string | null): Promise<void> {
    const to = this.input.reportTo;
    if (!to) return;
    const { state } = this;
    const answeredTurns = state.turns.filter(answered);
    const summary: SessionReport = {
      key: to.key,
      workflowId: this.info.workflowId,
      sessionId: state.sessionId,
      status,
      answerValid: answeredTurns[answeredTurns.length - 1]?.answerValid ?? null,
      steps: state.steps,
      tokens: state.usage.reduce((n, u) => n + (u.input_tokens ?? 0) + (u.output_tokens ?? 0), 0),
      costUsd: state.costUsd,
      error,
    };
    await getExternalWorkflowHandle(to.workflowId)
      .signal(sessionFinishedSignal, summary)
      .catch((e) => log.warn('could not report the session outcome', { to: to.workflowId, error: rootCause(e) }));
  }
}

function outcomeOf(status: string, by: EndedBy): SessionOutcome {
  if (by === 'cancel') return 'cancelled';
  if (by === 'end' || by === 'idle_timeout') return 'completed';
  if (status === 'interrupted') return 'cancelled';
  if (status === 'failed' || status === 'timed_out') return status;
  return 'completed';
}
