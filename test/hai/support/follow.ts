// Following a session the way the SDKs do (hai-api.md §4): long-poll /changes, trust /status, drain at the end.
import type { HaiClient } from '../../../src/hai/client';
import type { SessionChanges, SessionEvent, SessionStatus } from '../../../src/hai/schemas';
import { isSettledStatus } from '../../../src/hai/status';

export interface Followed {
  status: SessionStatus;
  events: SessionEvent[];
  /** The next `from_index`. */
  cursor: number;
  answer: unknown;
  /** How many 200 pages carried events. */
  pages: number;
}

export interface FollowOptions {
  fromIndex?: number;
  limit?: number;
  waitForSeconds?: number;
  /** Stop when this holds instead of on a settled status. */
  until?: (status: SessionStatus) => boolean;
  deadlineMs?: number;
}

export async function follow(client: HaiClient, id: string, opts: FollowOptions = {}): Promise<Followed> {
  const until = opts.until ?? ((s: SessionStatus) => isSettledStatus(s.status));
  const deadline = Date.now() + (opts.deadlineMs ?? 10_000);
  const events: SessionEvent[] = [];
  let cursor = opts.fromIndex ?? 0;
  let pages = 0;
  let withAnswer: SessionChanges | undefined;
  const take = (changes: SessionChanges | undefined): number => {
    if (!changes) return 0;
    events.push(...changes.new_events);
    cursor += changes.new_events.length;
    if (changes.new_events.length > 0) pages++;
    if (changes.answer !== null) withAnswer = changes;
    return changes.new_events.length;
  };
  for (;;) {
    if (Date.now() > deadline) throw new Error(`session ${id} did not reach the expected state in time`);
    take(
      await client.getChanges(id, { fromIndex: cursor, limit: opts.limit, waitForSeconds: opts.waitForSeconds ?? 1 }),
    );
    const status = await client.getStatus(id);
    if (!until(status)) continue;
    while (take(await client.getChanges(id, { fromIndex: cursor, limit: opts.limit })) > 0);
    const answer =
      withAnswer?.answer ?? (await client.getChanges(id, { fromIndex: 0, includeEvents: false }))?.answer ?? null;
    return { status, events, cursor, answer, pages };
  }
}
