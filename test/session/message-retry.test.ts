// Messages have no idempotency key: a retried send checks the platform's echo first. It must neither drop a real
// repeat of the same text nor send twice a message whose echo comes late (buffered while the session is pending).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionProgress } from '../../src/shared/session';
import { eventually, type Harness, sim, startHarness, progressWhere as waitForProgress } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ simulator: { stepMs: 10 } });
});
afterAll(() => h?.stop());

const MESSAGES = 'POST /sessions/{id}/messages';

/** The user messages the platform echoed, in order, from every page (a long session has thousands of events). */
async function echoed(sessionId: string): Promise<string[]> {
  const messages: string[] = [];
  for (let page = 1; ; page++) {
    const { items } = await h.hai.listEvents(sessionId, { page, size: 200 });
    if (items.length === 0) return messages;
    for (const e of items) {
      const data = (e.data ?? {}) as { kind?: string; caller_id?: string; content?: unknown[] };
      if (data.kind === 'message_event' && data.caller_id === 'user') messages.push(String(data.content?.[0]));
    }
  }
}
const progressWhere = (id: string, what: string, check: (p: SessionProgress) => boolean, timeoutMs?: number) =>
  waitForProgress(h, id, what, check, timeoutMs);

// Sequential: each injects a fault that applies to the whole simulator.
describe('a retried message', () => {
  it('that repeats the text of one sent earlier in the same turn is still delivered', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 100_000, stepMs: 20 }) });
    const { sessionId } = await progressWhere(handle.workflowId, 'running', (p) => p.status === 'running');
    await h.sessions.send(handle.workflowId, 'again');
    await eventually('first echo', async () => (await echoed(sessionId!)).includes('again'));
    // The second send's first attempt is refused before the platform handles it; its retry must still send.
    h.sim.setFaults({ errorRate: 1, errorStatus: 503, remaining: 1, routes: [MESSAGES] });
    const faultsBefore = h.sim.stats().faultsInjected;
    try {
      await h.sessions.send(handle.workflowId, 'again');
    } finally {
      h.sim.setFaults({ errorRate: 0, routes: [] });
    }
    expect(h.sim.stats().faultsInjected - faultsBefore).toBe(1);
    await eventually('second echo', async () => (await echoed(sessionId!)).filter((m) => m === 'again').length >= 2);
    expect((await echoed(sessionId!)).filter((m) => m === 'again')).toHaveLength(2);
    await h.sessions.cancel(handle.workflowId);
  });

  it('whose response was lost is not sent again', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 100_000, stepMs: 20 }) });
    const { sessionId } = await progressWhere(handle.workflowId, 'running', (p) => p.status === 'running');
    // Handled by the platform, then the connection is cut: the client cannot know it arrived.
    h.sim.setFaults({ dropRate: 1, remaining: 1, routes: [MESSAGES] });
    try {
      await h.sessions.send(handle.workflowId, 'only once');
    } finally {
      h.sim.setFaults({ dropRate: 0, routes: [] });
    }
    expect(h.sim.stats().requestsByRoute[MESSAGES]).toBeGreaterThanOrEqual(1);
    await eventually('echo', async () => (await echoed(sessionId!)).includes('only once'));
    expect((await echoed(sessionId!)).filter((m) => m === 'only once')).toHaveLength(1);
    await h.sessions.cancel(handle.workflowId);
  });

  it(
    'sent while the session is pending, and echoed only once it starts, is not sent twice',
    { timeout: 90_000 },
    async () => {
      // Longer than a create waits for its session to start (10 s), so the workflow knows a session still pending.
      h.sim.setOptions({ bootMs: 14_000 });
      let handle;
      try {
        handle = await h.sessions.start({ task: sim({ steps: 1, answer: 'a0' }, 'task'), idleTimeoutS: 300 });
        const { sessionId } = await progressWhere(handle.workflowId, 'created', (p) => p.sessionId !== null);
        expect((await h.hai.getStatus(sessionId!)).status).toBe('pending');
        h.sim.setFaults({ dropRate: 1, remaining: 1, routes: [MESSAGES] });
        try {
          await h.sessions.send(handle.workflowId, sim({ steps: 1, answer: 'a1' }, 'early bird'));
        } finally {
          h.sim.setFaults({ dropRate: 0, routes: [] });
        }
        await progressWhere(
          handle.workflowId,
          'both answered',
          (p) => p.answer === 'a1' && p.phase === 'awaiting_input',
        );
        expect((await echoed(sessionId!)).filter((m) => m.startsWith('early bird'))).toHaveLength(1);
      } finally {
        h.sim.setOptions({ bootMs: 10 });
      }
      await h.sessions.end(handle.workflowId);
    },
  );
});
