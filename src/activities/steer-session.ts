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
/**
 * `client` sends (POSTs are retried by Temporal, never inside an attempt); `reader` makes the safe GETs around the
 * send, retried inside the attempt so that a transient error on a read does not cost the whole attempt.
 */
export function steerSessionActivity(client: HaiClient, reader: HaiClient = client) {
  return async function steerSession({ sessionId, command, sinceEventIndex }: SteerInput): Promise<{ status: string }> {
    const ctx = Context.current();
    const call = { signal: ctx.cancellationSignal };
    // Messages have no idempotency key: the first attempt counts the echoes of the same text before it sends
    // (heartbeated, so a retry knows them), and a retry after a lost response sends only when no new echo came.
    let sent = ctx.info.heartbeatDetails as SendAttempt | undefined;
    return whileHeartbeating(
      async () => {
        await withPlatformErrors(async () => {
          switch (command.type) {
            case 'send': {
              const since = sinceEventIndex ?? 0;
              if (ctx.info.attempt > 1) {
                // A message sent to a queued or pending session is echoed only once the agent starts.
                await untilStarted(reader, sessionId, call);
                const echoes = await countEchoes(reader, sessionId, command.message, since, call);
                if (echoes > (sent?.echoesBefore ?? 0)) return;
              } else {
                // Best effort: without it a retry takes any echo for this one's; the send must not depend on it.
                sent = await countEchoes(reader, sessionId, command.message, since, call).then(
                  (echoesBefore) => ({ echoesBefore }),
                  () => undefined,
                );
                if (sent) ctx.heartbeat(sent);
              }
              return client.sendMessages(sessionId, command.message, call);
            }
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
        const status = await withPlatformErrors(() => reader.getStatus(sessionId, call));
        return { status: status.status };
      },
      () => sent,
    );
  };
}

/** What a send's first attempt records for its retries. */
interface SendAttempt {
  /** Echoes of the same text after the cursor before it was sent: a real repeat adds one. */
  echoesBefore: number;
}

/** Waits while the session is queued or pending (its buffered messages are not echoed yet). */
async function untilStarted(client: HaiClient, sessionId: string, call: { signal: AbortSignal }): Promise<void> {
  const status = () =>
    client.getStatus(sessionId, call).then(
      (s) => s.status,
      () => 'unknown', // best effort, as above
    );
  while (['queued', 'pending'].includes(await status())) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    call.signal.throwIfAborted();
  }
}

/** How often the platform echoed this user message after `fromIndex` (hai-api.md §5 `message_event`). */
async function countEchoes(
  client: HaiClient,
  sessionId: string,
  message: string,
  fromIndex: number,
  call: { signal: AbortSignal },
): Promise<number> {
  let echoes = 0;
  for await (const { events } of eventPages(client, sessionId, fromIndex, call)) {
    echoes += events.filter((e) => {
      const data = (e.data ?? {}) as { kind?: unknown; caller_id?: unknown; content?: unknown; message?: unknown };
      if (e.type !== 'AgentEvent' || data.kind !== 'message_event' || data.caller_id !== 'user') return false;
      const content = Array.isArray(data.content) ? data.content : [data.content ?? data.message];
      return content.some((part) => part === message);
    }).length;
  }
  return echoes;
}
