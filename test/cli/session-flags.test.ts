// The CLI flags that shape a session, as a user types them: `run --max-steps --max-time --agent --group-id --tool
// --id` reach the platform's create body; `list --status --limit` filter; `pause`, `resume` and `answer` steer.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EXIT } from '../../src/cli/exit-codes';
import { defineTool } from '../../src/tools/registry';
import { eventually, type Harness, scheduledWatches, sim, startHarness } from '../helpers/harness';
import { runCli, jsonLines } from '../helpers/cli';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    simulator: { stepMs: 10 },
    tools: [defineTool({ name: 'lookup', description: 'Look up.', input: z.object({}), run: () => 'found' })],
  });
});
afterAll(() => h?.stop());

const cli = (args: string[]) => runCli(h, args);

describe('hai-temporal run flags', () => {
  it.concurrent('--max-steps, --max-time, --agent, --group-id, --tool and --id reach the platform', async () => {
    const id = `cli-flags-${randomUUID()}`;
    const task = sim({ steps: 1, tools: [{ tool_name: 'lookup', args: {} }] }, 'look it up');
    const ran = await cli(
      ['run', task, '--max-steps', '7', '--max-time', '90', '--agent', 'h/web-surfer-pro'].concat([
        '--group-id',
        'cli-group',
        '--tool',
        'lookup',
        '--id',
        id,
        '--json',
      ]),
    );
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(EXIT.ok);
    const result = jsonLines(ran.stdout).at(-1)!;
    expect(result).toMatchObject({ workflowId: id, status: 'completed' });
    expect(JSON.stringify(result.answer)).toContain('found');
    const { request } = await h.hai.getSession(String(result.sessionId));
    expect(request).toMatchObject({
      agent: 'h/web-surfer-pro',
      max_steps: 7,
      max_time_s: 90,
      group_id: 'cli-group',
      overrides: { 'agent.tools': [expect.objectContaining({ name: 'lookup' })] },
    });
  });

  it.concurrent('--watch lean follows the session by its status: its result has read no event', async () => {
    const task = sim({ steps: 12, answer: 'lean from the CLI' });
    const ran = await cli(['run', task, '--watch', 'lean', '--lean-takeover-after', '2m', '--json']);
    expect(ran.code).toBe(EXIT.ok);
    const result = jsonLines(ran.stdout).at(-1)!;
    expect(result).toMatchObject({ answer: 'lean from the CLI', steps: 12, events: 0 });
    // --lean-takeover-after is the lean watch's heartbeat timeout.
    const history = await h.sessions.temporal.workflow.getHandle(String(result.workflowId)).fetchHistory();
    const timeouts = scheduledWatches(history).map((w) => Number(w.heartbeatTimeout?.seconds));
    expect(new Set(timeouts)).toEqual(new Set([120]));

    const refused = await cli(['run', 'x', '--watch', 'sometimes']);
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.stderr).toMatch(/--watch/);
    const tooShort = await cli(['run', 'x', '--watch', 'lean', '--lean-takeover-after', '5s']);
    expect(tooShort.code).toBe(EXIT.usage);
    expect(tooShort.stderr).toMatch(/leanTakeoverAfter: must be between 30s and 30m/);
  });
});

describe('hai-temporal list, pause, resume and answer', () => {
  it.concurrent('steer a running session from the command line, and list filters by status and limit', async () => {
    const done = await h.sessions.start({ task: sim({ steps: 1, answer: 'done' }) });
    await done.result();
    const started = await cli(['run', sim({ steps: 100_000, stepMs: 20 }, 'long'), '--detach', '--json']);
    expect(started.code).toBe(EXIT.ok);
    const { workflowId } = jsonLines(started.stdout).at(-1)! as { workflowId: string };
    const running = await eventually('running', async () => {
      const p = await h.sessions.progress(workflowId);
      return p.status === 'running' ? p : undefined;
    });
    const sessionId = running.sessionId!;

    // list --status running shows it, and only running sessions.
    const listed = await eventually('listed as running', async () => {
      const ran = await cli(['list', '--status', 'running', '--limit', '1000', '--json']);
      const entries = jsonLines(ran.stdout);
      return entries.some((e) => e.workflowId === workflowId) ? entries : undefined;
    });
    expect(listed.every((e) => e.sessionStatus === 'running')).toBe(true);
    expect(listed.some((e) => e.workflowId === done.workflowId)).toBe(false);
    // Two sessions at least exist; --limit 1 shows one.
    expect(jsonLines((await cli(['list', '--limit', '1', '--json'])).stdout)).toHaveLength(1);

    const paused = await cli(['pause', workflowId, '--json']);
    expect(paused.code).toBe(EXIT.ok);
    expect(jsonLines(paused.stdout).at(-1)).toMatchObject({ workflowId, command: 'pause' });
    await eventually('paused on the platform', async () => (await h.hai.getStatus(sessionId)).status === 'paused');

    const resumed = await cli(['resume', workflowId, '--json']);
    expect(jsonLines(resumed.stdout).at(-1)).toMatchObject({ workflowId, command: 'resume' });
    await eventually('running again', async () => (await h.hai.getStatus(sessionId)).status === 'running');

    const answered = await cli(['answer', workflowId, '--json']);
    expect(jsonLines(answered.stdout).at(-1)).toMatchObject({ workflowId, command: 'forceAnswer' });
    const result = await h.sessions.handle(workflowId).result();
    expect(result.status).toBe('completed');
    expect(result.answer).not.toBeNull();

    // list --limit 1 --status completed: one line, a completed session.
    await eventually('listed as completed', async () => {
      const ran = await cli(['list', '--status', 'completed', '--limit', '1', '--json']);
      const entries = jsonLines(ran.stdout);
      return entries.length === 1 && entries[0]!.sessionStatus === 'completed';
    });
  });
});
