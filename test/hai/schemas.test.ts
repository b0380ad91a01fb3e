import { describe, expect, it } from 'vitest';
import {
  parseAnswer,
  SessionChangesSchema,
  SessionEventSchema,
  SessionRequestSchema,
  SessionSchema,
  SessionStatusSchema,
  ToolResultSchema,
} from '../../src/hai/schemas';

describe('response schemas are lenient', () => {
  it('lets unknown statuses, fields and event types through', () => {
    const status = SessionStatusSchema.parse({ status: 'archived', new_field: 1 });
    expect(status).toMatchObject({ status: 'archived', new_field: 1, steps: 0, error: null, usage_per_model: [] });
    const event = SessionEventSchema.parse({ type: 'BrandNewEvent', data: { x: 1 }, timestamp: 't', index: 3 });
    expect(event).toMatchObject({ type: 'BrandNewEvent', data: { x: 1 }, index: 3 });
  });

  it('parses the documented session example and normalises missing optional fields to null', () => {
    const session = SessionSchema.parse({
      id: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
      request: { agent: 'h/web-surfer-flash', messages: [{ type: 'user_message', message: 'hi' }] },
      status: {
        status: 'completed',
        error: null,
        steps: 12,
        usage_per_model: [{ name: 'holo3-1-35b-a3b', input_tokens: 24800, output_tokens: 1420, reasoning_tokens: 0 }],
        subagent_session_ids: [],
      },
      latest_answer: '1. ... 2. ... 3. ...',
      created_at: '2026-05-07T14:30:00Z',
      finished_at: '2026-05-07T14:31:15Z',
    });
    expect(session.status.status).toBe('completed');
    expect(session.started_at).toBeNull();
    expect(session.agent_view_url).toBeNull();
  });

  it('parses the documented changes example with a doc-style metrics block', () => {
    const changes = SessionChangesSchema.parse({
      status: 'running',
      started_at: '2026-05-07T14:30:02Z',
      finished_at: null,
      error: null,
      answer: null,
      metrics: {
        steps: 2,
        total_cost: 0.0093874,
        cost_per_model: [{ name: 'holo3-122b-a10b', input_tokens: 21166, output_tokens: 307, total_cost: 0.0093874 }],
      },
      new_events: [{ type: 'AgentEvent', data: { kind: 'policy_event' }, timestamp: '2026-05-07T14:30:05Z' }],
    });
    expect(changes.new_events).toHaveLength(1);
    expect(changes.metrics?.input_cost).toBeNull();
    expect(SessionChangesSchema.parse({ status: 'running' })).toMatchObject({ new_events: [], answer: null });
  });

  it('rejects a body missing the fields that identify it', () => {
    expect(SessionSchema.safeParse({ request: {}, status: { status: 'running' }, created_at: 't' }).success).toBe(
      false,
    );
    expect(SessionChangesSchema.safeParse({ new_events: [] }).success).toBe(false);
  });
});

describe('request schemas', () => {
  it('accept a catalog agent name or an inline agent, and reject bad caps', () => {
    expect(SessionRequestSchema.safeParse({ agent: 'h/web-surfer-flash', messages: 'hi', max_steps: 3 }).success).toBe(
      true,
    );
    const inline = { name: 'my-agent', description: 'does things', environments: ['h/browser'] };
    expect(SessionRequestSchema.safeParse({ agent: inline }).success).toBe(true);
    expect(SessionRequestSchema.safeParse({ agent: 'h/x', max_steps: 0 }).success).toBe(false);
    expect(SessionRequestSchema.safeParse({ messages: 'hi' }).success).toBe(false);
  });

  it('distinguish a tool result from a tool error by kind', () => {
    const tool_req = { tool_name: 'lookup', args: { q: 'x' }, id: 'c1' };
    expect(ToolResultSchema.safeParse({ kind: 'tool_result', tool_req, result: { ok: true } }).success).toBe(true);
    expect(ToolResultSchema.safeParse({ kind: 'error_event', error: 'boom', origin: 'client', tool_req }).success).toBe(
      true,
    );
    expect(ToolResultSchema.safeParse({ kind: 'error_event', tool_req }).success).toBe(false);
  });
});

describe('parseAnswer', () => {
  it('parses answers that arrive as JSON object or array strings', () => {
    expect(parseAnswer('{"stories":["a","b"]}')).toEqual({ stories: ['a', 'b'] });
    expect(parseAnswer(' [1, 2] ')).toEqual([1, 2]);
  });

  it('returns free text, broken JSON, objects and null unchanged', () => {
    expect(parseAnswer('1. first 2. second')).toBe('1. first 2. second');
    expect(parseAnswer('{not json}')).toBe('{not json}');
    expect(parseAnswer('42')).toBe('42');
    const obj = { a: 1 };
    expect(parseAnswer(obj)).toBe(obj);
    expect(parseAnswer(null)).toBeNull();
  });
});
