// A live stream of one platform session's events, as the official SDKs' `stream()` reads it (hai-api.md §4):
// long-poll `/changes` from a cursor, take `/status` as the authority, and once the session has settled (or, with
// `until: 'terminal'`, ended) drain what is left and stop. Read-only: it never answers tool calls.
import type { HaiClient } from '../hai/client';
import { sleep } from '../hai/retry';
import { isSettledStatus, isTerminalStatus } from '../hai/status';
import { checkStreamOptions } from './options';
import { indexed, type IndexedEvent, type StreamOptions } from './types';

/** A poll that came back empty sooner than this (a server ignoring the long-poll window) waits out the rest. */
const MIN_EMPTY_POLL_MS = 1_000;

export async function* streamSessionEvents(
  hai: HaiClient,
  sessionId: string,
  opts: StreamOptions = {},
): AsyncGenerator<IndexedEvent> {
  const { from, until, waitForSeconds } = checkStreamOptions(opts);
  const call = { signal: opts.signal };
  const stops = until === 'terminal' ? isTerminalStatus : isSettledStatus;
  let cursor = from;
  for (;;) {
    const started = Date.now();
    const changes = await hai.getChanges(sessionId, { fromIndex: cursor, waitForSeconds }, call);
    const events = changes?.new_events ?? [];
    for (const event of events) yield indexed(cursor++, event);
    const { status } = await hai.getStatus(sessionId, call);
    if (stops(status)) break;
    const early = MIN_EMPTY_POLL_MS - (Date.now() - started);
    if (events.length === 0 && early > 0) await sleep(early, opts.signal);
  }
  // Settled: the last events (and with them the answer) may still be on later pages.
  for (;;) {
    const changes = await hai.getChanges(sessionId, { fromIndex: cursor, waitForSeconds: 0 }, call);
    const events = changes?.new_events ?? [];
    if (events.length === 0) return;
    for (const event of events) yield indexed(cursor++, event);
  }
}
