import { describe, expect, it } from 'vitest';
import { label, useSimulator } from './helpers';

const api = useSimulator({ stepMs: 10, bootMs: 30 });

describe('session lifecycle', () => {
  it('goes pending -> running -> completed with the documented events and the answer', async () => {
    const created = await api.create({ agent: 'h/web-surfer-flash', messages: 'Top 3 stories on HN?' });
    expect(created.status).toBe(201);
    expect(created.body.status).toMatchObject({ status: 'pending', steps: 0, usage_per_model: [], error: null });
    expect(created.body.started_at).toBeNull();
    expect(created.body.request.messages).toEqual([
      { type: 'user_message', message: 'Top 3 stories on HN?', images: [], caller_id: 'user' },
    ]);
    const id = created.body.id as string;
    await api.waitForStatus(id, 'running');
    await api.waitForStatus(id, 'completed');

    const session = (await api.call('GET', `/sessions/${id}`)).body;
    expect(session.latest_answer).toBe('Answer to: Top 3 stories on HN?');
    expect(session.status).toMatchObject({ status: 'completed', steps: 3, outcome: 'success', error_code: null });
    expect(session.status.usage_per_model[0]).toMatchObject({ name: 'holo3-1-35b-a3b', reasoning_tokens: 0 });
    expect(Date.parse(session.started_at)).toBeGreaterThanOrEqual(Date.parse(session.created_at));
    expect(Date.parse(session.finished_at)).toBeGreaterThanOrEqual(Date.parse(session.started_at));

    const events = await api.events(id);
    const step = ['AgentEvent:policy_event', 'AgentEvent:tool_result', 'MetricsUpdateEvent'];
    expect(events.map(label)).toEqual([
      'RequestStartEvent',
      'RequestStartDispatchedEvent',
      'AgentStartedEvent',
      'ActiveStateChangeEvent',
      'AgentEvent:message_event',
      ...step,
      ...step,
      ...step,
      'AgentEvent:answer_event',
      'AgentCompletionEvent',
    ]);
    expect(events[4].data).toEqual({ kind: 'message_event', caller_id: 'user', content: ['Top 3 stories on HN?'] });
    expect(events.at(-2).data).toEqual({
      kind: 'answer_event',
      answer: 'Answer to: Top 3 stories on HN?',
      outcome: 'success',
    });
    expect(events.at(-1).data).toEqual({ reason: 'finished' });
    for (const e of events) expect(Object.keys(e).sort()).toEqual(['data', 'timestamp', 'type']);
  });

  it('follows a script: step count, answer object and outcome', async () => {
    const id = await api.start('Check prices [sim {"steps": 1, "answer": {"price": 3}, "outcome": "partial"}] please');
    await api.waitForStatus(id, 'completed');
    const session = (await api.call('GET', `/sessions/${id}`)).body;
    expect(session.latest_answer).toEqual({ price: 3 });
    expect(session.status).toMatchObject({ steps: 1, outcome: 'partial' });
  });

  it('generates an answer matching answer_format when the script gives none', async () => {
    const schema = {
      type: 'object',
      title: 'Answer',
      properties: {
        stories: { type: 'array', items: { type: 'string' }, minItems: 1 },
        count: { type: 'integer', minimum: 3 },
        kind: { enum: ['news', 'blog'] },
        ref: { $ref: '#/$defs/Ref' },
        optional: { type: 'string' },
      },
      required: ['stories', 'count', 'kind', 'ref'],
      $defs: { Ref: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } },
    };
    const id = await api.start('[sim {"steps": 0}] top stories', { overrides: { 'agent.answer_format': schema } });
    await api.waitForStatus(id, 'completed');
    const session = (await api.call('GET', `/sessions/${id}`)).body;
    expect(session.latest_answer).toEqual({ stories: ['sample'], count: 3, kind: 'news', ref: { ok: true } });
  });

  it('fails with error and error_code when the script says fail', async () => {
    const id = await api.start('[sim {"steps": 1, "fail": "browser crashed", "failCode": "environment_error"}]');
    await api.waitForStatus(id, 'failed');
    const status = (await api.call('GET', `/sessions/${id}/status`)).body;
    expect(status).toMatchObject({
      status: 'failed',
      error: 'browser crashed',
      error_code: 'environment_error',
      steps: 1,
    });
    const events = await api.events(id);
    expect(events.at(-1)).toMatchObject({ type: 'AgentErrorEvent', data: { error: 'browser crashed' } });
    expect((await api.call('GET', `/sessions/${id}`)).body.finished_at).not.toBeNull();
  });

  it('ends timed_out with error_code timeout when the script says timeout', async () => {
    const id = await api.start('[sim {"steps": 1, "timeout": true, "answer": "partial result"}]');
    await api.waitForStatus(id, 'timed_out');
    const session = (await api.call('GET', `/sessions/${id}`)).body;
    expect(session.status.error_code).toBe('timeout');
    expect(session.latest_answer).toBe('partial result');
    expect((await api.events(id)).at(-1)).toMatchObject({
      type: 'AgentCompletionEvent',
      data: { reason: 'timed_out' },
    });
  });

  it('times out a session that outlives max_time_s, with or without an answer per maxTimeAnswer', async () => {
    const slow = '[sim {"steps": 1000, "answer": "late"}]';
    const withAnswer = await api.start(slow, { max_time_s: 0.1 });
    await api.waitForStatus(withAnswer, 'timed_out');
    expect((await api.call('GET', `/sessions/${withAnswer}`)).body).toMatchObject({
      latest_answer: 'late',
      status: { error_code: 'timeout' },
    });

    api.sim.setOptions({ maxTimeAnswer: false });
    try {
      const without = await api.start(slow, { max_time_s: 0.1 });
      await api.waitForStatus(without, 'timed_out');
      expect((await api.call('GET', `/sessions/${without}`)).body.latest_answer).toBeNull();
    } finally {
      api.sim.setOptions({ maxTimeAnswer: true });
    }
  });

  it('asks the agent for its answer when max_steps is reached (completed by default)', async () => {
    const id = await api.start('[sim {"steps": 50}] long task', { max_steps: 2 });
    await api.waitForStatus(id, 'completed');
    const session = (await api.call('GET', `/sessions/${id}`)).body;
    expect(session.status.steps).toBe(2);
    expect(session.latest_answer).toBe('Answer to: long task');
  });

  it('reports max_steps as timed_out when maxStepsStatus says so', async () => {
    api.sim.setOptions({ maxStepsStatus: 'timed_out' });
    try {
      const id = await api.start('[sim {"steps": 50}] long task', { max_steps: 1 });
      await api.waitForStatus(id, 'timed_out');
      expect((await api.call('GET', `/sessions/${id}/status`)).body).toMatchObject({ steps: 1, error_code: 'timeout' });
    } finally {
      api.sim.setOptions({ maxStepsStatus: 'completed' });
    }
  });

  it('cancels a running session with DELETE: 204, interrupted, and DELETE again changes nothing', async () => {
    const id = await api.start('[sim {"steps": 1000}]');
    await api.waitForStatus(id, 'running');
    const del = await api.call('DELETE', `/sessions/${id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const session = (await api.call('GET', `/sessions/${id}`)).body;
    expect(session.status.status).toBe('interrupted');
    expect(session.finished_at).not.toBeNull();
    expect((await api.events(id)).at(-1)).toMatchObject({ type: 'AgentCompletionEvent', data: { reason: 'stopped' } });

    const again = await api.call('DELETE', `/sessions/${id}`);
    expect(again.status).toBe(204);
    expect((await api.call('GET', `/sessions/${id}`)).body.finished_at).toBe(session.finished_at);
  });

  it('cancels a pending session before it boots', async () => {
    api.sim.setOptions({ bootMs: 60_000 });
    try {
      const id = await api.start('anything');
      expect(await api.status(id)).toBe('pending');
      expect((await api.call('DELETE', `/sessions/${id}`)).status).toBe(204);
      expect(await api.status(id)).toBe('interrupted');
    } finally {
      api.sim.setOptions({ bootMs: 30 });
    }
  });

  it('lists sessions newest first with filters and paging', async () => {
    const group = `g-${Date.now()}`;
    const a = await api.start('[sim {"steps": 0}] alpha task', { group_id: group });
    const b = await api.start('[sim {"steps": 0}] beta task', { group_id: group });
    await api.waitForStatus(b, 'completed');
    const page = (await api.call('GET', `/sessions?group_id=${group}&size=1`)).body;
    expect(page).toMatchObject({ page: 1, total: 2 });
    expect(page.items[0]).toMatchObject({ id: b, agent: 'h/web-surfer-flash', status: 'completed' });
    const oldestFirst = (await api.call('GET', `/sessions?group_id=${group}&sort=created_at`)).body;
    expect(oldestFirst.items.map((s: { id: string }) => s.id)).toEqual([a, b]);
    const searched = (await api.call('GET', `/sessions?group_id=${group}&search=ALPHA`)).body;
    expect(searched.items.map((s: { id: string }) => s.id)).toEqual([a]);
  });

  it('hides sessions from other API keys', async () => {
    const id = await api.start('private');
    const other = await api.call('GET', `/sessions/${id}`, { key: 'hk-other' });
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ detail: 'Session not found' });
  });
});
