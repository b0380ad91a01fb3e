import { Context } from '@temporalio/activity';

/** A fifth of the activity's heartbeat timeout, so several beats fit in one timeout; 2 s without one. */
function cadenceMs(): number {
  const timeout = Context.current().info.heartbeatTimeoutMs;
  return timeout ? Math.min(Math.max(timeout / 5, 1_000), 30_000) : 2_000;
}

/**
 * Heartbeats on a clock while `fn` runs, so that a worker killed mid-call is noticed after the activity's
 * heartbeat timeout rather than its whole start-to-close timeout. `details` is what a retry resumes from.
 */
export async function whileHeartbeating<T>(fn: () => Promise<T>, details?: () => unknown): Promise<T> {
  const ctx = Context.current();
  // A local activity has no heartbeat: its workflow task stands for it.
  if (ctx.info.isLocal) return fn();
  const timer = setInterval(() => ctx.heartbeat(details?.()), cadenceMs());
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
