import { describe, expect, it } from 'vitest';
import { useSimulator } from './helpers';

const api = useSimulator();
const QUOTA = 'GET /sessions/quota';

async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(`${api.sim.url}/_simulator/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { detail?: unknown } };
}

/** Fires `n` quota reads and tallies the outcomes ("reset" for a destroyed connection). */
async function burst(n: number): Promise<Record<string, number>> {
  const tally: Record<string, number> = {};
  await Promise.all(
    Array.from({ length: n }, async () => {
      let outcome: string;
      try {
        const res = await api.call('GET', '/sessions/quota');
        outcome = res.status === 200 && res.body === undefined ? 'malformed' : String(res.status);
      } catch {
        outcome = 'reset';
      }
      tally[outcome] = (tally[outcome] ?? 0) + 1;
    }),
  );
  return tally;
}

describe('fault injection', () => {
  it('answers errorStatus for roughly errorRate of requests and counts them', async () => {
    await admin('POST', 'reset-faults');
    const before = api.sim.stats().faultsInjected;
    api.sim.setFaults({ errorRate: 0.5, errorStatus: 502 });
    try {
      const tally = await burst(200);
      expect((tally['502'] ?? 0) + (tally['200'] ?? 0)).toBe(200);
      expect(tally['502']).toBeGreaterThan(60);
      expect(tally['502']).toBeLessThan(140);
      expect(api.sim.stats().faultsInjected - before).toBe(tally['502']);
    } finally {
      api.sim.setFaults({ errorRate: 0 });
    }
  });

  it('answers 429 with Retry-After at rateLimitRate', async () => {
    api.sim.setFaults({ rateLimitRate: 1, retryAfterS: 7 });
    try {
      const res = await api.call('GET', '/sessions/quota');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(typeof res.body.detail).toBe('string');
    } finally {
      api.sim.setFaults({ rateLimitRate: 0 });
    }
  });

  it('resets connections at dropRate and truncates 200 bodies at malformedRate', async () => {
    api.sim.setFaults({ dropRate: 0.3, malformedRate: 0.3 });
    try {
      const tally = await burst(200);
      expect(tally.reset).toBeGreaterThan(25);
      expect(tally.reset).toBeLessThan(95);
      // Malformed applies to the 200s that were not dropped (about 140 of them).
      expect(tally.malformed).toBeGreaterThan(15);
      expect(tally.malformed).toBeLessThan(75);
    } finally {
      await admin('POST', 'reset-faults');
    }
    expect((await burst(20))['200']).toBe(20);
  });

  it('processes a dropped create, so a retry with the same Idempotency-Key gets the session', async () => {
    api.sim.setFaults({ dropRate: 1, routes: ['POST /sessions'] });
    const key = `drop-${Date.now()}`;
    const body = { agent: 'h/web-surfer-flash', messages: '[sim {"steps": 0}]' };
    try {
      await expect(api.create(body, { 'Idempotency-Key': key })).rejects.toThrow();
      // Other routes are unaffected by a route filter.
      expect((await api.call('GET', '/sessions/quota')).status).toBe(200);
    } finally {
      api.sim.setFaults({ dropRate: 0, routes: undefined });
    }
    const retry = await api.create(body, { 'Idempotency-Key': key });
    expect(retry.status).toBe(201);
    expect(api.sim.stats().createsByIdempotencyKey[key]).toBe(1);
  });

  it('adds latencyMs before answering', async () => {
    api.sim.setFaults({ latencyMs: 150 });
    try {
      const started = Date.now();
      await api.call('GET', '/sessions/quota');
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      api.sim.setFaults({ latencyMs: 0 });
    }
  });

  it('is driven through the admin routes, which validate their bodies and count requests per route', async () => {
    const before = (await admin('GET', 'stats')).body.requestsByRoute as Record<string, number>;
    const set = await admin('PUT', 'faults', { errorRate: 1, routes: [QUOTA] });
    expect(set).toMatchObject({ status: 200, body: { errorRate: 1, routes: [QUOTA] } });
    expect((await api.call('GET', '/sessions/quota')).status).toBe(503);
    expect((await admin('POST', 'reset-faults')).body).toMatchObject({ errorRate: 0 });
    expect((await api.call('GET', '/sessions/quota')).status).toBe(200);
    const after = (await admin('GET', 'stats')).body.requestsByRoute as Record<string, number>;
    expect(after[QUOTA]).toBe((before[QUOTA] ?? 0) + 2);

    const bad = await admin('PUT', 'faults', { errorRate: 2, bogus: true });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ loc: ['body', 'errorRate'] }),
        expect.objectContaining({ type: 'extra_forbidden', loc: ['body', 'bogus'] }),
      ]),
    );
    const options = await admin('PUT', 'options', { messageToTerminal: 'reject', stepMs: 15 });
    expect(options.body).toMatchObject({ messageToTerminal: 'reject', stepMs: 15 });
    await admin('PUT', 'options', { messageToTerminal: 'restart', stepMs: 10 });
    expect((await admin('PUT', 'options', { port: 1 })).status).toBe(422);
  });
});
