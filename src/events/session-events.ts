// What an agent does, read by workflow id: a live stream and the full history of its platform session's events.
// Events are read straight from the platform with the reader's own key (docs/decisions.md, "Reading events"):
// the workflow only names the session, so its history never grows with the session's steps.
import type { Client } from '@temporalio/client';
import { HaiClient } from '../hai/client';
import { sessionHistory } from './history';
import { checkHistoryOptions, checkStreamOptions } from './options';
import { platformSessionId } from './session-id';
import { streamSessionEvents } from './stream';
import type { HistoryOptions, IndexedEvent, StreamOptions } from './types';

export class SessionEvents {
  /**
   * `hai` carries the reader's key and platform; by default a client from this process's environment
   * (HAI_API_KEY / H_API_KEY, HAI_BASE_URL / HAI_REGION).
   */
  constructor(
    readonly temporal: Client,
    readonly hai: HaiClient = new HaiClient(),
  ) {}

  /** The platform session id of a session workflow; waits while the workflow is still creating it. */
  sessionId(workflowId: string, opts: { wait?: boolean; signal?: AbortSignal } = {}): Promise<string> {
    return platformSessionId(this.temporal, workflowId, opts);
  }

  /**
   * Every event from `from` on, as it arrives, until the session settles (or, with `until: 'terminal'`, ends).
   * Read-only: it never answers tool calls. Resume after a break with `from` = the last index seen + 1.
   */
  async *stream(workflowId: string, opts: StreamOptions = {}): AsyncGenerator<IndexedEvent> {
    checkStreamOptions(opts);
    const sessionId = await this.sessionId(workflowId, { signal: opts.signal });
    yield* streamSessionEvents(this.hai, sessionId, opts);
  }

  /** The session's events as recorded so far, oldest first, also long after its workflow has ended. */
  async *history(workflowId: string, opts: HistoryOptions = {}): AsyncGenerator<IndexedEvent> {
    checkHistoryOptions(opts);
    const sessionId = await this.sessionId(workflowId, { wait: false, signal: opts.signal });
    yield* sessionHistory(this.hai, sessionId, opts);
  }
}

export { streamSessionEvents } from './stream';
export { sessionHistory, kindOf } from './history';
export { NoPlatformSessionError } from './session-id';
export type { HistoryOptions, IndexedEvent, StreamOptions, StreamUntil } from './types';
