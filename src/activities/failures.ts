// Turns platform errors into Temporal failures: what retrying cannot fix (a bad key, an unknown session,
// a refused request) fails at once with the platform's own words; the rest is left to the retry policy.
import { ApplicationFailure } from '@temporalio/common';
import { HaiApiError } from '../hai/errors';

export async function withPlatformErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HaiApiError && !err.retryable) {
      throw ApplicationFailure.create({
        message: err.message,
        type: `HaiApiError.${err.code}`,
        nonRetryable: true,
        details: [{ status: err.status ?? null, route: err.route, detail: err.detail }],
      });
    }
    throw err;
  }
}
