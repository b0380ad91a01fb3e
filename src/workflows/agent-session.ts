// One agent session's whole life: create it on the platform, follow it transition by transition,
// deliver what people steer it with, hold its answers for approval, answer its tool calls, and return.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SessionActivities, WatchResult } from '../activities';
import type { ToolRequest, ToolResult } from '../hai/schemas';
import { isTerminalStatus } from '../hai/status';
import type { SessionInput } from '../shared/input';
import {
  progressQuery,
  type Awaiting,
  type EndedBy,
  type SessionOutcome,
  type SessionReport,
  type SessionResult,
  sessionFinishedSignal,
  type SteerAck,
  type SteerCommand,
} from '../shared/session';
import { HAI_AWAITING, HAI_SESSION_ID, HAI_STATUS } from '../temporal/search-attributes';
import { PeopleDesk } from './people';
import {
  answered,
  applyWatch,
  currentTurn,
  initialState,
  openTurnIfWaiting,
  progressOf,
  record,
  type SessionState,
} from './session-state';
import { workflowInput, type WorkflowInput } from './session-input';
import { SteeringQueue } from './steering';

// Short calls; they heartbeat while in flight, so a killed worker's call is retried within seconds.
const { createSession, steerSession, submitToolResults, notify } = proxyActivities<SessionActivities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 12 },
});

// A killed worker's watch is retried elsewhere once its heartbeat is missed for a minute; the activity
// heartbeats every 10 s and the SDK forwards about one per 48 s, so a session costs ~1 heartbeat a minute.
const { watchSession } = proxyActivities<SessionActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

// Users' tools: retried a few times, then their error goes back to the agent.
const { runTool } = proxyActivities<SessionActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 4 },
});

/** Carried over a continue-as-new. */
export interface SessionCarryOver {
  state: SessionState;
  pendingSignals: SteerCommand[];
}

const WATCH_BUDGET_MS = 20 * 60_000;
const ANSWERED_TOOL_CALLS_KEPT = 200;

/** Ends the workflow with a result, from anywhere in its code. */
class SessionEnded {
  constructor(
    readonly outcome: SessionOutcome,
    readonly endedBy: EndedBy,
    readonly error?: string,
  ) {}
}

export async function agentSession(rawInput: SessionInput, carried?: SessionCarryOver): Promise<SessionResult> {
  if (!rawInput || typeof rawInput !== 'object') {
    throw ApplicationFailure.nonRetryable('invalid session input: expected an object', 'InvalidSessionInput');
  }
  // The create activity validates the whole input and refuses an invalid one before anything is created.
  const input = workflowInput(rawInput);
  const info = workflowInfo();
  const state: SessionState = carried?.state ?? initialState(input.firstMessage);
  state.transitionsThisRun = 0;
  const now = () => new Date().toISOString();
  const note = (kind: 'rejected' | 'note', detail: string) =>
    record(state, { at: now(), eventIndex: null, kind, detail });
  let notificationsInFlight = 0;

  setHandler(progressQuery, () => progressOf(info.workflowId, state));
  const steering = new SteeringQueue(
    (command) =>
      state.phase === 'ended' ? `the session has ended (${state.status}); ${command.type} is not possible` : null,
    (command, reason) => note('rejected', `${command.type}: ${reason}`),
  );
  steering.register();
  if (carried) steering.restore(carried.pendingSignals);
  new PeopleDesk(state, steering, now, (what, reason) => note('rejected', `${what}: ${reason}`)).register();

  const deliver = async (command: SteerCommand): Promise<SteerAck> => {
    const turn = command.type === 'send' ? openTurnIfWaiting(state, command.message) : null;
    if (command.type === 'end' || command.type === 'cancel') state.endRequest = command.type;
    try {
      const { status } = await steerSession({ sessionId: state.sessionId!, command, sinceEventIndex: state.cursor });
      record(state, { at: now(), eventIndex: null, kind: 'steer', detail: command.type });
      return { command: command.type, status };
    } catch (err) {
      if (turn) state.turns.pop();
      if (command.type === 'end' || command.type === 'cancel') state.endRequest = null;
      throw ApplicationFailure.nonRetryable(`${command.type} failed: ${rootMessage(err)}`, 'SteerFailed');
    }
  };
  // The queue waits forever; its wait ends only by the workflow's cancellation, handled below.
  steering.run(() => state.sessionId !== null, deliver).catch(() => undefined);

  try {
    if (!state.sessionId) await create();
    for (;;) {
      if (shouldContinueAsNew(input, state)) {
        await condition(() => steering.idle && notificationsInFlight === 0 && allHandlersFinished());
        return await continueAsNew<typeof agentSession>(rawInput, { state, pendingSignals: steering.pendingSignals() });
      }
      const wasWaiting = state.phase === 'awaiting_input';
      const before = state.status;
      const watched = await watch();
      if (watched === 'reply_timeout') {
        await endPlatformSession();
        throw new SessionEnded('completed', 'reply_timeout');
      }
      applyWatch(state, watched);
      await forceAnswerOverBudget();
      setCurrentDetails(`**${state.status}** · ${state.steps} steps · turn ${currentTurn(state).index + 1}`);
      if (state.status !== before) upsertSearchAttributes([{ key: HAI_STATUS, value: state.status }]);

      if (state.status === 'awaiting_tool_results' && watched.pendingToolCalls) {
        await answerToolCalls(watched.pendingToolCalls);
        continue;
      }
      const settledWithAnswer =
        (state.status === 'idle' || state.status === 'completed') && answered(currentTurn(state));
      if (input.approval && settledWithAnswer && !state.endRequest) {
        await holdForApproval(input.approval);
        continue;
      }
      if (isTerminalStatus(state.status)) {
        const idleLapsed = wasWaiting && (state.status === 'completed' || state.status === 'timed_out');
        const by: EndedBy =
          state.endRequest ?? (idleLapsed ? 'idle_timeout' : state.status === 'interrupted' ? 'platform' : 'agent');
        throw new SessionEnded(outcomeOf(state.status, by), by);
      }
      if (state.status === 'idle' && !wasWaiting) startAwaiting({ kind: 'input', answer: currentTurn(state).answer });
      if (state.status !== 'idle') clearAwaiting();
    }
  } catch (err) {
    if (err instanceof SessionEnded) return finish(err);
    if (isCancellation(err) && state.sessionId && !isTerminalStatus(state.status)) {
      const sessionId = state.sessionId;
      await CancellationScope.nonCancellable(() =>
        steerSession({ sessionId, command: { type: 'cancel', reason: 'workflow cancelled' } }),
      );
    }
    await CancellationScope.nonCancellable(() =>
      report(
        isCancellation(err) ? 'cancelled' : 'failed',
        isCancellation(err) ? 'workflow cancelled' : rootMessage(err),
      ),
    );
    throw err;
  }

  /** Tells the workflow named in `reportTo` (a batch) how the session ended; a closed receiver is not an error. */
  async function report(status: SessionReport['status'], error: string | null): Promise<void> {
    if (!input.reportTo) return;
    const usage = state.usage.reduce((n, u) => n + (u.input_tokens ?? 0) + (u.output_tokens ?? 0), 0);
    const answeredTurns = state.turns.filter(answered);
    const summary: SessionReport = {
      key: input.reportTo.key,
      workflowId: info.workflowId,
      sessionId: state.sessionId,
      status,
      answerValid: answeredTurns[answeredTurns.length - 1]?.answerValid ?? null,
      steps: state.steps,
      tokens: usage,
      costUsd: state.costUsd ?? null,
      error,
    };
    await getExternalWorkflowHandle(input.reportTo.workflowId)
      .signal(sessionFinishedSignal, summary)
      .catch((e) =>
        log.warn('could not report the session outcome', { to: input.reportTo?.workflowId, error: rootMessage(e) }),
      );
  }

  /** Past its cost limit, a session is asked for its final answer, once. */
  async function forceAnswerOverBudget(): Promise<void> {
    const limit = input.maxCostUsd;
    if (limit === undefined || state.costLimitForced || (state.costUsd ?? 0) < limit) return;
    if (isTerminalStatus(state.status) || state.status === 'idle') return;
    state.costLimitForced = true;
    note('note', `cost ${state.costUsd} USD passed the limit of ${limit} USD: forcing an answer`);
    await deliver({ type: 'forceAnswer' }).catch((e) => note('note', `force answer failed: ${rootMessage(e)}`));
  }

  async function create(): Promise<void> {
    // Not cancellable: a session the platform created must be known, so that cleanup can cancel it.
    const created = await CancellationScope.nonCancellable(() =>
      createSession({ workflowId: info.workflowId, firstRunId: info.firstExecutionRunId, input: rawInput }),
    ).catch((err) => {
      throw ApplicationFailure.nonRetryable(
        `could not create the platform session: ${rootMessage(err)}`,
        'CreateFailed',
      );
    });
    state.sessionId = created.sessionId;
    state.agentViewUrl = created.agentViewUrl;
    // A create retried after a crash may find the session already ended; its events must still be read.
    state.status = isTerminalStatus(created.status) ? 'creating' : created.status;
    state.phase = 'running';
    record(state, { at: now(), eventIndex: null, kind: 'created', status: created.status, detail: created.sessionId });
    upsertSearchAttributes([
      { key: HAI_SESSION_ID, value: created.sessionId },
      { key: HAI_STATUS, value: created.status },
    ]);
  }

  /** Watches for the next transition; an interactive session waiting for a reply may time out instead. */
  async function watch(): Promise<WatchResult | 'reply_timeout'> {
    const scope = new CancellationScope();
    const watching = scope.run(() =>
      watchSession({
        sessionId: state.sessionId!,
        cursor: state.cursor,
        status: state.status,
        answerSchema: input.answerSchema,
        budgetMs: WATCH_BUDGET_MS,
        ...(input.maxCostUsd !== undefined && !state.costLimitForced ? { returnAtCostUsd: input.maxCostUsd } : {}),
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
        state.audit.push({ at: now(), turn: currentTurn(state).index, kind: 'timeout', by: 'timeout', applied: 'end' });
        return 'reply_timeout';
      }
    }
    try {
      return await watching;
    } catch (err) {
      if (isCancellation(err)) throw err;
      throw new SessionEnded('failed', 'platform', `lost track of the platform session: ${rootMessage(err)}`);
    }
  }

  function startAwaiting(awaiting: Omit<Awaiting, 'since' | 'turn'>): void {
    const turn = currentTurn(state).index;
    state.awaiting = { ...awaiting, since: now(), turn };
    upsertSearchAttributes([{ key: HAI_AWAITING, value: awaiting.kind }]);
    // One notice per waiting period: the activity's result is in history, so a restart does not repeat it.
    const deliveryId = `${info.workflowId}:${awaiting.kind}:${turn}:${awaiting.round ?? awaiting.toolCallId ?? 0}`;
    notificationsInFlight++;
    notify({
      url: input.notifyUrl,
      deliveryId,
      workflowId: info.workflowId,
      sessionId: state.sessionId,
      awaiting: state.awaiting,
    })
      .catch((err) => note('note', `notification failed: ${rootMessage(err)}`))
      .finally(() => notificationsInFlight--);
  }

  function clearAwaiting(): void {
    if (!state.awaiting) return;
    state.awaiting = null;
    upsertSearchAttributes([{ key: HAI_AWAITING, value: null }]);
  }

  async function endPlatformSession(): Promise<void> {
    if (isTerminalStatus(state.status)) return;
    state.status = (await steerSession({ sessionId: state.sessionId!, command: { type: 'end' } })).status;
  }

  /** Waits until `done()` or a person ends or cancels the session; false when the timeout ran out first. */
  async function waitForPerson(done: () => boolean, timeout: number | undefined): Promise<boolean> {
    const settled = () => done() || state.endRequest !== null;
    const inTime = timeout === undefined ? (await condition(settled), true) : await condition(settled, timeout);
    if (state.endRequest) {
      // The cancel or end was delivered to the platform already; read how it ended.
      throw new SessionEnded(state.endRequest === 'cancel' ? 'cancelled' : 'completed', state.endRequest);
    }
    return inTime;
  }

  /** Holds the current answer until a person approves or rejects it, or the timeout decides. */
  async function holdForApproval(approval: NonNullable<WorkflowInput['approval']>): Promise<void> {
    state.round += 1;
    state.decision = null;
    state.phase = 'awaiting_approval';
    startAwaiting({ kind: 'approval', round: state.round, answer: currentTurn(state).answer });
    const decided = await waitForPerson(() => state.decision !== null, approval.timeout);
    clearAwaiting();
    const turn = currentTurn(state).index;
    if (!decided) {
      state.audit.push({ at: now(), turn, kind: 'timeout', by: 'timeout', applied: approval.onTimeout });
      if (approval.onTimeout === 'cancel') {
        await endPlatformSession();
        throw new SessionEnded('cancelled', 'approval_timeout');
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
        await deliver({ type: 'send', message: decision.feedback });
        state.phase = 'running';
        return;
      } catch (err) {
        // The platform may have ended the idle session meanwhile: the rejection stands, without another round.
        note('note', `feedback not delivered: ${rootMessage(err)}`);
      }
    }
    await endPlatformSession();
    throw new SessionEnded(decision.kind === 'approved' ? 'completed' : 'rejected', by);
  }

  /** Runs the agent's tool calls (users' tools as activities, ask_human through a person) and posts all results at once. */
  async function answerToolCalls(calls: ToolRequest[]): Promise<void> {
    const fresh = calls.filter((c) => !c.id || !state.answeredToolCalls.includes(c.id));
    const results: ToolResult[] = await Promise.all(
      fresh.filter((c) => c.tool_name !== 'ask_human').map((call) => runToolCall(call)),
    );
    for (const call of fresh.filter((c) => c.tool_name === 'ask_human')) results.push(await askHuman(call));
    if (results.length === 0) return;
    await submitToolResults({ sessionId: state.sessionId!, results });
    state.answeredToolCalls.push(...fresh.flatMap((c) => (c.id ? [c.id] : [])));
    state.answeredToolCalls.splice(0, Math.max(0, state.answeredToolCalls.length - ANSWERED_TOOL_CALLS_KEPT));
    record(state, { at: now(), eventIndex: null, kind: 'note', detail: `answered ${results.length} tool call(s)` });
  }

  async function runToolCall(call: ToolRequest): Promise<ToolResult> {
    try {
      const result = await runTool({ sessionId: state.sessionId!, call });
      return { kind: 'tool_result', tool_req: call, result };
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('tool call failed', { tool: call.tool_name, error: rootMessage(err) });
      return { kind: 'error_event', error: rootMessage(err), origin: 'client', tool_req: call };
    }
  }

  async function askHuman(call: ToolRequest): Promise<ToolResult> {
    const id = call.id ?? `ask-${state.cursor}`;
    const question = typeof call.args?.question === 'string' ? call.args.question : JSON.stringify(call.args ?? {});
    startAwaiting({ kind: 'input', answer: question, toolCallId: id });
    state.phase = 'awaiting_input';
    const replied = await waitForPerson(() => state.toolReplies[id] !== undefined, input.replyTimeout);
    clearAwaiting();
    state.phase = 'awaiting_tools';
    if (!replied) {
      state.audit.push({ at: now(), turn: currentTurn(state).index, kind: 'timeout', by: 'timeout', applied: 'end' });
      await endPlatformSession();
      throw new SessionEnded('completed', 'reply_timeout');
    }
    const reply = state.toolReplies[id]!;
    delete state.toolReplies[id];
    return { kind: 'tool_result', tool_req: call, result: reply };
  }

  async function finish(end: SessionEnded): Promise<SessionResult> {
    state.phase = 'ended';
    clearAwaiting();
    await condition(() => allHandlersFinished() && notificationsInFlight === 0);
    const answeredTurns = state.turns.filter(answered);
    const last = answeredTurns[answeredTurns.length - 1];
    await report(end.outcome, end.error ?? state.error);
    return {
      workflowId: info.workflowId,
      sessionId: state.sessionId ?? '',
      status: end.outcome,
      platformStatus: state.status,
      endedBy: end.endedBy,
      answer: last?.answer ?? null,
      outcome: last?.outcome ?? state.outcome,
      answerValid: last?.answerValid ?? null,
      ...(last?.answerErrors ? { answerErrors: last.answerErrors } : {}),
      steps: state.steps,
      usage: state.usage,
      error: end.error ?? state.error,
      errorCode: state.errorCode,
      turns: state.turns,
      agentViewUrl: state.agentViewUrl,
      events: state.cursor,
      audit: state.audit,
      costUsd: state.costUsd ?? null,
    };
  }
}

function outcomeOf(status: string, by: EndedBy): SessionOutcome {
  if (by === 'cancel') return 'cancelled';
  if (by === 'end' || by === 'idle_timeout') return 'completed';
  if (status === 'interrupted') return 'cancelled';
  if (status === 'failed' || status === 'timed_out') return status;
  return 'completed';
}

function shouldContinueAsNew(input: WorkflowInput, state: SessionState): boolean {
  if (workflowInfo().continueAsNewSuggested) return true;
  return input.continueAsNewEvery !== undefined && state.transitionsThisRun >= input.continueAsNewEvery;
}

/** The innermost message of a failure chain: what the platform or the activity actually said. */
function rootMessage(err: unknown): string {
  let current: unknown = err;
  while ((current instanceof ActivityFailure || current instanceof ApplicationFailure) && current.cause)
    current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
