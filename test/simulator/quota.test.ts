import { describe, expect, it } from 'vitest';
import { useSimulator, waitFor } from './helpers';

const BOOT_MS = 10;
const api = useSimulator({ concurrencyLimit: 2, bootMs: BOOT_MS });
// Each API key is its own tenant, so every test gets a fresh quota.
let n = 0;
const tenant = () => {
  const key = `hk-quota-${++n}`;
  return {
    create: (extra: Record<string, unknown> = {}) =>
      api.call('POST', '/sessions', {
        key,
        body: { agent: 'h/web-surfer-pro', messages: '[sim {"steps": 100000}]', ...extra },
      }),
    call: (method: string, path: string) => api.call(method, path, { key }),
    status: async (id: string) => (await api.call('GET', `/sessions/${id}/status`, { key })).body.status as string,
  };
};

describe('concurrency quota', () => {
  it('queues sessions over the limit and starts them oldest first as slots free', async () => {
    const t = tenant();
    const [a, b, c, d] = [await t.create(), await t.create(), await t.create(), await t.create()];
    expect([a, b, c, d].map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect([a, b].map((r) => r.body.status.status)).toEqual(['pending', 'pending']);
    expect([c, d].map((r) => r.body.status.status)).toEqual(['queued', 'queued']);
    expect((await t.call('GET', '/sessions/quota')).body).toEqual({ scope: 'user', limit: 2, active: 2, available: 0 });

    await t.call('DELETE', `/sessions/${a.body.id}`);
    expect(await t.status(c.body.id)).not.toBe('queued');
    expect(await t.status(d.body.id)).toBe('queued');
    await t.call('DELETE', `/sessions/${b.body.id}`);
    expect(await t.status(d.body.id)).not.toBe('queued');
    await waitFor(async () => (await t.status(d.body.id)) === 'running');
    for (const r of [c, d]) await t.call('DELETE', `/sessions/${r.body.id}`);
  });

  it('answers 429 at the limit when queue is false', async () => {
    const t = tenant();
    await t.create();
    await t.create();
    const res = await t.create({ queue: false });
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ detail: 'Concurrent trajectory limit reached (2/2)' });
  });

  it('counts queued sessions in quota.active only when queuedCountsAgainstQuota is set', async () => {
    const t = tenant();
    for (let i = 0; i < 3; i++) await t.create();
    expect((await t.call('GET', '/sessions/quota')).body.active).toBe(2);
    api.sim.setOptions({ queuedCountsAgainstQuota: true });
    try {
      expect((await t.call('GET', '/sessions/quota')).body).toMatchObject({ active: 3, available: 0 });
    } finally {
      api.sim.setOptions({ queuedCountsAgainstQuota: false });
    }
  });

  it('interrupts a queued session on DELETE without it ever starting', async () => {
    const t = tenant();
    await t.create();
    await t.create();
    const queued = await t.create();
    await t.call('DELETE', `/sessions/${queued.body.id}`);
    const session = (await t.call('GET', `/sessions/${queued.body.id}`)).body;
    expect(session.status.status).toBe('interrupted');
    expect(session.started_at).toBeNull();
  });

  it('starts queued sessions when the limit is raised', async () => {
    const t = tenant();
    await t.create();
    await t.create();
    const queued = await t.create();
    // A long boot keeps it `pending` however late the read comes (a loaded machine read it `running` after its 10 ms).
    api.sim.setOptions({ concurrencyLimit: 3, bootMs: 60_000 });
    try {
      expect(await t.status(queued.body.id)).toBe('pending');
    } finally {
      api.sim.setOptions({ concurrencyLimit: 2, bootMs: BOOT_MS });
    }
  });
});
