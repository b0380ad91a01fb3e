import { ApplicationFailure, Context } from '@temporalio/activity';
import type { HaiClient } from '../hai/client';
import type { ToolRequest, ToolResult } from '../hai/schemas';
import type { ToolRegistry } from '../tools/registry';
import { withPlatformErrors } from './failures';
import { whileHeartbeating } from './heartbeat';

export interface RunToolInput {
  sessionId: string;
  call: ToolRequest;
}

/** Runs one tool call of the agent. An unknown tool fails at once; a throwing tool is retried by Temporal. */
export function runToolActivity(registry: ToolRegistry) {
  return async function runTool({ sessionId, call }: RunToolInput): Promise<unknown> {
    const tool = registry.get(call.tool_name);
    if (!tool) {
      throw ApplicationFailure.nonRetryable(
        `unknown tool "${call.tool_name}" (this worker registers: ${registry.names().join(', ') || 'none'})`,
        'UnknownTool',
      );
    }
    const ctx = Context.current();
    const result = await whileHeartbeating(async () =>
      tool.run(call.args ?? {}, {
        sessionId,
        callId: call.id ?? null,
        attempt: ctx.info.attempt,
        signal: ctx.cancellationSignal,
      }),
    );
    return result === undefined ? null : result;
  };
}

/** Posts every result of one round of tool calls in one request. */
export function submitToolResultsActivity(client: HaiClient) {
  return async function submitToolResults({
    sessionId,
    results,
  }: {
    sessionId: string;
    results: ToolResult[];
  }): Promise<void> {
    await whileHeartbeating(() =>
      withPlatformErrors(() =>
        client.submitToolResults(sessionId, results, { signal: Context.current().cancellationSignal }),
      ),
    );
  };
}
