import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { HaiClient } from '../hai/client';
import type { ToolRegistry } from '../tools/registry';
import { parseSessionInput, type SessionInput } from '../shared/input';
import { withPlatformErrors } from './failures';
import { whileHeartbeating } from './heartbeat';
import { buildSessionRequest } from './session-request';

export interface CreateSessionInput {
  workflowId: string;
  /** The first run's id: stable across retries and continue-as-new, new when a workflow id is reused. */
  firstRunId: string;
  /** The workflow's input as given; validated here, with zod, before anything is created. */
  input: SessionInput;
}

export interface CreatedSession {
  sessionId: string;
  status: string;
  agentViewUrl: string | null;
}

/** One platform session per workflow execution, however often this activity is retried. */
export function idempotencyKeyFor(workflowId: string, firstRunId: string): string {
  return `hai-temporal-${createHash('sha256').update(`${workflowId}\n${firstRunId}`).digest('hex').slice(0, 40)}`;
}

export function createSessionActivity(client: HaiClient, tools: ToolRegistry) {
  return async function createSession({
    workflowId,
    firstRunId,
    input: raw,
  }: CreateSessionInput): Promise<CreatedSession> {
    let parsed: ReturnType<typeof parseSessionInput>;
    try {
      parsed = parseSessionInput(raw);
    } catch (err) {
      // An input that breaks validation itself is as invalid as one that fails it, and as final.
      parsed = { ok: false, error: (err as Error).message };
    }
    if (!parsed.ok)
      throw ApplicationFailure.nonRetryable(`invalid session input: ${parsed.error}`, 'InvalidSessionInput');
    const input = parsed.value;
    let toolDefinitions;
    try {
      toolDefinitions = input.tools?.length ? tools.definitions(input.tools) : undefined;
    } catch (err) {
      throw ApplicationFailure.nonRetryable((err as Error).message, 'UnknownTool');
    }
    const session = await whileHeartbeating(() =>
      withPlatformErrors(() =>
        client.createSession(buildSessionRequest(input, toolDefinitions), {
          idempotencyKey: idempotencyKeyFor(workflowId, firstRunId),
          signal: Context.current().cancellationSignal,
        }),
      ),
    );
    return { sessionId: session.id, status: session.status.status, agentViewUrl: session.agent_view_url ?? null };
  };
}
