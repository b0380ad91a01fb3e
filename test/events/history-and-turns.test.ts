// `events` pages a session's whole history; `watch --events --until terminal` spans an interactive session's
// turns; output is one JSON object per line with --json; a reader without a key is told what to set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes';
import { SessionEvents } from '../../src/events/session-events';
import { formatEvent } from '../../src/events/format';
import { type Harness, sim, startHarness } from '../helpers/harness';
import { cli, eventLines, jsonLines, spawnCli } from './cli-process';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

const all = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

describe('events', () => {
  let workflowId: string;
  let platform: { type: string; data: Record<string, unknown> }[];
  beforeAll(async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 340, stepMs: 2, answer: 'long' }, 'many steps') });
    workflowId = handle.workflowId;
    const { sessionId } = await handle.result();
    platform = [];
    for (let page = 1; ; page++) {
      const { items, total } = await h.hai.listEvents(sessionId, { page, size: 200 });
      platform.push(...items);
      if (platform.length >= total) break;
    }
  }, 120_000);

  it('pages a 1,000-event session completely, long after its workflow ended, as JSONL', async () => {
    expect(platform.length).toBeGreaterThanOrEqual(1_000);
    const ran = await cli(h, ['events', workflowId, '--json']);
    expect(ran.code, ran.stderr).toBe(EXIT.ok);
    const events = eventLines(jsonLines(ran.stdout.split('\n')));
    expect(events.map((e) => e.index)).toEqual(platform.map((_, i) => i));
    expect(events.map((e) => [e.type, e.data])).toEqual(platform.map((e) => [e.type, e.data]));
  });

  it('filters by type or AgentEvent kind, from an index, up to a limit, keeping true indexes', async () => {
    const ran = await cli(h, [
      'events',
      workflowId,
      '--type',
      'policy_event,MetricsUpdateEvent',
      '--from',
      '500',
      '--limit',
      '7',
      '--json',
    ]);
    expect(ran.code, ran.stderr).toBe(EXIT.ok);
    const events = eventLines(jsonLines(ran.stdout.split('\n')));
    const expected = platform
      .map((e, index) => ({ index, ...e }))
      .filter((e) => e.index >= 500 && (e.data.kind === 'policy_event' || e.type === 'MetricsUpdateEvent'))
      .slice(0, 7);
    expect(events).toEqual(expected.map((e) => expect.objectContaining(e)));
  });

  it('shows one line per event as a table: actions with their tool calls, the cost as it grows, the answer', async () => {
    const ran = await cli(h, ['events', workflowId, '--limit', '12']);
    expect(ran.code, ran.stderr).toBe(EXIT.ok);
    const lines = ran.stdout.trim().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toMatch(/^#index\s+time\s+what\s+detail$/);
    expect(lines.find((l) => l.includes(' policy '))).toMatch(/→ navigate\(url=https:\/\/example\.com\//);
    expect(lines.find((l) => l.includes(' cost '))).toMatch(/1 step · \$\d+\.\d{4}/);
    const tail = await cli(h, ['events', workflowId, '--type', 'answer_event']);
    expect(tail.stdout).toMatch(/answer\s+\[success\] long/);
  });

  it('gives the same history and stream from code', async () => {
    const events = new SessionEvents(h.sessions.temporal, h.hai);
    const history = await all(events.history(workflowId, { from: 990 }));
    expect(history.map((e) => e.index)).toEqual(platform.slice(990).map((_, i) => 990 + i));
    // The session has ended: the stream drains what is left and stops.
    const streamed = await all(events.stream(workflowId, { from: platform.length - 3 }));
    expect(streamed.map((e) => e.type)).toEqual(platform.slice(-3).map((e) => e.type));
    await expect(all(events.history(workflowId, { limit: 0 }))).rejects.toThrow(/limit must be a whole number ≥ 1/);
  });
});

describe('watch --events on an interactive session', () => {
  it('with --until terminal streams both turns and ends with the result; by default it stops at idle', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 2, answer: 'first' }, 'chat'), idleTimeoutS: 300 });
    const streaming = spawnCli(h, ['watch', handle.workflowId, '--events', '--until', 'terminal', '--json']);
    const answers = () => eventLines(jsonLines(streaming.lines())).filter((e) => e.data.kind === 'answer_event');
    await waitFor(() => answers().length === 1, streaming.stderr);

    // Without --until terminal, the stream stops once the session is idle, and the workflow goes on.
    const settled = await cli(h, ['watch', handle.workflowId, '--events', '--json']);
    expect(settled.code, settled.stderr).toBe(EXIT.ok);
    const upToIdle = jsonLines(settled.stdout.split('\n'));
    expect(upToIdle.at(-1)).toMatchObject({ type: 'ActiveStateChangeEvent', data: { state: 'idle' } });

    await h.sessions.send(handle.workflowId, sim({ steps: 2, answer: 'second' }, 'more'));
    await waitFor(() => answers().length === 2, streaming.stderr);
    await h.sessions.end(handle.workflowId);
    expect(await streaming.exited).toBe(EXIT.ok);

    const objects = jsonLines(streaming.lines());
    expect(objects.at(-1)).toMatchObject({ workflowId: handle.workflowId, status: 'completed', endedBy: 'end' });
    const events = eventLines(objects);
    const total = (await h.hai.listEvents((await handle.result()).sessionId, { size: 1 })).total;
    expect(events.map((e) => e.index)).toEqual([...Array(total).keys()]);
    expect(answers().map((e) => e.data.answer)).toEqual(['first', 'second']);
    const idles = events.filter((e) => e.type === 'ActiveStateChangeEvent' && e.data.state === 'idle');
    expect(idles.length).toBe(2);
    expect(upToIdle.map((o) => o.index)).toEqual(events.slice(0, upToIdle.length).map((e) => e.index));
  });
});

describe('run --events', () => {
  it('prints each step as a line while the agent works, then the answer, exiting as run does', async () => {
    const ran = await cli(h, ['run', sim({ steps: 3, answer: 'done' }, 'look around'), '--events']);
    expect(ran.code, ran.stderr).toBe(EXIT.ok);
    const lines = ran.stdout.trim().split('\n');
    expect(lines.filter((l) => / policy +Step \d+: .*→ navigate\(url=/.test(l))).toHaveLength(3);
    expect(lines.filter((l) => / cost +\d steps? · \$/.test(l))).toHaveLength(3);
    expect(lines.findIndex((l) => /answer +\[success\] done/.test(l))).toBeLessThan(lines.length - 2);
    expect(lines.slice(-2)).toEqual([expect.stringMatching(/^completed /), 'done']);
  });
});

describe('bad input and missing keys', () => {
  it('tells a reader without a key what to set and why, and starts nothing', async () => {
    const noKey = { HAI_API_KEY: '', H_API_KEY: '' };
    const mine = () => all(h.sessions.list({ query: `TaskQueue = '${h.taskQueue}'` }));
    const before = await mine();
    const ran = await cli(h, ['run', sim({ steps: 1 }), '--events'], noKey);
    expect(ran.code).toBe(EXIT.usage);
    expect(ran.stderr).toMatch(/set HAI_API_KEY \(or H_API_KEY\)/);
    expect(ran.stderr).toMatch(/read straight from the platform with your own key/);
    expect(await mine()).toHaveLength(before.length);
    const events = await cli(h, ['events', before[0]!.workflowId], noKey);
    expect(events.code).toBe(EXIT.usage);
    expect(events.stderr).toMatch(/set HAI_API_KEY/);
  });

  it.each([
    [['watch', 'some-id', '--from', '3'], /--from and --until apply to the event stream: add --events/],
    [['run', 'x', '--events', '--detach'], /--events streams while the session runs: drop --detach/],
    [['watch', 'some-id', '--events', '--until', 'forever'], /--until.*expected one of settled, terminal/],
    [['events', 'some-id', '--from', '-1'], /--from.*event index/],
    [['events', 'some-id', '--type', 'a,,b'], /--type.*comma-separated event types/],
    [['events', 'no-such-session'], /no session workflow with id "no-such-session"/],
  ])('%j is refused with a message naming the problem (exit 2)', async (args, message) => {
    const ran = await cli(h, args as string[]);
    expect(ran.code).toBe(EXIT.usage);
    expect(ran.stderr).toMatch(message);
  });
});

describe('the terminal format', () => {
  it('shows unknown event types, kinds and fields generically', () => {
    const at = '2026-05-07T14:30:05Z';
    expect(formatEvent({ index: 7, type: 'BrandNewEvent', data: { foo: 1, bar: 'x' }, timestamp: at })).toBe(
      '#7     14:30:05  BrandNewEvent foo=1 · bar=x',
    );
    expect(
      formatEvent({ index: 8, type: 'AgentEvent', data: { kind: 'plan_event', steps: ['a'] }, timestamp: at }),
    ).toBe('#8     14:30:05  agent/plan_event steps=["a"]');
    expect(
      formatEvent({
        index: 9,
        type: 'AgentEvent',
        data: { kind: 'answer_event', answer: { n: 1 }, mood: 'glad' },
        timestamp: null,
      }),
    ).toBe('#9     --:--:--  answer     {"n":1} · mood=glad');
    const observed = {
      kind: 'observation_event',
      type: 'web',
      text: 'Hacker  News\n1. Story',
      image: { source: 'https://r/1.png', type: 'url' },
    };
    expect(formatEvent({ index: 3, type: 'AgentEvent', data: observed, timestamp: at })).toBe(
      '#3     14:30:05  observe    web Hacker News 1. Story image https://r/1.png',
    );
    const thought = {
      kind: 'policy_event',
      reasoning_content: 'HN first',
      content: null,
      tool_reqs: [{ tool_name: 'click', args: { x: 1 } }],
    };
    expect(formatEvent({ index: 4, type: 'AgentEvent', data: thought, timestamp: at })).toBe(
      '#4     14:30:05  policy     (thinking) HN first → click(x=1)',
    );
  });
});

async function waitFor(check: () => boolean, stderr: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met in time; stderr:\n${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
