// `watch: 'lean'`: sessions followed by their status alone, through one sweep of the platform's session list per
// worker, read their answer, steps and cost once settled, and never page their events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ simulator: { stepMs: 50, changesPageCap: 3 } });
});
afterAll(() => h?.stop());

const requests = (route: string) => h.sim.stats().requestsByRoute[route] ?? 0;

describe('a lean session', () => {
  it('ends with its answer, steps and cost, having read no page of its events', async () => {
    const changesBefore = requests('GET /sessions/{id}/changes');
    const eventsBefore = requests('GET /sessions/{id}/events');
    const result = await h.sessions.run({ task: sim({ steps: 30, answer: 'lean answer' }), watch: 'lean' });
    expect(result).toMatchObject({ status: 'completed', answer: 'lean answer', steps: 30, events: 0 });
    expect(result.turns[0]?.answer).toBe('lean answer');
    // 30 steps with pages of 3 events take 10+ pages to follow by events; lean reads /changes only to wait for the
    // start and, at the end, once without events for the answer.
    expect(requests('GET /sessions/{id}/changes') - changesBefore).toBeLessThanOrEqual(4);
    expect(requests('GET /sessions/{id}/events') - eventsBefore).toBe(0);
  });

  it('many sessions at once are followed by one sweep, not a poll each', { timeout: 60_000 }, async () => {
    const statusBefore = requests('GET /sessions/{id}/status');
    const n = 40;
    const handles = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        h.sessions.start({ task: sim({ steps: 20, answer: `answer ${i}` }), watch: 'lean' }),
      ),
    );
    const results = await Promise.all(handles.map((x) => x.result()));
    results.forEach((r, i) => expect(r).toMatchObject({ status: 'completed', answer: `answer ${i}` }));
    // Each session's /status is read when the sweep says it moved (and at most a few more times when a page
    // boundary hid it), not once a second for its whole life.
    expect(requests('GET /sessions/{id}/status') - statusBefore).toBeLessThanOrEqual(n * 3);
    expect(requests('GET /sessions')).toBeGreaterThan(0);
  });

  it('answers each turn of an interactive session', { timeout: 60_000 }, async () => {
    const handle = await h.sessions.start({
      task: sim({ steps: 3, answer: 'first answer' }),
      idleTimeoutS: 300,
      watch: 'lean',
    });
    const id = handle.workflowId;
    const waiting = (answer: string) => async () => {
      const p = await h.sessions.progress(id);
      return p.phase === 'awaiting_input' && p.answer === answer;
    };
    await eventually('the first answer', waiting('first answer'));
    await h.sessions.send(id, sim({ steps: 2, answer: 'second answer' }, 'and then?'));
    await eventually('the second answer', waiting('second answer'));
    await h.sessions.end(id);
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', endedBy: 'end', answer: 'second answer' });
    expect(result.turns.map((t) => t.answer)).toEqual(['first answer', 'second answer']);
  });

  it('keeps following when the session list fails now and then', { timeout: 60_000 }, async () => {
    h.sim.setFaults({ errorRate: 0.3, routes: ['GET /sessions'] });
    try {
      const result = await h.sessions.run({ task: sim({ steps: 10, answer: 'despite faults' }), watch: 'lean' });
      expect(result).toMatchObject({ status: 'completed', answer: 'despite faults' });
    } finally {
      h.sim.setFaults({});
    }
  });

  it('is refused with a clear error for an unknown mode', async () => {
    await expect(h.sessions.start({ task: 'x', watch: 'sometimes' as never })).rejects.toThrow(/watch/);
  });
});
