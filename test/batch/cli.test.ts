// `hai-temporal batch …` as a user runs it: a real process against the test's Temporal, simulator and worker.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes';
import { type Harness, sim, startHarness } from '../helpers/harness';
import { runCli } from '../helpers/cli';

let h: Harness;
const dir = mkdtempSync(join(tmpdir(), 'hai-batch-cli-'));
beforeAll(async () => {
  h = await startHarness({ simulator: { concurrencyLimit: 100 } });
});
afterAll(() => h?.stop());

const cli = (args: string[]) => runCli(h, args, {}, 90_000);

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('hai-temporal batch run', () => {
  it('refuses a malformed JSONL file with its line numbers, and starts nothing', async () => {
    const path = file(
      'bad.jsonl',
      [
        JSON.stringify({ key: 'a', task: sim({ steps: 1 }) }),
        '{"task": "unterminated',
        JSON.stringify({ key: 'b', task: 'fine' }),
        JSON.stringify({ key: 'a', task: 'duplicate key' }),
        '',
        JSON.stringify({ key: 'c', maxSteps: 0 }),
      ].join('\n'),
    );
    const id = `bad-${Date.now()}`;
    const ran = await cli(['batch', 'run', path, '--id', id]);
    expect(ran.code).toBe(EXIT.usage);
    expect(ran.stderr).toMatch(/line 2: not valid JSON/);
    expect(ran.stderr).toMatch(/line 4: key "a" is already used on line 1/);
    expect(ran.stderr).toMatch(/line 6: .*maxSteps/);
    expect(ran.stderr).toMatch(/line 6: .*task/);
    expect(ran.stderr).not.toMatch(/line (1|3):/);
    await expect(h.sessions.temporal.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(h.sim.stats().sessionsCreated).toBe(0);
  });

  it('refuses a CSV file with an unknown column or a bad cell, naming the line', async () => {
    const unknown = await cli(['batch', 'run', file('cols.csv', 'key,task,colour\na,do it,blue\n')]);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toMatch(/line 1: unknown column\(s\) colour/);
    const bad = await cli(['batch', 'run', file('cells.csv', 'key,task,max_steps\na,do it,3\nb,"quoted, fine",x\n')]);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toMatch(/line 3: maxSteps/);
    const takeover = await cli(['batch', 'run', file('takeover.csv', 'key,task,lean_takeover_after\na,do it,5s\n')]);
    expect(takeover.code).toBe(EXIT.usage);
    expect(takeover.stderr).toMatch(/line 2: leanTakeoverAfter: must be between 30s and 30m/);
    expect(h.sim.stats().sessionsCreated).toBe(0);
  });

  it('runs a CSV file and writes every result to --out, then exports them again with batch results', async () => {
    const rows = ['key,task,max_steps'];
    for (let i = 0; i < 6; i++)
      rows.push(`k${i},"${sim({ steps: 2, stepMs: 5, answer: `a, ${i}` }).replace(/"/g, '""')}",5`);
    const out = join(dir, 'out.csv');
    const id = `cli-${Date.now()}`;
    const ran = await cli([
      'batch',
      'run',
      file('ok.csv', rows.join('\n')),
      '--id',
      id,
      '--concurrency',
      '3',
      '--out',
      out,
    ]);
    expect(ran.code, ran.stderr).toBe(EXIT.ok);
    expect(ran.stdout).toMatch(/succeeded 6 · failed 0/);
    const written = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(written.map((r) => [r.key, r.status, r.answer])).toEqual(
      Array.from({ length: 6 }, (_, i) => [`k${i}`, 'succeeded', `a, ${i}`]),
    );
    expect(written.every((r) => Number(r.costUsd) > 0 && r.agentViewUrl)).toBe(true);

    const again = await cli(['batch', 'results', id]);
    expect(again.code).toBe(EXIT.ok);
    expect(
      again.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).key),
    ).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
    const status = await cli(['batch', 'status', id, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'completed', counts: { succeeded: 6 } });
  });
});
