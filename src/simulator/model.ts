// Wire-level vocabulary shared by the simulator's modules (hai-api.md §3.3, §5).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type SessionStatusValue =
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

export type ErrorCode = 'environment_error' | 'no_answer' | 'answer_validation' | 'timeout' | 'internal';
export type Outcome = 'success' | 'partial' | 'infeasible' | 'blocked';

export const TERMINAL_STATUSES: ReadonlySet<SessionStatusValue> = new Set([
  'completed',
  'failed',
  'timed_out',
  'interrupted',
]);

/** Statuses that hold a concurrency slot (`queued` is decided by an option). */
export const SLOT_STATUSES: ReadonlySet<SessionStatusValue> = new Set([
  'pending',
  'running',
  'paused',
  'idle',
  'awaiting_tool_results',
]);

export function isTerminal(status: SessionStatusValue): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** The envelope every event has on /events and /changes. */
export type SessionEvent = {
  type: string;
  data: JsonObject;
  timestamp: string;
};

// Type aliases rather than interfaces: they are assignable to `Json` without casts.
export type ToolRequest = {
  tool_name: string;
  args: JsonObject;
  id: string;
};

/** A user message as stored and echoed in `request.messages`. */
export type UserMessage = {
  type: 'user_message';
  message: string;
  images: string[];
  caller_id: string;
  files?: Json[];
};
