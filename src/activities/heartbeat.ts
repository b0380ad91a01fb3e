import { Context } from '@temporalio/activity';

/**
 * Heartbeats on a clock while `fn` runs, so that a worker killed mid-call is noticed after the activity's
 * heartbeat timeout rather than its whole start-to-close timeout. `details` is what a retry resumes from.
 */
export async function whileHeartbeating<T>(fn: () => Promise<T>, everyMs = 2_000, details?: () => unknown): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(details?.()), everyMs);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
