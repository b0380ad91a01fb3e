// The `hai-temporal` command as a user runs it: a real process against the test's Temporal and simulator.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';
import { runCli, lastJson } from '../helpers/cli';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

const cli = (args: string[], env: Record<string, string> = {}) => runCli(h, args, env);

describe('hai-temporal run', () => {
  it('waits and prints the answer, exiting 0', async () => {
    const ran = await cli(['run', sim({ steps: 2, answer: 'the answer' })]);
    expect(ran.code).toBe(EXIT.ok);
    expect(ran.stdout).toContain('the answer');
  });

  it('with --json ends stdout with the result object', async () => {
    const ran = await cli(['run', sim({ steps: 1, answer: { n: 1 } }), '--json']);
    expect(ran.code).toBe(EXIT.ok);
    expect(lastJson(ran.stdout)).toMatchObject({ status: 'completed', answer: { n: 1 } });
  });

  it('exits 1 when the agent fails, and says why', async () => {
    const ran = await cli(['run', sim({ steps: 1, fail: 'no luck' }), '--json']);
    expect(ran.code).toBe(EXIT.agentFailed);
    expect(lastJson(ran.stdout)).toMatchObject({ status: 'failed', error: 'no luck' });
  });

  it('validates the answer against --answer-schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hai-cli-'));
    const schema = join(dir, 'schema.json');
    writeFileSync(schema, JSON.stringify({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] }));
    const ran = await cli(['run', sim({ steps: 1, answer: { n: 'x' } }), '--answer-schema', schema, '--json']);
    expect(lastJson(ran.stdout)).toMatchObject({ answerValid: false });
  });

  it('starts detached, then watch follows it to the end', async () => {
    const started = await cli(['run', sim({ steps: 3, answer: 'later' }), '--detach', '--json']);
    expect(started.code).toBe(EXIT.ok);
    const { workflowId } = lastJson(started.stdout);
    const watched = await cli(['watch', workflowId, '--json']);
    expect(watched.code).toBe(EXIT.ok);
    expect(lastJson(watched.stdout)).toMatchObject({ workflowId, answer: 'later' });
  });
});

describe('steering from the command line', () => {
  it('sends, shows status, lists and ends an interactive session', async () => {
    const started = await cli([
      'run',
      sim({ steps: 1, answer: 'hello' }),
      '--idle-timeout',
      '300',
      '--detach',
      '--json',
    ]);
    const { workflowId } = lastJson(started.stdout);
    await eventually('first answer', async () => (await h.sessions.progress(workflowId)).phase === 'awaiting_input');

    const status = await cli(['status', workflowId, '--json']);
    expect(lastJson(status.stdout)).toMatchObject({ workflowId, status: 'idle', answer: 'hello' });

    const sent = await cli(['send', workflowId, sim({ steps: 1, answer: 'again' }, 'more'), '--json']);
    expect(sent.code).toBe(EXIT.ok);
    expect(lastJson(sent.stdout)).toMatchObject({ command: 'send' });
    await eventually('second answer', async () => (await h.sessions.progress(workflowId)).answer === 'again');

    const listed = await eventually('listed', async () => {
      const ran = await cli(['list', '--json']);
      return ran.stdout.includes(workflowId) ? ran : undefined;
    });
    expect(listed.code).toBe(EXIT.ok);

    const ended = await cli(['end', workflowId]);
    expect(ended.code).toBe(EXIT.ok);
    const watched = await cli(['watch', workflowId, '--json']);
    expect(lastJson(watched.stdout)).toMatchObject({ status: 'completed', endedBy: 'end' });
  });

  it('exits 3 after a cancel', async () => {
    const started = await cli(['run', sim({ steps: 1000, stepMs: 20 }), '--detach', '--json']);
    const { workflowId } = lastJson(started.stdout);
    await eventually('running', async () => (await h.sessions.progress(workflowId)).status === 'running');
    expect((await cli(['cancel', workflowId])).code).toBe(EXIT.ok);
    expect((await cli(['watch', workflowId])).code).toBe(EXIT.cancelled);
  });
});

describe('bad input to the command line', () => {
  it.each([
    [['run', ''], /task must not be empty/],
    [['run', 'x', '--max-steps', '0'], /--max-steps.*whole number/],
    [['run', 'x', '--max-time', 'soon'], /--max-time.*number > 0/],
    [['run', 'x', '--answer-schema', '/nonexistent.json'], /--answer-schema: cannot read \/nonexistent.json/],
    [['send', 'some-id'], /missing required argument 'message'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j is refused with a message naming the problem (exit 2)', async (args, message) => {
    const ran = await cli(args as string[]);
    expect(ran.code).toBe(EXIT.usage);
    expect(ran.stderr).toMatch(message);
  });

  it('names an unknown workflow id', async () => {
    const ran = await cli(['status', 'no-such-session']);
    expect(ran.code).toBe(EXIT.usage);
    expect(ran.stderr).toMatch(/no session workflow with id "no-such-session"/);
  });

  it('refuses an empty message to a running session, which stays unharmed', async () => {
    const started = await cli(['run', sim({ steps: 1, answer: 'ok' }), '--idle-timeout', '300', '--detach', '--json']);
    const { workflowId } = lastJson(started.stdout);
    await eventually('answer', async () => (await h.sessions.progress(workflowId)).phase === 'awaiting_input');
    const ran = await cli(['send', workflowId, ' ']);
    expect(ran.code).toBe(EXIT.usage);
    expect(ran.stderr).toMatch(/message must not be empty/);
    expect((await h.sessions.progress(workflowId)).phase).toBe('awaiting_input');
    await h.sessions.end(workflowId);
  });

  it('exits 4 with a clear message when Temporal cannot be reached', async () => {
    const ran = await cli(['list'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(ran.code).toBe(EXIT.connection);
    expect(ran.stderr).toMatch(/cannot reach Temporal/);
  });

  it('refuses a malformed TEMPORAL_ADDRESS naming it', async () => {
    const ran = await cli(['list'], { TEMPORAL_ADDRESS: 'http://nope:7233/x' });
    expect(ran.code).toBe(EXIT.usage);
    expect(ran.stderr).toMatch(/TEMPORAL_ADDRESS/);
  });
});

describe('people in the loop from the command line', () => {
  it('lists a session awaiting approval as pending, approves it, and the result says who', async () => {
    const started = await cli(['run', sim({ steps: 1, answer: 'ship it' }), '--approval', '--detach', '--json']);
    const { workflowId } = lastJson(started.stdout);
    const pending = await eventually('pending', async () => {
      const ran = await cli(['pending', '--json']);
      return ran.stdout.includes(workflowId) ? ran : undefined;
    });
    const entry = pending.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((e) => e.workflowId === workflowId);
    expect(entry.awaiting).toMatchObject({ kind: 'approval', answer: 'ship it' });

    const approved = await cli(['approve', workflowId, '--by', 'alice', '--comment', 'lgtm', '--json']);
    expect(approved.code).toBe(EXIT.ok);
    expect(lastJson(approved.stdout)).toMatchObject({ decision: 'approved' });
    const watched = await cli(['watch', workflowId, '--json']);
    expect(lastJson(watched.stdout)).toMatchObject({ endedBy: 'approval', audit: [{ kind: 'approved', by: 'alice' }] });

    const again = await cli(['approve', workflowId, '--by', 'bob']);
    expect(again.code).toBe(EXIT.usage);
    expect(again.stderr).toMatch(/already ended|already approved/);
  });

  it('rejects with feedback, replies, and refuses a decision nobody asked for', async () => {
    const started = await cli([
      'run',
      sim({ steps: 1, answer: 'v1' }),
      '--approval',
      '--idle-timeout',
      '300',
      '--detach',
      '--json',
    ]);
    const { workflowId } = lastJson(started.stdout);
    await eventually(
      'awaiting approval',
      async () => (await h.sessions.progress(workflowId)).awaiting?.kind === 'approval',
    );
    const missingReason = await cli(['reject', workflowId]);
    expect(missingReason.code).toBe(EXIT.usage);
    expect(missingReason.stderr).toMatch(/--reason/);

    const rejected = await cli([
      'reject',
      workflowId,
      '--reason',
      'vague',
      '--feedback',
      sim({ steps: 1, ask: 'Which part?' }, 'be precise'),
    ]);
    expect(rejected.code).toBe(EXIT.ok);
    await eventually('second round', async () => (await h.sessions.progress(workflowId)).awaiting?.round === 2);
    const rejectedFinal = await cli(['reject', workflowId, '--reason', 'still vague', '--by', 'carol', '--json']);
    expect(lastJson(rejectedFinal.stdout)).toMatchObject({ decision: 'rejected', round: 2 });
    const result = lastJson((await cli(['watch', workflowId, '--json'])).stdout);
    expect(result).toMatchObject({ status: 'rejected' });
    expect(result.audit.map((a: { by: string }) => a.by)).toEqual([expect.any(String), 'carol']);

    const question = lastJson(
      (await cli(['run', sim({ steps: 1, ask: 'Budget?' }), '--idle-timeout', '300', '--detach', '--json'])).stdout,
    );
    await eventually(
      'awaiting input',
      async () => (await h.sessions.progress(question.workflowId)).awaiting?.kind === 'input',
    );
    const notWaiting = await cli(['approve', question.workflowId]);
    expect(notWaiting.code).toBe(EXIT.usage);
    expect(notWaiting.stderr).toMatch(/nothing awaits a decision/);
    const replied = await cli([
      'reply',
      question.workflowId,
      sim({ steps: 1, answer: 'noted' }, '100 EUR'),
      '--by',
      'dana',
    ]);
    expect(replied.code).toBe(EXIT.ok);
    await eventually('answered', async () => (await h.sessions.progress(question.workflowId)).answer === 'noted');
    await h.sessions.end(question.workflowId);
  });

  it.each([
    [['run', 'x', '--approval-timeout', 'soon'], /--approval-timeout.*duration/],
    [['run', 'x', '--on-timeout', 'explode'], /--on-timeout.*one of reject, approve, cancel/],
    [['run', 'x', '--notify-url', 'ftp://x'], /--notify-url.*http\(s\) URL/],
    [['reply', 'id', ''], /message must not be empty/],
  ])('%j is refused naming the problem (exit 2)', async (args, message) => {
    const ran = await cli(args as string[]);
    expect(ran.code).toBe(EXIT.usage);
    expect(ran.stderr).toMatch(message);
  });
});

describe('worker settings', () => {
  it.each([
    ['HAI_BASE_URL', 'not-a-url', /HAI_BASE_URL is not a valid URL/],
    ['HAI_REGION', 'mars', /HAI_REGION must be "eu" or "us"/],
    ['HAI_TEMPORAL_MAX_ACTIVITIES', 'abc', /HAI_TEMPORAL_MAX_ACTIVITIES="abc" must be a whole number/],
    ['HAI_TEMPORAL_MAX_START_WAITS', '-1', /HAI_TEMPORAL_MAX_START_WAITS="-1" must be a whole number ≥ 0/],
    ['HAI_TEMPORAL_WORKFLOW_THREADS', '0', /HAI_TEMPORAL_WORKFLOW_THREADS="0" must be a whole number ≥ 1/],
    [
      'HAI_TEMPORAL_MAX_WORKFLOW_TASK_POLLS',
      '0',
      /HAI_TEMPORAL_MAX_WORKFLOW_TASK_POLLS="0" must be a whole number ≥ 1/,
    ],
    ['HAI_TEMPORAL_NOTIFY_URL', 'http://hooks.example', /HAI_TEMPORAL_WEBHOOK_SECRET is not/],
    ['HAI_TEMPORAL_LOG_LEVEL', 'loud', /HAI_TEMPORAL_LOG_LEVEL="LOUD" must be one of/],
  ])('refuses a bad %s=%s at start, naming it (exit 2)', async (name, value, message) => {
    const ran = await cli(['worker'], { [name]: value, HAI_API_KEY: 'hk-x' });
    expect(ran.code).toBe(EXIT.usage);
    expect(ran.stderr).toMatch(message);
  });
});
