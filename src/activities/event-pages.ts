import type { CallOptions, HaiClient } from '../hai/client';
import type { SessionEvent } from '../hai/schemas';

/** The session's events from `fromIndex` to the current end, page by page (no waiting), with each page's first index. */
export async function* eventPages(
  client: HaiClient,
  sessionId: string,
  fromIndex: number,
  call: CallOptions,
): AsyncGenerator<{ events: SessionEvent[]; firstIndex: number }> {
  for (let from = fromIndex; ;) {
    const page = await client.getChanges(sessionId, { fromIndex: from, waitForSeconds: 0 }, call);
    const events = page?.new_events ?? [];
    if (events.length === 0) return;
    yield { events, firstIndex: from };
    from += events.length;
  }
}
