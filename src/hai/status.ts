// Session status vocabulary. No imports on purpose: Temporal workflow code (deterministic sandbox) uses this file.

/** Statuses after which a session never changes again (hai-api.md §3.3). */
export const TERMINAL_STATUSES = ['completed', 'failed', 'timed_out', 'interrupted'] as const;

/** Known statuses a session can still leave: the platform's list can filter on them (hai-api.md §2.2). */
export const UNFINISHED_STATUSES = ['queued', 'pending', 'running', 'paused', 'idle', 'awaiting_tool_results'] as const;

/** Statuses at which waiting stops: terminal, or `idle` (an interactive session waiting for the next message). */
export const SETTLED_STATUSES = [...TERMINAL_STATUSES, 'idle'] as const;

export type KnownSessionStatus =
  | 'queued'
  | 'pending'
  | 'running'
  | 'paused'
  | 'idle'
  | 'awaiting_tool_results'
  | 'completed'
  | 'failed'
  | 'timed_out'
  | 'interrupted';

/** A known status, or any newer status string the platform adds (the API grows; unknown values pass through). */
export type SessionStatusName = KnownSessionStatus | (string & {});

const terminal: ReadonlySet<string> = new Set(TERMINAL_STATUSES);
const settled: ReadonlySet<string> = new Set(SETTLED_STATUSES);

export function isTerminalStatus(s: string): boolean {
  return terminal.has(s);
}

export function isSettledStatus(s: string): boolean {
  return settled.has(s);
}

/** The gateway rejects request bodies above this size (newest TS SDK); checked before sending. */
export const MAX_REQUEST_BYTES = 10_000_000;
