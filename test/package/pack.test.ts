// The package as users get it: `npm pack`, installed from the tarball into an empty folder, used from plain .mjs
// (no tsx, no TypeScript): the examples start a worker with a custom tool, run a session to its answer, and run
// agent sessions as children of a workflow of the user's own; a client-only script never loads the worker.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, sim, startHarness } from '../helpers/harness';
import { run, start, type Started } from './processes';

const ROOT = process.cwd();
/** What the build needs; copied so the pack's build never touches the checkout's dist/. */
const BUILD_INPUTS = [
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'tsup.config.ts',
  'README.md',
  'bin',
  'src',
];

let work: string;
let app: string;
let h: Harness;
let worker: Started | undefined;

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: h.temporalAddress,
    HAI_TEMPORAL_TASK_QUEUE: h.taskQueue,
    ...extra,
  };
}

const node = (args: string[], extra?: Record<string, string>) =>
  run(process.execPath, args, { cwd: app, env: env(extra), timeoutMs: 90_000 });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'hai-pack-'));
  const staging = join(work, 'staging');
  for (const path of BUILD_INPUTS) cpSync(join(ROOT, path), join(staging, path), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(staging, 'node_modules'));
  await run('npm', ['pack', '--pack-destination', work], { cwd: staging, timeoutMs: 150_000 });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack made no tarball');

  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-test-app', private: true, type: 'module' }));
  await run('npm', ['install', join(work, tarball), '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: app,
    timeoutMs: 150_000,
  });
  cpSync(join(ROOT, 'examples'), join(app, 'examples'), { recursive: true });
  cpSync(join(ROOT, 'test', 'package', 'fixtures'), join(app, 'fixtures'), { recursive: true });

  h = await startHarness({ noWorker: true });
  worker = start(process.execPath, ['examples/worker-with-tools.mjs'], {
    cwd: app,
    env: env({ HAI_BASE_URL: h.sim.url, HAI_API_KEY: 'hk-pack-test' }),
  });
  await worker.waitFor(/worker ready/, 90_000);
}, 400_000);

afterAll(async () => {
  await worker?.stop();
  await h?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('ships compiled JS with type declarations and no TypeScript sources, tsx or install hooks', () => {
    const installed = join(app, 'node_modules', 'hai-temporal');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.exports)).toEqual(['.', './worker', './workflows', './simulator', './package.json']);
    for (const entry of ['index', 'worker', 'workflows', 'simulator']) {
      expect(readdirSync(join(installed, 'dist'))).toContain(`${entry}.d.ts`);
    }
    expect(readdirSync(installed)).not.toContain('src');
    expect(manifest.dependencies).not.toHaveProperty('tsx');
    expect(manifest.dependencies).not.toHaveProperty('@temporalio/testing');
    expect(Object.keys(manifest.scripts ?? {}).filter((s) => /install/.test(s))).toEqual([]);
  });

  it('runs a session to its answer from plain .mjs: a worker with a custom tool and the client library', async () => {
    const task = sim({ tools: [{ tool_name: 'lookup_order', args: { id: 'A-1' } }] }, 'Where is order A-1?');
    const { stdout } = await node(['examples/client.mjs', task, 'lookup_order']);
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
    expect(result.status).toBe('completed');
    // The simulated agent answers with what the tool returned, so the answer proves the worker's tool ran.
    const answer = typeof result.answer === 'string' ? JSON.parse(result.answer) : result.answer;
    expect(answer.tool_results[0].result).toEqual({
      id: 'A-1',
      status: 'shipped',
      eta: '2026-12-01',
    });

    const loads = join(work, 'client-loads.txt');
    writeFileSync(loads, '');
    const read = await node(
      ['--import', './fixtures/record-loads.mjs', 'fixtures/client-only.mjs', result.workflowId],
      {
        LOADS_FILE: loads,
      },
    );
    expect(JSON.parse(read.stdout.trim())).toEqual({ status: 'completed', answer: result.answer });
    const loaded = readFileSync(loads, 'utf8');
    expect(loaded).toContain('/node_modules/@temporalio/client/'); // the recorder sees what the client loads
    expect(loaded).toContain('/node_modules/hai-temporal/dist/index.js');
    expect(loaded).not.toContain('/node_modules/@temporalio/worker/');
    expect(loaded).not.toContain('/node_modules/@temporalio/core-bridge/');
    expect(loaded).not.toContain('/node_modules/hai-temporal/dist/worker.js');
  });

  it("runs agent sessions as child workflows of the user's own workflow, importing hai-temporal/workflows", async () => {
    const { stdout } = await node(['examples/own-workflow/run.mjs']);
    const digest = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
    expect(digest).toEqual([
      { topic: 'rivers', status: 'completed', answer: "Answer to: Summarise today's news about rivers" },
      { topic: 'mountains', status: 'completed', answer: "Answer to: Summarise today's news about mountains" },
    ]);
  });
});
