import { describe, expect, it } from 'vitest';
import { label, startClient, useSimulator, waitFor } from './helpers';

const api = useSimulator({ stepMs: 10 });
const send = (id: string, message: string) =>
  api.call('POST', `/sessions/${id}/messages`, { body: { type: 'user_message', message } });

async function steps(id: string): Promise<number> {
  return (await api.call('GET', `/sessions/${id}/status`)).body.steps;
}

describe('steering a session', () => {
  it('pauses (keeping state, no steps), resumes, and emits the flow events', async () => {
    const id = await api.start('[sim {"steps": 100000}]');
    await api.waitForStatus(id, 'running');
    const pause = await api.call('POST', `/sessions/${id}/pause`);
    expect(pause.status).toBe(202);
    expect(pause.text).toBe('');
    expect(await api.status(id)).toBe('paused');
    const frozen = await steps(id);
    const eventsWhenPaused = (await api.events(id)).length;
    // The quota still counts a paused session.
    expect((await api.call('GET', '/sessions/quota')).body.active).toBeGreaterThanOrEqual(1);

    expect((await api.call('POST', `/sessions/${id}/resume`)).status).toBe(202);
    await waitFor(async () => (await steps(id)) > frozen);
    const labels = (await api.events(id)).map(label);
    expect(labels.slice(eventsWhenPaused - 2, eventsWhenPaused + 2)).toEqual([
      'AgentEvent:flow_event',
      'AgentRunStatusChangeEvent',
      'AgentEvent:flow_event',
      'AgentRunStatusChangeEvent',
    ]);
    // Resume on a running session is a documented no-op.
    expect((await api.call('POST', `/sessions/${id}/resume`)).status).toBe(202);
    await api.call('DELETE', `/sessions/${id}`);
  });

  it('auto-resumes a paused session when a message arrives, then delivers it', async () => {
    const id = await api.start('[sim {"steps": 100000}]');
    await api.waitForStatus(id, 'running');
    await api.call('POST', `/sessions/${id}/pause`);
    expect((await send(id, 'carry on please')).status).toBe(202);
    expect(await api.status(id)).toBe('running');
    await waitFor(async () =>
      (await api.events(id)).some((e) => e.data.kind === 'message_event' && e.data.content[0] === 'carry on please'),
    );
    await api.call('DELETE', `/sessions/${id}`);
  });

  it('buffers a message sent while pending and lets its directive govern the first turn', async () => {
    api.sim.setOptions({ bootMs: 300 });
    try {
      const id = await api.start('initial task');
      expect(await api.status(id)).toBe('pending');
      await send(id, '[sim {"steps": 0, "answer": "from the buffered message"}]');
      await api.waitForStatus(id, 'completed');
      const session = (await api.call('GET', `/sessions/${id}`)).body;
      expect(session.latest_answer).toBe('from the buffered message');
    } finally {
      api.sim.setOptions({ bootMs: 10 });
    }
  });

  it('idles after an answer, wakes on a follow-up whose directive governs the turn, and answers again', async () => {
    const id = await api.start('[sim {"steps": 1, "ask": "Which city?"}] book a hotel', { idle_timeout_s: 60 });
    await api.waitForStatus(id, 'idle');
    expect((await api.call('GET', `/sessions/${id}`)).body.latest_answer).toBe('Which city?');
    expect((await api.events(id)).at(-1)).toMatchObject({ type: 'ActiveStateChangeEvent', data: { state: 'idle' } });

    expect((await send(id, 'Paris [sim {"steps": 2, "answer": "Booked in Paris"}]')).status).toBe(202);
    await waitFor(async () => (await api.call('GET', `/sessions/${id}`)).body.latest_answer === 'Booked in Paris');
    await api.waitForStatus(id, 'idle');
    const session = (await api.call('GET', `/sessions/${id}`)).body;
    expect(session.status.steps).toBe(3);
    expect(session.finished_at).toBeNull();
    const labels = (await api.events(id)).map(label);
    const wake = labels.lastIndexOf('AgentEvent:message_event');
    expect(labels.slice(wake, wake + 2)).toEqual(['AgentEvent:message_event', 'ActiveStateChangeEvent']);
    await api.call('DELETE', `/sessions/${id}`);
  });

  it('ends an idle session when idle_timeout_s lapses: completed by default, timed_out by option', async () => {
    // A second simulator with the other option value, so both windows lapse at the same time.
    const strict = await startClient({ idleTimeoutStatus: 'timed_out' });
    try {
      const [id, other] = await Promise.all([
        api.start('[sim {"steps": 0}]', { idle_timeout_s: 1 }),
        strict.start('[sim {"steps": 0}]', { idle_timeout_s: 1 }),
      ]);
      await Promise.all([api.waitForStatus(id, 'completed', 3000), strict.waitForStatus(other, 'timed_out', 3000)]);
      expect((await api.call('GET', `/sessions/${id}`)).body.finished_at).not.toBeNull();
      expect((await strict.call('GET', `/sessions/${other}/status`)).body.error_code).toBe('timeout');
    } finally {
      await strict.sim.close();
    }
  });

  it('force_answer makes the agent answer on its next step', async () => {
    const id = await api.start('[sim {"steps": 100000, "answer": "forced"}]');
    await api.waitForStatus(id, 'running');
    expect((await api.call('POST', `/sessions/${id}/force_answer`)).status).toBe(202);
    await api.waitForStatus(id, 'completed');
    const labels = (await api.events(id)).map(label);
    expect(labels.indexOf('AgentEvent:flow_event')).toBeLessThan(labels.indexOf('AgentEvent:answer_event'));
    expect((await api.call('GET', `/sessions/${id}`)).body.latest_answer).toBe('forced');
  });

  it('requests custom tools, waits in awaiting_tool_results, and resumes once every call has a result', async () => {
    const script = {
      steps: 1,
      tools: [
        { tool_name: 'lookup', args: { q: 'a' } },
        { tool_name: 'lookup', args: { q: 'b' } },
      ],
    };
    const id = await api.start(`[sim ${JSON.stringify(script)}] use my tools`);
    await api.waitForStatus(id, 'awaiting_tool_results');
    const events = await api.events(id);
    const request = events.at(-1);
    expect(request).toMatchObject({ type: 'ActiveStateChangeEvent', data: { state: 'awaiting_tool_results' } });
    const [first, second] = request.data.pending_tool_calls;
    expect(first).toMatchObject({ tool_name: 'lookup', args: { q: 'a' } });
    expect(events.at(-3)).toMatchObject({ data: { kind: 'policy_event', tool_reqs: [first, second] } });

    const unknown = await api.call('POST', `/sessions/${id}/tool_results`, {
      body: { kind: 'tool_result', tool_req: { ...first, id: 'nope' }, result: 1 },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail[0].loc).toEqual(['body', 'tool_req', 'id']);

    expect(
      (
        await api.call('POST', `/sessions/${id}/tool_results`, {
          body: { kind: 'tool_result', tool_req: first, result: 'A' },
        })
      ).status,
    ).toBe(202);
    expect(await api.status(id)).toBe('awaiting_tool_results');
    // The surviving call is re-published, as the SDK's tool loop expects.
    expect((await api.events(id)).at(-1)).toMatchObject({
      type: 'ActiveStateChangeEvent',
      data: { state: 'awaiting_tool_results', pending_tool_calls: [second] },
    });
    const batch = {
      type: 'batch',
      results: [{ kind: 'error_event', tool_req: second, error: 'boom', origin: 'client' }],
    };
    expect((await api.call('POST', `/sessions/${id}/tool_results`, { body: batch })).status).toBe(202);
    await api.waitForStatus(id, 'completed');
    const answer = JSON.parse((await api.call('GET', `/sessions/${id}`)).body.latest_answer);
    expect(answer.tool_results).toEqual([
      { id: first.id, tool_name: 'lookup', result: 'A' },
      { id: second.id, tool_name: 'lookup', error: 'boom' },
    ]);

    const late = await api.call('POST', `/sessions/${id}/tool_results`, {
      body: { kind: 'tool_result', tool_req: first, result: 'A' },
    });
    expect(late.status).toBe(409);
    expect(late.body).toEqual({ detail: 'The session already finished' });
  });

  it('restarts a terminal session on a message by default', async () => {
    const id = await api.start('[sim {"steps": 0, "answer": "first"}]');
    await api.waitForStatus(id, 'completed');
    expect((await send(id, '[sim {"steps": 0, "answer": "second"}]')).status).toBe(202);
    await waitFor(async () => (await api.call('GET', `/sessions/${id}`)).body.latest_answer === 'second');
    await api.waitForStatus(id, 'completed');
    const answers = (await api.events(id)).filter((e) => e.data.kind === 'answer_event').map((e) => e.data.answer);
    expect(answers).toEqual(['first', 'second']);
  });

  it('rejects a message to a terminal session with 409 when messageToTerminal is reject', async () => {
    api.sim.setOptions({ messageToTerminal: 'reject' });
    try {
      const id = await api.start('[sim {"steps": 0}]');
      await api.waitForStatus(id, 'completed');
      const res = await send(id, 'more');
      expect(res.status).toBe(409);
      expect(typeof res.body.detail).toBe('string');
      expect(await api.status(id)).toBe('completed');
    } finally {
      api.sim.setOptions({ messageToTerminal: 'restart' });
    }
  });

  it('treats pause/resume/force_answer on inactive sessions per controlOnInactive', async () => {
    const id = await api.start('[sim {"steps": 0}]');
    await api.waitForStatus(id, 'completed');
    for (const verb of ['pause', 'resume', 'force_answer']) {
      expect((await api.call('POST', `/sessions/${id}/${verb}`)).status).toBe(202);
    }
    api.sim.setOptions({ controlOnInactive: 'reject' });
    try {
      for (const verb of ['pause', 'resume', 'force_answer']) {
        const res = await api.call('POST', `/sessions/${id}/${verb}`);
        expect(res.status).toBe(409);
        expect(typeof res.body.detail).toBe('string');
      }
    } finally {
      api.sim.setOptions({ controlOnInactive: 'noop' });
    }
  });

  it('accepts a batch of messages', async () => {
    const id = await api.start('[sim {"steps": 0, "ask": "?"}]', { idle_timeout_s: 60 });
    await api.waitForStatus(id, 'idle');
    const batch = { type: 'batch', messages: [{ message: 'one' }, { type: 'user_message', message: 'two' }] };
    expect((await api.call('POST', `/sessions/${id}/messages`, { body: batch })).status).toBe(202);
    await waitFor(async () => (await api.call('GET', `/sessions/${id}`)).body.latest_answer === 'Answer to: two');
    await api.call('DELETE', `/sessions/${id}`);
  });
});
