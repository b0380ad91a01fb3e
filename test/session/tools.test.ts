import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { replyUpdate } from '../../src/shared/session';
import { defineTool } from '../../src/tools/registry';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';

const attempts = new Map<string, number>();
const tools = [
  defineTool({
    name: 'add',
    description: 'Add two numbers.',
    input: z.object({ a: z.number(), b: z.number() }),
    run: ({ a, b }) => a + b,
  }),
  defineTool({
    name: 'lookup_order',
    description: 'Look up an order.',
    input: z.object({ id: z.string() }),
    run: ({ id }) => ({ id, status: 'shipped' }),
  }),
  defineTool({
    name: 'flaky',
    description: 'Fails twice, then works.',
    input: z.object({}),
    run: (_args, ctx) => {
      const n = (attempts.get(ctx.callId ?? '') ?? 0) + 1;
      attempts.set(ctx.callId ?? '', n);
      if (ctx.attempt < 3) throw new Error(`flaky failure ${ctx.attempt}`);
      return 'finally';
    },
  }),
  defineTool({
    name: 'broken',
    description: 'Always fails.',
    input: z.object({}),
    run: () => Promise.reject(new Error('disk on fire')),
  }),
];

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ tools });
});
afterAll(() => h?.stop());

const toolPosts = () => h.sim.stats().requestsByRoute['POST /sessions/{id}/tool_results'] ?? 0;

describe('custom tools as activities', () => {
  it('runs two tool calls and posts both results in one request', async () => {
    const before = toolPosts();
    const result = await h.sessions.run({
      task: sim({
        steps: 1,
        tools: [
          { tool_name: 'add', args: { a: 2, b: 3 } },
          { tool_name: 'lookup_order', args: { id: 'A1' } },
        ],
      }),
      tools: ['add', 'lookup_order'],
    });
    expect(result.status).toBe('completed');
    expect(JSON.stringify(result.answer)).toContain('5');
    expect(JSON.stringify(result.answer)).toContain('shipped');
    expect(toolPosts() - before).toBe(1);
    // The tool definitions went to the platform with the session.
    const session = await h.hai.getSession(result.sessionId);
    expect(JSON.stringify(session.request)).toContain('Add two numbers.');
  });

  it('answers the tool calls of a lean session (its events read once it waits for them)', async () => {
    const result = await h.sessions.run({
      task: sim({ steps: 5, tools: [{ tool_name: 'add', args: { a: 20, b: 22 } }] }),
      tools: ['add'],
      watch: 'lean',
    });
    expect(result.status).toBe('completed');
    expect(JSON.stringify(result.answer)).toContain('42');
  });

  it('answers the tool call of a session a retried create finds already waiting for tool results', async () => {
    // The first create's response is lost after the platform made the session; by the retry (same idempotency key)
    // the agent already asks for its tool: the answer to the retry is the session as it is now.
    h.sim.setFaults({ dropRate: 1, remaining: 1, latencyMs: 500, routes: ['POST /sessions'] });
    const handle = await h.sessions.start({
      task: sim({ steps: 1, stepMs: 5, tools: [{ tool_name: 'lookup_order', args: { id: 'late' } }] }),
      tools: ['lookup_order'],
    });
    const result = await handle.result().finally(() => h.sim.setFaults({ dropRate: 0, latencyMs: 0, routes: [] }));
    expect(result.status).toBe('completed');
    expect(JSON.stringify(result.answer)).toContain('shipped');
  });

  it('retries a tool that throws twice, then uses its result', async () => {
    const result = await h.sessions.run({
      task: sim({ steps: 1, tools: [{ tool_name: 'flaky', args: {} }] }),
      tools: ['flaky'],
    });
    expect(JSON.stringify(result.answer)).toContain('finally');
    expect([...attempts.values()]).toContain(3);
  });

  it('answers a failing or unknown tool with an error result instead of leaving the agent stuck', async () => {
    const result = await h.sessions.run({
      task: sim({
        steps: 1,
        tools: [
          { tool_name: 'broken', args: {} },
          { tool_name: 'not_registered', args: {} },
        ],
      }),
      tools: ['broken'],
    });
    expect(result.status).toBe('completed');
    const events = await h.hai.listEvents(result.sessionId, { size: 200 });
    const errors = events.items.filter((e) => (e.data as { kind?: string }).kind === 'error_event');
    expect(JSON.stringify(errors)).toContain('disk on fire');
    expect(JSON.stringify(errors)).toContain('unknown tool \\"not_registered\\"');
  });

  it('refuses a session that lists a tool the worker does not have, naming it', async () => {
    const handle = await h.sessions.start({ task: 'x', tools: ['teleport'] });
    const error = await handle.result().catch((e) => e);
    expect(String(error.cause?.message)).toMatch(
      /unknown tool\(s\) teleport: this worker registers add, lookup_order, flaky, broken, ask_human/,
    );
  });

  it('gets the result of ask_human from a person’s reply', async () => {
    const handle = await h.sessions.start({
      task: sim({ steps: 1, tools: [{ tool_name: 'ask_human', args: { question: 'Budget?' } }] }),
      tools: ['ask_human'],
    });
    const waiting = await eventually('question', async () => {
      const p = await h.sessions.progress(handle.workflowId);
      return p.awaiting?.kind === 'input' ? p : undefined;
    });
    expect(waiting.awaiting?.answer).toBe('Budget?');
    await handle.executeUpdate(replyUpdate, { args: [{ by: 'erin', message: '200 EUR' }] });
    const result = await handle.result();
    expect(JSON.stringify(result.answer)).toContain('200 EUR');
    expect(result.audit).toMatchObject([{ kind: 'reply', by: 'erin', message: '200 EUR' }]);
  });
});
