// The official `hai-agents` Python SDK, installed unmodified from PyPI, against the simulator. This proves the
// simulator to a client nobody here wrote, and it is how users test their own scripts offline: point `base_url` at
// the simulator and script the agent with `[sim {...}]` directives. Each scenario runs in scenarios.py and reports
// what the SDK returned; the assertions are what a user's script relies on.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator';
import { HAI_AGENTS_VERSION, ensureSdk, runScenario } from './python-sdk';

const KEY = 'hk-sdk-test';

let sim: RunningSimulator;
let python: string;

beforeAll(async () => {
  // First run on a fresh machine: creates .venv-sdk/ and installs the SDK from PyPI.
  [python, sim] = await Promise.all([ensureSdk(), startSimulator({ stepMs: 20, bootMs: 20, apiKey: KEY })]);
}, 180_000);

afterAll(async () => {
  await sim?.close();
});

const scenario = (name: string, extra?: Record<string, string>) =>
  runScenario(name, { python, baseUrl: sim.url, apiKey: KEY, extra });

/** Labels are `EventType` or `EventType:detail` (AgentEvent kind, completion reason, state, run status). */
function expectOrdered(events: string[], ...expected: string[]): void {
  let at = -1;
  for (const label of expected) {
    const next = events.indexOf(label, at + 1);
    expect(next, `${label} after position ${at} in ${events.join(', ')}`).toBeGreaterThan(at);
    at = next;
  }
}

describe(`official Python SDK hai-agents==${HAI_AGENTS_VERSION} against the simulator`, () => {
  it('run_session returns the completed answer, all events in order, and the finished session', async () => {
    const r = await scenario('one_shot');
    expect(r).toMatchObject({ status: 'completed', answer: 'forty-two', outcome: 'success', error: null });
    expect(r.events[0]).toBe('RequestStartEvent');
    expect(r.events.at(-1)).toBe('AgentCompletionEvent:finished');
    expectOrdered(r.events, 'AgentStartedEvent', 'AgentEvent:message_event', 'AgentEvent:policy_event');
    expectOrdered(r.events, 'AgentEvent:answer_event', 'AgentCompletionEvent:finished');
    expect(r.events.filter((e: string) => e === 'AgentEvent:policy_event')).toHaveLength(2);
    expect(r.nextFromIndex).toBe(r.events.length);
    expect(r).toMatchObject({ latestAnswer: 'forty-two', finishedAt: true, steps: 2 });
  });

  it('run_session with answer_schema sends the schema and parses the answer into the pydantic model', async () => {
    const r = await scenario('structured_answer');
    expect(r.status).toBe('completed');
    expect(r.answerIsModel).toBe(true);
    expect(r.answer).toEqual({ model: 'Forecast', value: { city: 'Paris', high_c: 21, sunny: true } });
    expect(r.sentFormatTitle).toBe('Forecast');
  });

  it('run_session with tools runs the local function once and the agent answers from its result', async () => {
    const r = await scenario('custom_tools');
    expect(r.status).toBe('completed');
    expect(r.calls).toEqual([{ sku: 'A-17' }]);
    expect(r.answerParsed.tool_results).toEqual([
      expect.objectContaining({ tool_name: 'lookup_price', result: { sku: 'A-17', cents: 1999 } }),
    ]);
    expectOrdered(
      r.events,
      'ActiveStateChangeEvent:awaiting_tool_results',
      'AgentEvent:tool_result',
      'ActiveStateChangeEvent:running',
      'AgentEvent:answer_event',
      'AgentCompletionEvent:finished',
    );
  });

  it('run_session on a failing agent ends failed with the error and its code, and no answer', async () => {
    const r = await scenario('failure');
    expect(r).toMatchObject({
      status: 'failed',
      answer: null,
      error: 'Browser crashed',
      errorCode: 'environment_error',
    });
    expect(r.events.at(-1)).toBe('AgentErrorEvent');
  });

  it('pause really pauses (no steps, no events), resume and a message to a paused session continue it', async () => {
    const r = await scenario('pause_resume_send');
    expect(r.pausedStatus).toBe('paused');
    // A 1 s long-poll past the last event came back empty, and the step count did not move.
    expect(r.quietWhilePaused).toBe(true);
    expect(r.stillPaused).toBe('paused');
    expect(r.stepsAfterQuiet).toBe(r.pausedSteps);
    expect(r.resumedStatus).toBe('running');
    expect(r.pausedAgain).toBe('paused');
    expect(r.statusAfterSend).toBe('running');
    expect(r.result).toMatchObject({ status: 'completed', answer: 'counted to a few', outcome: 'success' });
    expectOrdered(
      r.result.events,
      'AgentEvent:flow_event:pause',
      'AgentRunStatusChangeEvent:paused',
      'AgentEvent:flow_event:resume',
      'AgentRunStatusChangeEvent:running',
      'AgentEvent:flow_event:pause',
      'AgentRunStatusChangeEvent:paused',
      'AgentRunStatusChangeEvent:running',
      'AgentEvent:message_event',
      'AgentEvent:answer_event',
      'AgentCompletionEvent:finished',
    );
  });

  it('force_answer makes a long-running agent answer now, and wait_for_completion returns it', async () => {
    const r = await scenario('force_answer');
    expect(r).toMatchObject({ status: 'completed', answer: 'Answer to: Find every flight to Lisbon' });
    expectOrdered(r.events, 'AgentEvent:flow_event:force_answer', 'AgentEvent:answer_event');
    expect(r.events.at(-1)).toBe('AgentCompletionEvent:finished');
  });

  it('stream yields every event once, in order, ending with the completion, as the history lists them', async () => {
    const r = await scenario('stream');
    expect(r.events[0]).toBe('RequestStartEvent');
    expect(r.events.at(-1)).toBe('AgentCompletionEvent:finished');
    expectOrdered(r.events, 'AgentStartedEvent', 'AgentEvent:policy_event', 'AgentEvent:answer_event');
    expect(r.events.filter((e: string) => e === 'AgentEvent:policy_event')).toHaveLength(3);
    expect(r.events).toEqual(r.historyEvents);
    expect(r.historyTotal).toBe(r.events.length);
    expect(r.answerEvent).toMatchObject({ answer: 'all quiet', outcome: 'success' });
    expect(r).toMatchObject({ status: 'completed', answer: 'all quiet' });
  });

  it('an interactive session idles after each answer, takes a follow-up, and completes when idle lapses', async () => {
    const r = await scenario('interactive');
    expect(r.first).toMatchObject({ status: 'idle', answer: 'Day 1: Colosseum' });
    expect(r.first.events.at(-1)).toBe('ActiveStateChangeEvent:idle');
    // The follow-up's wait starts at the first turn's cursor: it sees only the second turn.
    expect(r.second).toMatchObject({ id: r.first.id, status: 'idle', answer: 'Day 2: Vatican' });
    expect(r.second.events[0]).toBe('AgentEvent:message_event');
    expect(r.second.events.at(-1)).toBe('ActiveStateChangeEvent:idle');
    expect(r.second.events).not.toContain('RequestStartEvent');
    expect(r.second.nextFromIndex).toBe(r.first.nextFromIndex + r.second.events.length);
    expect(r.statusAfterSecond).toBe('idle');
    expect(r.latestAnswer).toBe('Day 2: Vatican');
    // stream(until="terminal") stays open through idle and ends with the session.
    expect(r.tail).toEqual(['AgentCompletionEvent:finished']);
    expect(r.finalStatus).toBe('completed');
  });

  it('cancel ends a running session interrupted with no answer, and cancelling again is harmless', async () => {
    const r = await scenario('cancel');
    expect(r.result).toMatchObject({ status: 'interrupted', answer: null, error: null });
    expect(r.result.events.at(-1)).toBe('AgentCompletionEvent:stopped');
    expect(r.result.events).not.toContain('AgentEvent:answer_event');
    expect(r).toMatchObject({ statusAfter: 'interrupted', finishedAt: true, secondCancel: 'ok' });
  });

  it('an idempotency key makes one session: a replayed create returns it, a different body is a 422', async () => {
    const key = `sdk-${randomUUID()}`;
    const createdBefore = sim.stats().sessionsCreated;
    const r = await scenario('idempotent_create', { SDK_IDEMPOTENCY_KEY: key });
    expect(r.result).toMatchObject({ status: 'completed', answer: 'booked' });
    expect(r.replayId).toBe(r.result.id);
    expect(r.replayStatus).toBe('completed');
    expect(r.conflict).toMatchObject({ class: 'UnprocessableEntityError', statusCode: 422 });
    expect(r.conflict.body.detail[0].loc).toEqual(['header', 'idempotency-key']);
    const stats = sim.stats();
    expect(stats.createsByIdempotencyKey[key]).toBe(1);
    expect(stats.sessionsCreated - createdBefore).toBe(1);
  });

  it('lists, quota and agents read back, and errors surface as the SDK types them', async () => {
    const r = await scenario('reads_and_errors');
    expect(r.listed).toEqual([expect.objectContaining({ id: r.id, status: 'completed' })]);
    expect(r.listedTotal).toBe(1);
    expect(r.quota.limit).toBeGreaterThan(0);
    expect(r.quota.active + r.quota.available).toBe(r.quota.limit);
    expect(r.agents).toContain('h/web-surfer-flash');
    // The SDK declares no 404 for /status, so it raises its base ApiError carrying the FastAPI body.
    expect(r.missing).toEqual({ class: 'ApiError', statusCode: 404, body: { detail: 'Session not found' } });
    expect(r.invalid).toMatchObject({ class: 'UnprocessableEntityError', statusCode: 422 });
    expect(r.invalid.body.detail[0].loc).toEqual(['body', 'max_steps']);
    expect(r.pastEndIsNone).toBe(true);
  });
});
