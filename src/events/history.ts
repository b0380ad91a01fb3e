// The full history of one platform session, page by page from `/events` (hai-api.md §2.11), for audit and replay.
// Events are read in ascending order, so an event's index is its position; the type filter is applied here, not by
// the platform, so that every event keeps its true index.
import type { HaiClient } from '../hai/client';
import { checkHistoryOptions } from './options';
import { indexed, type HistoryOptions, type IndexedEvent } from './types';

export async function* sessionHistory(
  hai: HaiClient,
  sessionId: string,
  opts: HistoryOptions = {},
): AsyncGenerator<IndexedEvent> {
  const { types, from, limit, pageSize } = checkHistoryOptions(opts);
  const wanted = types.length ? new Set(types) : undefined;
  let size = pageSize;
  let next = from;
  let yielded = 0;
  for (;;) {
    const page = Math.floor(next / size) + 1;
    const first = (page - 1) * size;
    const { items, total } = await hai.listEvents(
      sessionId,
      { page, size, sort: ['timestamp'] },
      { signal: opts.signal },
    );
    if (items.length < size && first + items.length < total) {
      // The platform serves fewer events per page than asked: page with its size instead.
      if (items.length === 0) throw new Error(`GET /sessions/{id}/events returned an empty page ${page} of ${total}`);
      size = items.length;
      continue;
    }
    for (let i = next - first; i < items.length; i++) {
      const event = indexed(first + i, items[i]!);
      if (wanted && !wanted.has(event.type) && !wanted.has(kindOf(event))) continue;
      yield event;
      if (limit !== undefined && ++yielded >= limit) return;
    }
    next = Math.max(next, first + items.length);
    if (items.length < size || next >= total) return;
  }
}

/** The `kind` of an AgentEvent (`policy_event`, `answer_event`, ...), or '' for other events. */
export function kindOf(event: { type: string; data: Record<string, unknown> }): string {
  return event.type === 'AgentEvent' && typeof event.data.kind === 'string' ? event.data.kind : '';
}
