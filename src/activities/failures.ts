// Temporal is the retry authority inside activities: every platform error becomes an ApplicationFailure
// with a type per cause (`HaiApiError.rate_limited`, `HaiApiError.unauthorized`, ...), non-retryable when
// repeating cannot help (a bad key, an unknown session, a refused request), and the server's Retry-After
// as the next retry delay. The attempts and their reasons show in the Web UI's pending-activity view.
import { ApplicationFailure } from '@temporalio/common';
import { HaiApiError } from '../hai/errors';

export async function withPlatformErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof HaiApiError ? platformFailure(err) : err;
  }
}

export function platformFailure(err: HaiApiError): ApplicationFailure {
  return ApplicationFailure.create({
    message: err.message,
    type: `HaiApiError.${err.code}`,
    nonRetryable: !err.retryable,
    ...(err.retryAfterMs !== undefined && err.retryable ? { nextRetryDelay: err.retryAfterMs } : {}),
    details: [{ status: err.status ?? null, route: err.route, detail: err.detail }],
  });
}
