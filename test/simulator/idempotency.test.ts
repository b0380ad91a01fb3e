import { describe, expect, it } from 'vitest';
import { useSimulator } from './helpers';

const api = useSimulator();
const body = { agent: 'h/web-surfer-flash', messages: '[sim {"steps": 0}] idempotent', max_steps: 5 };
let n = 0;
const newKey = (): string => `key-${Date.now()}-${++n}`;

describe('Idempotency-Key on POST /sessions', () => {
  it('replays the original session with 201 for the same key and body, creating nothing new', async () => {
    const key = newKey();
    const before = api.sim.stats().sessionsCreated;
    const first = await api.create(body, { 'Idempotency-Key': key });
    // Same body with its keys in another order, and the key padded: still the same request.
    const reordered = { max_steps: 5, messages: body.messages, agent: body.agent };
    const second = await api.create(reordered, { 'Idempotency-Key': `  ${key} ` });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(api.sim.stats().createsByIdempotencyKey[key]).toBe(1);
    expect(api.sim.stats().sessionsCreated).toBe(before + 1);
  });

  it('answers 422 when the key is reused with a different body', async () => {
    const key = newKey();
    expect((await api.create(body, { 'Idempotency-Key': key })).status).toBe(201);
    const res = await api.create({ ...body, max_steps: 6 }, { 'Idempotency-Key': key });
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ loc: ['header', 'idempotency-key'], input: key });
  });

  it('answers 409 with Retry-After: 2 while the first request with the key is in flight', async () => {
    api.sim.setFaults({ latencyMs: 300, routes: ['POST /sessions'] });
    try {
      const key = newKey();
      const results = await Promise.all([
        api.create(body, { 'Idempotency-Key': key }),
        api.create(body, { 'Idempotency-Key': key }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      const conflict = results.find((r) => r.status === 409);
      expect(conflict?.body).toEqual({ detail: 'Idempotency-Key request in flight; retry shortly' });
      expect(conflict?.headers.get('retry-after')).toBe('2');
      expect(api.sim.stats().createsByIdempotencyKey[key]).toBe(1);
    } finally {
      api.sim.setFaults({ latencyMs: 0, routes: undefined });
    }
  });

  it('releases the key when the create fails', async () => {
    const key = newKey();
    const failed = await api.create({ ...body, agent: 'h/does-not-exist' }, { 'Idempotency-Key': key });
    expect(failed.status).toBe(404);
    expect(failed.body).toEqual({ detail: "Agent 'h/does-not-exist' not found." });
    expect((await api.create(body, { 'Idempotency-Key': key })).status).toBe(201);
  });

  it('rejects a blank or over-long key with 422', async () => {
    for (const key of ['   ', 'k'.repeat(256)]) {
      const res = await api.create(body, { 'Idempotency-Key': key });
      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc).toEqual(['header', 'idempotency-key']);
    }
  });

  it('scopes keys per API key', async () => {
    const key = newKey();
    const mine = await api.call('POST', '/sessions', { body, headers: { 'Idempotency-Key': key } });
    const theirs = await api.call('POST', '/sessions', {
      body,
      headers: { 'Idempotency-Key': key },
      key: 'hk-someone-else',
    });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });
});
