import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index';
import { KEY, label, useSimulator, waitFor } from './helpers';

const CHANGES = 'GET /sessions/{id}/changes';

const api = useSimulator({ stepMs: 10 });

async function finished(message = '[sim {"steps": 1}] task'): Promise<{ id: string; count: number }> {
  const id = await api.start(message);
  await api.waitForStatus(id, 'completed');
  return { id, count: (await api.events(id)).length };
}

async function idleSession(): Promise<{ id: string; count: number }> {
  const id = await api.start('[sim {"steps": 0, "ask": "Which one?"}]', { idle_timeout_s: 60 });
  await api.waitForStatus(id, 'idle');
  return { id, count: (await api.events(id)).length };
}

describe('GET /sessions/{id}/changes', () => {
  it('answers 200 at once when events exist past from_index, whatever the wait', async () => {
    const { id, count } = await finished();
    const started = Date.now();
    const res = await api.call('GET', `/sessions/${id}/changes?from_index=0&wait_for_seconds=20`);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(res.status).toBe(200);
    expect(res.body.new_events).toHaveLength(count);
    expect(res.body).toMatchObject({ status: 'completed', answer: 'Answer to: task', outcome: 'success', error: null });
    expect(res.body.metrics).toMatchObject({ steps: 1 });
    expect(res.body.metrics.cost_per_model[0]).toMatchObject({ name: 'holo3-1-35b-a3b', input_tokens: 1500 });
  });

  it('blocks until an event arrives, then answers 200 with it', async () => {
    const { id, count } = await idleSession();
    const polls = (): number => api.sim.stats().requestsByRoute[CHANGES] ?? 0;
    const before = polls();
    let settled = false;
    const poll = api.call('GET', `/sessions/${id}/changes?from_index=${count}&wait_for_seconds=10`).finally(() => {
      settled = true;
    });
    await waitFor(() => polls() > before);
    expect(settled).toBe(false);
    const sentAt = Date.now();
    const message = { type: 'user_message', message: 'the first' };
    expect((await api.call('POST', `/sessions/${id}/messages`, { body: message })).status).toBe(202);
    const res = await poll;
    expect(res.status).toBe(200);
    expect(Date.now() - sentAt).toBeLessThan(2000);
    expect(res.body.new_events[0]).toMatchObject({
      type: 'AgentEvent',
      data: { kind: 'message_event', content: ['the first'] },
    });
  });

  it('answers 204 with an empty body and ETag: <from_index> when the wait times out', async () => {
    const { id, count } = await idleSession();
    const started = Date.now();
    const res = await api.call('GET', `/sessions/${id}/changes?from_index=${count}&wait_for_seconds=1`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.get('etag')).toBe(String(count));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('answers 204 for a finished session with nothing past the cursor', async () => {
    const { id, count } = await finished();
    const res = await api.call('GET', `/sessions/${id}/changes?from_index=${count}`);
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toBe(String(count));
  });

  it('rejects wait_for_seconds over the cap with a 422 list', async () => {
    const { id } = await finished();
    const res = await api.call('GET', `/sessions/${id}/changes?wait_for_seconds=26`);
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({
      type: 'less_than_equal',
      loc: ['query', 'wait_for_seconds'],
      input: '26',
    });
  });

  it('answers 404 for an unknown session before any waiting', async () => {
    const started = Date.now();
    const res = await api.call('GET', `/sessions/00000000-0000-4000-8000-000000000000/changes?wait_for_seconds=20`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Session not found' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('clamps a negative from_index to 0 and honours limit', async () => {
    const { id, count } = await finished();
    const all = await api.call('GET', `/sessions/${id}/changes?from_index=-5`);
    expect(all.body.new_events).toHaveLength(count);
    const two = await api.call('GET', `/sessions/${id}/changes?from_index=1&limit=2`);
    expect(two.body.new_events.map(label)).toEqual(['RequestStartDispatchedEvent', 'AgentStartedEvent']);
  });

  it('with include_events=false returns no events but still decides 200 vs 204 on new events', async () => {
    const { id, count } = await finished();
    const some = await api.call('GET', `/sessions/${id}/changes?from_index=0&include_events=false`);
    expect(some.status).toBe(200);
    expect(some.body.new_events).toEqual([]);
    expect(some.body.answer).toBe('Answer to: task');
    const none = await api.call('GET', `/sessions/${id}/changes?from_index=${count}&include_events=false`);
    expect(none.status).toBe(204);
  });

  it('caps events per response, and the answer rides the page that delivers it', async () => {
    api.sim.setOptions({ changesPageCap: 4 });
    try {
      const { id, count } = await finished('[sim {"steps": 3}] paged');
      let cursor = 0;
      const pages: { labels: string[]; answer: unknown; status: string }[] = [];
      for (;;) {
        const res = await api.call('GET', `/sessions/${id}/changes?from_index=${cursor}`);
        if (res.status === 204) break;
        pages.push({ labels: res.body.new_events.map(label), answer: res.body.answer, status: res.body.status });
        cursor += res.body.new_events.length;
      }
      expect(cursor).toBe(count);
      expect(pages.every((p) => p.labels.length <= 4 && p.status === 'completed')).toBe(true);
      const answerPage = pages.findIndex((p) => p.labels.includes('AgentEvent:answer_event'));
      expect(answerPage).toBeGreaterThan(0);
      pages.forEach((p, i) => expect(p.answer).toBe(i < answerPage ? null : 'Answer to: paged'));
    } finally {
      api.sim.setOptions({ changesPageCap: 100 });
    }
  });

  it('delivers a structured answer as a JSON string when answerAsJsonString is set', async () => {
    api.sim.setOptions({ answerAsJsonString: true });
    try {
      const { id } = await finished('[sim {"steps": 0, "answer": {"n": 1}}]');
      const res = await api.call('GET', `/sessions/${id}/changes`);
      expect(res.body.answer).toBe('{"n":1}');
      expect((await api.call('GET', `/sessions/${id}`)).body.latest_answer).toEqual({ n: 1 });
    } finally {
      api.sim.setOptions({ answerAsJsonString: false });
    }
  });

  it('ends pending long-polls promptly on close()', async () => {
    const sim = await startSimulator({ stepMs: 10 });
    const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    const created = await fetch(`${sim.url}/api/v2/sessions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ agent: 'h/web-surfer-flash', messages: '[sim {"steps": 100000}]' }),
    });
    const { id } = (await created.json()) as { id: string };
    const poll = fetch(`${sim.url}/api/v2/sessions/${id}/changes?from_index=1000000&wait_for_seconds=25`, {
      headers,
    }).then(
      (r) => r.status,
      () => 'reset',
    );
    await waitFor(() => (sim.stats().requestsByRoute[CHANGES] ?? 0) > 0);
    const started = Date.now();
    await sim.close();
    expect(await poll).toBe(204);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
