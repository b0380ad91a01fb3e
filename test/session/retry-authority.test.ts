// Temporal is the retry authority inside activities: each attempt is one HTTP call, the platform's
// Retry-After sets the next attempt's delay, and every attempt's reason is visible in the pending activity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTries, eventually, type Harness, sim, startHarness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

const seconds = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number(t.seconds ?? 0) + (t.nanos ?? 0) / 1e9 : NaN;

describe('platform errors inside activities', () => {
  it('waits the Retry-After of a 503 between attempts, shows why, and sends one request per attempt', async () => {
    // The first try, in the workflow task, hands a retryable error to the create activity: two of its attempts fail.
    h.sim.setFaults({ errorRate: 1, errorStatus: 503, errorRetryAfterS: 7, remaining: 3, routes: ['POST /sessions'] });
    const creates = () => h.sim.stats().requestsByRoute['POST /sessions'] ?? 0;
    const before = creates();
    const handle = await h.sessions.start({ task: sim({ steps: 1, answer: 'after the outage' }) });

    const gaps: number[] = [];
    const reasons = new Set<string>();
    await eventually(
      'two failed attempts seen',
      async () => {
        const { raw } = await handle.describe();
        const create = raw.pendingActivities?.find((a) => a.activityType?.name === 'createSession');
        if (create?.lastFailure) {
          reasons.add(`${create.lastFailure.applicationFailureInfo?.type}: ${create.lastFailure.message}`);
          const gap = seconds(create.nextAttemptScheduleTime) - seconds(create.lastAttemptCompleteTime);
          if (create.attempt != null && !Number.isNaN(gap)) gaps[create.attempt - 2] = gap;
        }
        return gaps.filter((g) => g !== undefined).length >= 2 || undefined;
      },
      30_000,
    );
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', answer: 'after the outage' });
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(6.9);
    expect([...reasons].join('\n')).toMatch(/HaiApiError\.server: POST \/sessions failed: 503 Service Unavailable/);
    // The first try, two failed attempts and the one that worked: no hidden retries inside an attempt.
    expect(creates() - before).toBe(4);
  }, 60_000);

  it('fails at once, without retrying, when the platform refuses the request for good', async () => {
    h.sim.setFaults({ errorRate: 1, errorStatus: 422, remaining: 1, routes: ['POST /sessions'] });
    const handle = await h.sessions.start({ task: sim({ steps: 1 }) });
    const failure = await handle.result().catch((e) => e);
    expect(String(failure.cause?.message)).toMatch(/could not create the platform session: .*422/);
    const history = await handle.fetchHistory();
    expect(createTries(history)).toBe(1);
  });
});
