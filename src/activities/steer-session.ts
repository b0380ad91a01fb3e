import { Context } from '@temporalio/activity';
import type { HaiClient } from '../hai/client';
import type { SteerCommand } from '../shared/session';
import { eventPages } from './event-pages';
import { withPlatformErrors } from './failures';
import { whileHeartbeating } from './heartbeat';

export interface SteerInput {
  sessionId: string;
  command: SteerCommand;
  /** The workflow's event cursor when it sent the command: where a retry looks for an earlier delivery. */
  sinceEventIndex?: number;
}

/** Delivers one steering command to the platform; returns the platform status read right after. */
export function steerSessionActivity(client: HaiClient) {
  return async function steerSession({ sessionId, command, sinceEventIndex }: SteerInput): Promise<{ status: string }> {
    const ctx = Context.current();
    const call = { signal: ctx.cancellationSignal };
    return whileHeartbeating(async () => {
      await withPlatformErrors(async () => {
        switch (command.type) {
          case 'send':
            // Messages have no idempotency key: a retry after a lost response first checks the platform's echo.
            if (
              ctx.info.attempt > 1 &&
              (await alreadyDelivered(client, sessionId, command.message, sinceEventIndex ?? 0, call))
            ) {
              return;
            }
            return client.sendMessages(sessionId, command.message, call);
          case 'pause':
            return client.pause(sessionId, call);
          case 'resume':
            return client.resume(sessionId, call);
          case 'forceAnswer':
            return client.forceAnswer(sessionId, call);
          case 'cancel':
          case 'end':
            return client.cancel(sessionId, call);
        }
      });
      const status = await withPlatformErrors(() => client.getStatus(sessionId, call));
      return { status: status.status };
    });
  };
}

/** Whether the platform already echoed this user message after `fromIndex` (hai-api.md §5 `message_event`). */
async function alreadyDelivered(
  client: HaiClient,
  sessionId: string,
  message: string,
  fromIndex: number,
  call: { signal: AbortSignal },
): Promise<boolean> {
  for await (const { events } of eventPages(client, sessionId, fromIndex, call)) {
    const echoed = events.some((e) => {
      const data = (e.data ?? {}) as { kind?: unknown; caller_id?: unknown; content?: unknown; message?: unknown };
      if (e.type !== 'AgentEvent' || data.kind !== 'message_event' || data.caller_id !== 'user') return false;
      const content = Array.isArray(data.content) ? data.content : [data.content ?? data.message];
      return content.some((part) => part === message);
    });
    if (echoed) return true;
  }
  return false;
}
