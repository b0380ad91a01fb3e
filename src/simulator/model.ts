// Wire-level vocabulary shared by the simulator's modules (hai-api.md §3.3, §5).
import { isTerminalStatus, type KnownSessionStatus } from '../hai/status';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

// The status vocabulary is the client's: one list of the contract's statuses for both sides.
export type SessionStatusValue = KnownSessionStatus;

export type ErrorCode = 'environment_error' | 'no_answer' | 'answer_validation' | 'timeout' | 'internal';
export type Outcome = 'success' | 'partial' | 'infeasible' | 'blocked';

/** Statuses that hold a concurrency slot (`queued` is decided by an option). */
export const SLOT_STATUSES: ReadonlySet<SessionStatusValue> = new Set([
  'pending',
  'running',
  'paused',
  'idle',
  'awaiting_tool_results',
]);

export const isTerminal = (status: SessionStatusValue): boolean => isTerminalStatus(status);

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
