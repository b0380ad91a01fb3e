import { describe, expect, it } from 'vitest';
import { label, useSimulator } from './helpers';

const api = useSimulator({ eventsPageMax: 20 });

describe('GET /sessions/{id}/events', () => {
  it('pages the history as {items, page, total}, with sort and type filters', async () => {
    const id = await api.start('[sim {"steps": 4}] paging');
    await api.waitForStatus(id, 'completed');
    const all = (await api.call('GET', `/sessions/${id}/events?size=20`)).body;
    // 5 boot events + 4 steps of 3 events + answer + completion.
    expect(all).toMatchObject({ page: 1, total: 19 });
    expect(all.items).toHaveLength(19);

    const page2 = (await api.call('GET', `/sessions/${id}/events?page=2&size=5`)).body;
    expect(page2).toMatchObject({ page: 2, total: 19 });
    expect(page2.items).toEqual(all.items.slice(5, 10));
    const beyond = (await api.call('GET', `/sessions/${id}/events?page=9&size=5`)).body;
    expect(beyond).toEqual({ items: [], page: 9, total: 19 });

    const newest = (await api.call('GET', `/sessions/${id}/events?sort=-timestamp&size=2`)).body;
    expect(newest.items.map(label)).toEqual(['AgentCompletionEvent', 'AgentEvent:answer_event']);

    const metrics = (await api.call('GET', `/sessions/${id}/events?type=MetricsUpdateEvent`)).body;
    expect(metrics.total).toBe(4);
    expect(metrics.items.map((e: { data: { metrics: { steps: number } } }) => e.data.metrics.steps)).toEqual([
      1, 2, 3, 4,
    ]);
    const stamps = all.items.map((e: { timestamp: string }) => Date.parse(e.timestamp));
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
  });

  it('rejects a size over eventsPageMax with 422', async () => {
    const id = await api.start('[sim {"steps": 0}]');
    const res = await api.call('GET', `/sessions/${id}/events?size=21`);
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ loc: ['query', 'size'], type: 'less_than_equal' });
  });

  it('accepts feedback on the session and on an existing event only', async () => {
    const id = await api.start('[sim {"steps": 0}]');
    await api.waitForStatus(id, 'completed');
    const feedback = { success: true, message: 'great' };
    expect((await api.call('POST', `/sessions/${id}/feedback`, { body: feedback })).status).toBe(204);
    expect((await api.call('PUT', `/sessions/${id}/events/0/feedback`, { body: feedback })).status).toBe(204);
    const missing = await api.call('PUT', `/sessions/${id}/events/999/feedback`, { body: feedback });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: 'Event not found' });
  });
});
