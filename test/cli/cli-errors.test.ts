// What the command says when something goes wrong: Temporal's own words, JSON under --json, why a session
// failed, and a worker that will not start with a key the platform refuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes';
import { SESSION_WORKFLOW_TYPE } from '../../src/shared/session';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import { type Harness, startHarness } from '../helpers/harness';
import { runCli } from '../helpers/cli';
import { inject } from 'vitest';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

const cli = (args: string[], env: Record<string, string> = {}) => runCli(h, args, env);

/** A workflow that fails at once: started raw with an answer schema the create activity refuses. */
async function failedSession(): Promise<string> {
  const handle = await h.sessions.temporal.workflow.start(SESSION_WORKFLOW_TYPE, {
    taskQueue: h.taskQueue,
    workflowId: `failing-${Date.now()}-${Math.random()}`,
    args: [{ task: 'x', answerSchema: { type: 'bogus' } }],
  });
  await handle.result().catch(() => undefined);
  return handle.workflowId;
}

describe('errors from Temporal', () => {
  it('says what Temporal answered, with exit 2, instead of calling it unreachable', async () => {
    const ran = await cli(['status', 'anything', '--namespace', 'no-such-namespace']);
    expect(ran.code).toBe(EXIT.usage);
    expect(ran.stderr).toMatch(/Temporal refused the request: .*no-such-namespace/i);
    expect(ran.stderr).not.toMatch(/cannot reach/);
  });

  it('keeps exit 4 for a Temporal that cannot be reached', async () => {
    const ran = await cli(['status', 'anything'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(ran.code).toBe(EXIT.connection);
    expect(ran.stderr).toMatch(/cannot reach Temporal/);
  });
});

describe('--json', () => {
  it('prints errors as one JSON object on stdout', async () => {
    const ran = await cli(['status', 'no-such-session', '--json']);
    expect(ran.code).toBe(EXIT.usage);
    expect(JSON.parse(ran.stdout.trim())).toEqual({
      error: 'no session workflow with id "no-such-session"',
      exitCode: EXIT.usage,
    });
  });

  it('ends watch of a failed workflow with a result line that says failed and why', async () => {
    const id = await failedSession();
    const ran = await cli(['watch', id, '--json']);
    expect(ran.code).toBe(EXIT.agentFailed);
    const last = JSON.parse(ran.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ workflowId: id, status: 'failed' });
    expect(last.error).toMatch(/not a valid JSON Schema/);
  });
});

describe('status of a failed session', () => {
  it('says failed, and why, not "creating"', async () => {
    const id = await failedSession();
    const ran = await cli(['status', id]);
    expect(ran.code).toBe(EXIT.ok);
    expect(ran.stdout).toMatch(/status +failed/);
    expect(ran.stdout).toMatch(/error +.*not a valid JSON Schema/);
  });
});

describe('worker start', () => {
  let guarded: RunningSimulator;
  beforeAll(async () => {
    guarded = await startSimulator({ apiKey: 'hk-the-right-key' });
  });
  afterAll(() => guarded?.close());

  it('refuses to start when the platform refuses its key, naming the setting', async () => {
    const ran = await cli(['worker', '--workflow-bundle', inject('workflowBundlePath')], {
      HAI_BASE_URL: guarded.url,
      HAI_API_KEY: 'hk-a-wrong-key',
    });
    expect(ran.code).toBe(EXIT.usage);
    expect(ran.stderr).toMatch(/refused the key in HAI_API_KEY \(401/);
    expect(ran.stderr + ran.stdout).not.toContain('hk-a-wrong-key');
  });
});
