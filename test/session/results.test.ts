// SessionClient.results: waiting on many sessions' results from one client with a bounded window of long polls.
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/client';
import type { SessionResultEntry } from '../../src/session-results';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

async function collect(entries: AsyncIterable<SessionResultEntry>): Promise<SessionResultEntry[]> {
  const all: SessionResultEntry[] = [];
  for await (const entry of entries) all.push(entry);
  return all;
}

const answerOf = (e: SessionResultEntry) => ('result' in e ? e.result.answer : e.error.message);

describe('SessionClient.results', () => {
  it('yields every session once, with its own answer', { timeout: 60_000 }, async () => {
    const started = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.sessions.start({ task: sim({ steps: 1 + (i % 4), answer: `answer-${i}` }) }),
      ),
    );
    const ids = started.map((s) => s.workflowId);
    const entries = await collect(h.sessions.results(ids, { concurrency: 3 }));
    expect(entries.map((e) => e.workflowId).sort()).toEqual([...ids].sort());
    for (const [i, id] of ids.entries()) {
      const entry = entries.find((e) => e.workflowId === id)!;
      expect(answerOf(entry)).toBe(`answer-${i}`);
    }
  });

  it('keeps at most `concurrency` waits open: a quick session behind a slow one waits its turn', async () => {
    const slow = await h.sessions.start({ task: sim({ steps: 150, answer: 'slow' }) });
    const quick = await h.sessions.start({ task: sim({ steps: 1, answer: 'quick' }) });
    const ids = [slow.workflowId, quick.workflowId];
    await quick.result();

    const oneAtATime = await collect(h.sessions.results(ids, { concurrency: 1 }));
    expect(oneAtATime.map(answerOf)).toEqual(['slow', 'quick']);

    const slowAgain = await h.sessions.start({ task: sim({ steps: 150, answer: 'slow' }) });
    const both = await collect(h.sessions.results([slowAgain.workflowId, quick.workflowId], { concurrency: 2 }));
    expect(both.map(answerOf)).toEqual(['quick', 'slow']);
  });

  it('gives an unknown or cancelled session an entry with its error, and goes on', async () => {
    const done = await h.sessions.start({ task: sim({ steps: 1, answer: 'fine' }) });
    const cancelled = await h.sessions.start({ task: sim({ steps: 500, answer: 'never' }) });
    await eventually('the session created', async () => (await h.sessions.progress(cancelled.workflowId)).sessionId);
    await cancelled.cancel();
    const entries = await collect(h.sessions.results(['no-such-session', cancelled.workflowId, done.workflowId]));

    const by = (id: string) => entries.find((e) => e.workflowId === id)!;
    expect(entries).toHaveLength(3);
    expect(by('no-such-session')).toMatchObject({ error: expect.any(WorkflowNotFoundError) });
    expect(by(cancelled.workflowId)).toMatchObject({ error: expect.any(WorkflowFailedError) });
    expect(by(done.workflowId)).toMatchObject({ result: { status: 'completed', answer: 'fine' } });
  });

  it('refuses a concurrency that is not a whole number of at least 1, naming it', () => {
    for (const concurrency of [0, -1, 2.5, Number.NaN]) {
      expect(() => h.sessions.results(['x'], { concurrency })).toThrow(InvalidInputError);
      expect(() => h.sessions.results(['x'], { concurrency })).toThrow(/concurrency must be a whole number/);
    }
  });
});
