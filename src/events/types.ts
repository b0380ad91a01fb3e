// What the event readers give back and take: each platform event with its index in the session's event list.
import type { SessionEvent } from '../hai/schemas';

/** A platform event (hai-api.md §5) and its 0-based position in the session's ordered events. */
export type IndexedEvent = { index: number } & SessionEvent;

/** When a live stream stops: once the session settles (terminal or idle), or only once it is terminal. */
export type StreamUntil = 'settled' | 'terminal';

export interface StreamOptions {
  /** Index of the first event to yield (resume with the last index seen + 1). Default 0. */
  from?: number;
  /** `settled` (default) stops at the first idle or terminal status; `terminal` spans an interactive session's turns. */
  until?: StreamUntil;
  /** Long-poll window of each `/changes` call, 0-25 s. Default 20. */
  waitForSeconds?: number;
  signal?: AbortSignal;
}

export interface HistoryOptions {
  /** Keep only these: top-level types (`MetricsUpdateEvent`) or AgentEvent kinds (`policy_event`). */
  types?: string[];
  /** Index of the first event to read. Default 0. */
  from?: number;
  /** At most this many events (after the type filter). */
  limit?: number;
  /** Events per `/events` page, 1-200. Default 200. */
  pageSize?: number;
  signal?: AbortSignal;
}

/** The event with its index first; an `index` field the platform might add one day does not hide ours. */
export function indexed(index: number, event: SessionEvent): IndexedEvent {
  return Object.assign({ index }, event, { index });
}
