// One agent session's whole life: create it on the platform, follow it transition by transition (delivering
// what people steer it with, holding answers for approval, answering tool calls), and return how it ended.
import { ApplicationFailure, continueAsNew } from '@temporalio/workflow';
import type { SessionInput } from '../shared/input';
import type { SessionResult, SteerCommand } from '../shared/session';
import { SessionRun } from './session-run';
import { type SessionData, SessionState } from './session-state';
import { workflowInput } from './session-input';

/** Carried over a continue-as-new. (`pendingSignals` was carried by older runs; it was always empty.) */
export interface SessionCarryOver {
  state: SessionData;
  pendingSignals?: SteerCommand[];
  /** Carried over by the code that creates sessions in the workflow task (older carry-overs lack it). */
  ofCreateInWorkflowTask?: boolean;
}

export async function agentSession(rawInput: SessionInput, carried?: SessionCarryOver): Promise<SessionResult> {
  if (!rawInput || typeof rawInput !== 'object') {
    throw ApplicationFailure.nonRetryable('invalid session input: expected an object', 'InvalidSessionInput');
  }
  // The create activity validates the whole input and refuses an invalid one before anything is created.
  const input = workflowInput(rawInput);
  const session = new SessionRun(
    input,
    SessionState.resume(carried?.state, input.firstMessage),
    carried?.ofCreateInWorkflowTask === true,
  );
  session.registerHandlers();
  try {
    if (!session.state.sessionId) await session.create(rawInput);
    for (;;) {
      if (session.continueAsNewDue()) {
        await session.quiesced();
        return await continueAsNew<typeof agentSession>(rawInput, {
          state: session.state.carryOver(),
          ofCreateInWorkflowTask: true,
        });
      }
      const ending = await session.nextTransition();
      if (ending) return await session.finish(ending);
    }
  } catch (err) {
    throw await session.failed(err);
  }
}
