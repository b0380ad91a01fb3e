// Waiting on the results of many sessions from one client. Each wait is a long poll, and a Temporal frontend holds
// at most `frontend.namespaceCount` of them per namespace (1,200 by default, the workers' polls included): a caller
// that waited on thousands at once had most refused, and after the client's retries (about 45 s) thrown. This keeps
// a window of waits open and opens the next as the caller takes a result.
import type { Client } from '@temporalio/client';
import type { SessionResult } from './shared/session';
import type { agentSession } from './workflows';

/** One session's result, or why there is none: it failed or was cancelled, it is unknown, or the wait failed. */
export type SessionResultEntry = { workflowId: string; result: SessionResult } | { workflowId: string; error: Error };

export const DEFAULT_RESULT_WAITS = 100;

export async function* resultsOf(
  temporal: Client,
  workflowIds: Iterable<string>,
  concurrency: number,
): AsyncGenerator<SessionResultEntry> {
  const ids = workflowIds[Symbol.iterator]();
  // One controller per wait: the client leaves its listener on the signal, so a shared one would collect thousands.
  const open = new Set<AbortController>();
  // Entries that came in and wait for the caller; the next wait opens as one is taken, so this holds `concurrency`
  // at most, however slow the caller.
  const arrived: SessionResultEntry[] = [];
  let wake: (() => void) | undefined;
  const openNext = (): boolean => {
    const next = ids.next();
    if (next.done) return false;
    const workflowId = next.value;
    const abort = new AbortController();
    open.add(abort);
    void temporal
      .withAbortSignal(abort.signal, () => temporal.workflow.getHandle<typeof agentSession>(workflowId).result())
      .then(
        (result): SessionResultEntry => ({ workflowId, result }),
        (err): SessionResultEntry => ({ workflowId, error: asError(err) }),
      )
      .then((entry) => {
        open.delete(abort);
        arrived.push(entry);
        wake?.();
      });
    return true;
  };
  try {
    while (open.size < concurrency && openNext());
    while (open.size > 0 || arrived.length > 0) {
      if (arrived.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const entry = arrived.shift()!;
      openNext();
      yield entry;
    }
  } finally {
    // A caller that stops early leaves no long poll behind.
    for (const abort of open) abort.abort();
  }
}

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));
