import { describe, expect, it } from 'vitest';
import { startClient, useSimulator } from './helpers';

const api = useSimulator({ maxBodyBytes: 100_000 });

describe('auth', () => {
  it('answers 401 with a {"message"} body for a missing or non-bearer key', async () => {
    const variants: Record<string, string>[] = [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer ' }];
    for (const headers of variants) {
      const res = await api.call('GET', '/sessions', { key: null, headers });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Unauthorized' });
    }
  });

  it('accepts only the configured key when apiKey is set', async () => {
    const locked = await startClient({ apiKey: 'hk-right' });
    try {
      expect((await locked.call('GET', '/sessions/quota', { key: 'hk-wrong' })).status).toBe(401);
      expect((await locked.call('GET', '/sessions/quota', { key: 'hk-right' })).status).toBe(200);
    } finally {
      await locked.sim.close();
    }
  });

  it('lets anyone read a shared session, and only its owner steer it', async () => {
    const id = await api.start('[sim {"steps": 0}]');
    expect((await api.call('GET', `/sessions/${id}`, { key: null })).status).toBe(401);
    const share = await api.call('POST', `/sessions/${id}/share`);
    expect(share.body).toEqual({ share_url: `/share/api/v1/trajectories/${id}` });
    expect((await api.call('GET', `/sessions/${id}/status`, { key: null })).status).toBe(200);
    expect((await api.call('POST', `/sessions/${id}/pause`, { key: null })).status).toBe(401);
    expect((await api.call('DELETE', `/sessions/${id}/share`)).status).toBe(204);
    expect((await api.call('GET', `/sessions/${id}/status`, { key: null })).status).toBe(401);
  });
});

describe('bad input', () => {
  it('answers 422 in the FastAPI list shape for malformed JSON', async () => {
    const res = await api.call('POST', '/sessions', {
      raw: '{"agent": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ type: 'json_invalid', msg: 'JSON decode error' });
    expect(res.body.detail[0].loc[0]).toBe('body');
  });

  it('answers 422 listing wrong types, missing and unknown fields', async () => {
    const res = await api.create({ messages: 5, max_time_s: -1, colour: 'blue' });
    expect(res.status).toBe(422);
    const byLoc = Object.fromEntries(res.body.detail.map((d: { loc: string[] }) => [d.loc.join('.'), d]));
    expect(byLoc['body.agent']).toMatchObject({ type: 'missing', msg: 'Field required' });
    expect(byLoc['body.max_time_s']).toMatchObject({ type: 'greater_than', input: -1 });
    expect(byLoc['body.colour']).toMatchObject({ type: 'extra_forbidden', input: 'blue' });
    expect(byLoc['body.messages']).toBeDefined();
    for (const d of res.body.detail)
      expect(Object.keys(d)).toEqual(expect.arrayContaining(['type', 'loc', 'msg', 'input']));
  });

  it('answers 422 for extra fields on a message batch and for a bad message type', async () => {
    const id = await api.start('[sim {"steps": 0}]');
    const extra = await api.call('POST', `/sessions/${id}/messages`, {
      body: { type: 'batch', messages: [{ message: 'x' }], extra: 1 },
    });
    expect(extra.status).toBe(422);
    expect(extra.body.detail[0]).toMatchObject({ type: 'extra_forbidden', loc: ['body', 'extra'] });
    const empty = await api.call('POST', `/sessions/${id}/messages`, { body: { type: 'batch', messages: [] } });
    expect(empty.body.detail[0]).toMatchObject({ type: 'too_short', loc: ['body', 'messages'] });
    const raw = await api.call('POST', `/sessions/${id}/messages`, { body: [{ message: 'x' }] });
    expect(raw.status).toBe(422);
  });

  it('answers 422 for a malformed UUID in the path and 404 for an unknown one', async () => {
    const bad = await api.call('GET', '/sessions/not-a-uuid');
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]).toMatchObject({ type: 'uuid_parsing', loc: ['path', 'id'], input: 'not-a-uuid' });
    const unknown = await api.call('GET', '/sessions/7d3f0a52-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: 'Session not found' });
  });

  it('answers 404 for an unknown agent, unknown routes, and 405 for a wrong method', async () => {
    expect((await api.create({ agent: 'h/nope' })).body).toEqual({ detail: "Agent 'h/nope' not found." });
    expect((await api.call('GET', '/agents/h/web-surfer-pro')).body.name).toBe('h/web-surfer-pro');
    expect((await api.call('GET', '/agents/h/nope')).status).toBe(404);
    expect((await api.call('GET', '/no/such/route')).body).toEqual({ detail: 'Not Found' });
    expect((await api.call('PUT', '/sessions')).status).toBe(405);
  });

  it('answers 413 for a body over maxBodyBytes and keeps serving', async () => {
    const huge = JSON.stringify({ agent: 'h/web-surfer-flash', messages: 'x'.repeat(200_000) });
    const res = await api.call('POST', '/sessions', { raw: huge, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(typeof res.body.detail).toBe('string');
    expect((await api.call('GET', '/sessions/quota')).status).toBe(200);
  });

  it('survives garbage of every kind and still serves', async () => {
    const id = await api.start('[sim {"steps": 0}]');
    const garbage: [string, string, string][] = [
      ['POST', '/sessions', 'null'],
      ['POST', '/sessions', '[]'],
      ['POST', '/sessions', '"text"'],
      ['POST', '/sessions', '{"agent": {"name": 1}}'],
      ['POST', '/sessions', '{"agent": "h/web-surfer-flash", "overrides": {"agent.answer_format": 3}}'],
      ['POST', `/sessions/${id}/tool_results`, '{"type": "batch", "results": [{"kind": "nope"}]}'],
      ['POST', `/sessions/${id}/tool_results`, '{}'],
      ['POST', `/sessions/${id}/messages`, '{"type": "user_message"}'],
      ['GET', `/sessions/${id}/changes?from_index=abc&include_events=maybe`, ''],
      ['GET', `/sessions/${id}/events?page=0&size=201&sort=up`, ''],
      ['PUT', `/sessions/${id}/events/x/feedback`, '{"success": true}'],
      ['GET', '/sessions/%E0%A4%A', ''],
    ];
    for (const [method, path, raw] of garbage) {
      const res = await api.call(method, path, {
        raw: raw || undefined,
        headers: { 'content-type': 'application/json' },
      });
      expect([404, 409, 422], `${method} ${path} ${raw}`).toContain(res.status);
      expect(res.body?.detail, `${method} ${path}`).toBeDefined();
    }
    expect((await api.call('GET', `/sessions/${id}`)).status).toBe(200);
  });

  it('accepts the legacy top-level answer_format the official Python SDK still sends', async () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    const id = await api.start('[sim {"steps": 0}]', { answer_format: schema, agent_artifact: null });
    await api.waitForStatus(id, 'completed');
    expect((await api.call('GET', `/sessions/${id}`)).body.latest_answer).toEqual({ ok: true });
  });
});
