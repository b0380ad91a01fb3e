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

/**
 * `maxStartWaits`: creates of this worker that wait at once for their session to start. A create runs inside its
 * workflow's first task, so each wait holds a workflow-task slot: on a platform that boots sessions slowly, a burst
 * of starts would otherwise fill every slot with waits and starve the tasks that need the workflow thread.
 */
export function createSessionActivity(client: HaiClient, tools: ToolRegistry, maxStartWaits: number) {
  let startWaits = 0;
  return async function createSession({
    workflowId,
    firstRunId,
    input: raw,
  }: CreateSessionInput): Promise<CreatedSession> {
    const startWaitEnds = Date.now() + START_WAIT_MS;
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
    return whileHeartbeating(async () => {
      const session = await withPlatformErrors(() =>
        client.createSession(buildSessionRequest(input, toolDefinitions), {
          idempotencyKey: idempotencyKeyFor(workflowId, firstRunId),
          signal: Context.current().cancellationSignal,
        }),
      );
      let status = session.status.status;
      if (startWaits < maxStartWaits) {
        startWaits++;
        try {
          status = await untilRunning(client, session.id, status, startWaitEnds);
        } finally {
          startWaits--;
        }
      }
      return { sessionId: session.id, status, agentViewUrl: session.agent_view_url ?? null };
    });
  };
}

/**
 * How long after it began a create stops waiting for its session to leave `pending`/`queued`; the watch follows it
 * after that. The create runs in the workflow's first task, which sdk-core must heartbeat once it has been open for
 * 8 s (80 % of the 10 s task timeout: close it, go on in a new one). A wait past that costs more than the watch it
 * spares: a session that booted in 12 s took 4 workflow tasks and 26 history events with a 10 s wait, against 3 and 23
 * with none (BENCHMARKS.md, issue 13, eighth pass).
 */
const START_WAIT_MS = 7_000;

/**
 * `running` once the platform has booted the session, else the status it was created with. Waiting here spares
 * the workflow a task and a watch whose only news would be `pending` → `running` (BENCHMARKS.md, issue 13). Any
 * other status is left for the watch to report, and a failed read only ends the wait: the session exists.
 */
async function untilRunning(client: HaiClient, sessionId: string, created: string, deadline: number): Promise<string> {
  if (created !== 'pending' && created !== 'queued') return created;
  const signal = Context.current().cancellationSignal;
  let cursor = 0;
  try {
    // Whole seconds only: a long poll rounded up would outlast the deadline.
    for (let left = deadline - Date.now(); left >= 1000; left = deadline - Date.now()) {
      const waitForSeconds = Math.min(20, Math.floor(left / 1000));
      const changes = await client.getChanges(sessionId, { fromIndex: cursor, waitForSeconds }, { signal });
      if (!changes) continue;
      if (changes.status === 'running') return 'running';
      if (changes.status !== 'pending' && changes.status !== 'queued') return created;
      cursor += changes.new_events?.length ?? 0;
    }
  } catch {
    // The watch reads the status again.
  }
  return created;
}
