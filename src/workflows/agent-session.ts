// One agent session's whole life: create it on the platform, follow it transition by transition,
// deliver what people steer it with, and return its answer.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import type { SessionActivities, WatchResult } from '../activities';
import { isTerminalStatus } from '../hai/status';
import { parseSessionInput, type SessionInput, type ValidSessionInput } from '../shared/input';
import { HAI_SESSION_ID, HAI_STATUS } from '../temporal/search-attributes';
import {
  progressQuery,
  type EndedBy,
  type SessionOutcome,
  type SessionResult,
  type SteerAck,
  type SteerCommand,
} from '../shared/session';
import {
  applyWatch,
  currentTurn,
  initialState,
  openTurnIfWaiting,
  progressOf,
  record,
  type SessionState,
} from './session-state';
import { SteeringQueue } from './steering';

// Short calls; they heartbeat while in flight, so a killed worker's call is retried within seconds.
const { createSession, steerSession } = proxyActivities<SessionActivities>({
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

/** Carried over a continue-as-new. */
export interface SessionCarryOver {
  state: SessionState;
  pendingSignals: SteerCommand[];
}

const WATCH_BUDGET_MS = 20 * 60_000;

export async function agentSession(rawInput: SessionInput, carried?: SessionCarryOver): Promise<SessionResult> {
  const parsed = parseSessionInput(rawInput);
  if (!parsed.ok)
    throw ApplicationFailure.nonRetryable(`invalid session input: ${parsed.error}`, 'InvalidSessionInput');
  const input = parsed.value;
  const info = workflowInfo();
  const state: SessionState = carried?.state ?? initialState(input.task ?? input.messages?.[0]?.message ?? null);
  state.transitionsThisRun = 0;
  const now = () => new Date().toISOString();

  setHandler(progressQuery, () => progressOf(info.workflowId, state));
  const steering = new SteeringQueue(
    (command) =>
      state.phase === 'ended' ? `the session has ended (${state.status}); ${command.type} is not possible` : null,
    (command, reason) =>
      record(state, { at: now(), eventIndex: null, kind: 'rejected', detail: `${command.type}: ${reason}` }),
  );
  steering.register();
  if (carried) steering.restore(carried.pendingSignals);

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
    if (!state.sessionId) {
      // Not cancellable: a session the platform created must be known, so that cleanup can cancel it.
      const created = await CancellationScope.nonCancellable(() =>
        createSession({ workflowId: info.workflowId, firstRunId: info.firstExecutionRunId, input }),
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
      record(state, {
        at: now(),
        eventIndex: null,
        kind: 'created',
        status: created.status,
        detail: created.sessionId,
      });
      upsertSearchAttributes([
        { key: HAI_SESSION_ID, value: created.sessionId },
        { key: HAI_STATUS, value: created.status },
      ]);
    }

    while (!isTerminalStatus(state.status)) {
      if (shouldContinueAsNew(input, state)) {
        await condition(() => steering.idle && allHandlersFinished());
        return await continueAsNew<typeof agentSession>(rawInput, { state, pendingSignals: steering.pendingSignals() });
      }
      const wasWaiting = state.phase === 'awaiting_input';
      const before = state.status;
      let result: WatchResult;
      try {
        result = await watchSession({
          sessionId: state.sessionId,
          cursor: state.cursor,
          status: state.status,
          answerSchema: input.answerSchema,
          budgetMs: WATCH_BUDGET_MS,
        });
      } catch (err) {
        if (isCancellation(err)) throw err;
        return await finish('failed', 'platform', `lost track of the platform session: ${rootMessage(err)}`);
      }
      applyWatch(state, result);
      if (state.status !== before) upsertSearchAttributes([{ key: HAI_STATUS, value: state.status }]);
      setCurrentDetails(`**${state.status}** · ${state.steps} steps · turn ${currentTurn(state).index + 1}`);

      if (isTerminalStatus(state.status)) {
        const idleLapsed = wasWaiting && (state.status === 'completed' || state.status === 'timed_out');
        const by: EndedBy =
          state.endRequest ?? (idleLapsed ? 'idle_timeout' : state.status === 'interrupted' ? 'platform' : 'agent');
        return await finish(outcomeOf(state.status, by), by);
      }
    }
    return await finish(outcomeOf(state.status, 'agent'), 'agent');
  } catch (err) {
    if (isCancellation(err) && state.sessionId && !isTerminalStatus(state.status)) {
      const sessionId = state.sessionId;
      await CancellationScope.nonCancellable(() =>
        steerSession({ sessionId, command: { type: 'cancel', reason: 'workflow cancelled' } }),
      );
    }
    throw err;
  }

  async function finish(status: SessionOutcome, endedBy: EndedBy, error?: string): Promise<SessionResult> {
    state.phase = 'ended';
    await condition(allHandlersFinished);
    const answeredTurns = state.turns.filter((t) => t.answer !== null);
    const last = answeredTurns[answeredTurns.length - 1];
    return {
      workflowId: info.workflowId,
      sessionId: state.sessionId ?? '',
      status,
      platformStatus: state.status,
      endedBy,
      answer: last?.answer ?? null,
      outcome: last?.outcome ?? state.outcome,
      answerValid: last?.answerValid ?? null,
      ...(last?.answerErrors ? { answerErrors: last.answerErrors } : {}),
      steps: state.steps,
      usage: state.usage,
      error: error ?? state.error,
      errorCode: state.errorCode,
      turns: state.turns,
      agentViewUrl: state.agentViewUrl,
      events: state.cursor,
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

function shouldContinueAsNew(input: ValidSessionInput, state: SessionState): boolean {
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
