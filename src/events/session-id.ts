// From a workflow id to its platform session id, without touching the workflow's history: the `HaiSessionId`
// search attribute (set once the session is created, kept in visibility), else the result of a closed workflow.
import type { Client } from '@temporalio/client';
import { sleep } from '../hai/retry';
import type { SessionResult } from '../shared/session';
import { HAI_SESSION_ID } from '../temporal/search-attributes';

/** The session workflow ended before it created a platform session, so there are no events to read. */
export class NoPlatformSessionError extends Error {
  override name = 'NoPlatformSessionError';
}

const RECHECK_MS = 500;

/**
 * The platform session id of a session workflow. While the workflow is still creating its session this waits
 * (checking every 0.5 s) unless `wait` is false. Throws Temporal's WorkflowNotFoundError for an unknown id.
 */
export async function platformSessionId(
  temporal: Client,
  workflowId: string,
  opts: { wait?: boolean; signal?: AbortSignal } = {},
): Promise<string> {
  const handle = temporal.workflow.getHandle(workflowId);
  for (;;) {
    const described = await handle.describe();
    const id = described.typedSearchAttributes.get(HAI_SESSION_ID);
    if (id) return id;
    if (described.status.name !== 'RUNNING') {
      const result = await handle.result().then(
        (r: SessionResult) => r,
        () => undefined,
      );
      if (result?.sessionId) return result.sessionId;
      throw new NoPlatformSessionError(
        `workflow "${workflowId}" ended (${described.status.name.toLowerCase()}) without creating a platform session: it has no events`,
      );
    }
    if (opts.wait === false) {
      throw new NoPlatformSessionError(`workflow "${workflowId}" has not created its platform session yet`);
    }
    await sleep(RECHECK_MS, opts.signal);
  }
}
