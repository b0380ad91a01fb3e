// `hai-temporal doctor` and `setup` as an operator runs them: real processes against the run's Temporal dev server,
// a simulator that only accepts its own key, and a worker polling the test's task queue.
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes';
import type { Check } from '../../src/ops/doctor';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { eventually, type Harness, startHarness } from '../helpers/harness';
import { freePort } from './free-port';
import { runCli } from './run-cli';

const KEY = 'hk-doctor-right-key';
let h: Harness;
let healthy: Record<string, string>;

beforeAll(async () => {
  h = await startHarness({ simulator: { apiKey: KEY }, apiKey: KEY });
  healthy = {
    TEMPORAL_ADDRESS: h.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    HAI_TEMPORAL_TASK_QUEUE: h.taskQueue,
    HAI_BASE_URL: h.sim.url,
    HAI_API_KEY: KEY,
  };
});
afterAll(() => h?.stop());

const doctor = async (env: Record<string, string | undefined>) => {
  const ran = await runCli(['doctor', '--json'], { ...healthy, ...env });
  const report = JSON.parse(ran.stdout.trim().split('\n').at(-1)!) as { ok: boolean; checks: Check[] };
  const check = (name: string) => report.checks.find((c) => c.name === name)!;
  return { ...ran, report, check };
};

describe('hai-temporal doctor', () => {
  it('passes every check on a healthy set-up and exits 0, never printing the key', async () => {
    const { code, report, stdout } = await doctor({});
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual([
      'settings',
      'Temporal reachable',
      'namespace',
      'search attributes',
      'workers polling',
      'platform key',
    ]);
    expect(code).toBe(EXIT.ok);
    expect(stdout).not.toContain(KEY);
  });

  it('says the platform refused a wrong key, and how to fix it', async () => {
    const { code, check, stdout, stderr } = await doctor({ HAI_API_KEY: 'hk-doctor-wrong-key' });
    expect(code).toBe(EXIT.connection);
    expect(check('platform key')).toMatchObject({ ok: false, detail: expect.stringContaining('401') });
    expect(check('platform key').fix).toMatch(/HAI_API_KEY/);
    expect(check('workers polling').ok).toBe(true);
    expect(stdout + stderr).not.toContain('hk-doctor-wrong-key');
  });

  it('finds no worker polling a task queue nobody serves, and names the command that starts one', async () => {
    const queue = `nobody-${randomUUID()}`;
    const { code, check } = await doctor({ HAI_TEMPORAL_TASK_QUEUE: queue });
    expect(code).toBe(EXIT.connection);
    expect(check('workers polling')).toMatchObject({ ok: false, detail: expect.stringContaining(queue) });
    expect(check('workers polling').fix).toContain(`HAI_TEMPORAL_TASK_QUEUE=${queue} hai-temporal worker`);
    expect(check('platform key').ok).toBe(true);
  });

  it('reports a missing namespace with the command that creates it, and skips what depends on it', async () => {
    const namespace = `missing-${randomUUID().slice(0, 8)}`;
    const { code, check } = await doctor({ TEMPORAL_NAMESPACE: namespace });
    expect(code).toBe(EXIT.connection);
    expect(check('namespace')).toMatchObject({ ok: false });
    expect(check('namespace').fix).toContain(`temporal operator namespace create --namespace ${namespace}`);
    expect(check('search attributes')).toMatchObject({ ok: false, detail: 'not checked: needs the namespace' });
  });

  it('reports an unreachable Temporal with how to start one', async () => {
    const { code, check } = await doctor({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
    expect(code).toBe(EXIT.connection);
    expect(check('Temporal reachable')).toMatchObject({ ok: false, fix: expect.stringContaining('TEMPORAL_ADDRESS') });
    expect(check('platform key').ok).toBe(true);
  });

  it('refuses bad settings with exit 2, naming the variable', async () => {
    const { code, check } = await doctor({ HAI_TEMPORAL_METRICS_PORT: 'ninety' });
    expect(code).toBe(EXIT.usage);
    expect(check('settings')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('HAI_TEMPORAL_METRICS_PORT'),
    });
  });

  it('prints each problem with its fix in text form', async () => {
    const ran = await runCli(['doctor'], { ...healthy, HAI_API_KEY: 'hk-doctor-wrong-key' });
    expect(ran.stdout).toMatch(/FAIL\s+platform key: .*401/);
    expect(ran.stdout).toMatch(/fix: .*HAI_API_KEY/);
    expect(ran.stdout).toContain('1 problem(s) found');
  });
});

describe('hai-temporal setup', () => {
  it('registers the search attributes on a namespace that lacks them, after which doctor finds them', async () => {
    const namespace = `setup-${randomUUID().slice(0, 8)}`;
    const connection = await Connection.connect({ address: h.temporalAddress });
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('1 day'),
      });
    } finally {
      await connection.close();
    }
    const env = { TEMPORAL_NAMESPACE: namespace };
    const before = await eventually('the new namespace to be usable', async () => {
      const d = await doctor(env);
      return d.check('namespace').ok ? d : undefined;
    });
    expect(before.check('search attributes')).toMatchObject({ ok: false });
    for (const key of SEARCH_ATTRIBUTES) expect(before.check('search attributes').detail).toContain(key.name);

    const ran = await runCli(['setup'], { ...healthy, ...env });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(EXIT.ok);
    expect(ran.stdout).toContain(`registered on namespace "${namespace}"`);

    const after = await eventually('doctor to see the search attributes', async () => {
      const d = await doctor(env);
      return d.check('search attributes').ok ? d : undefined;
    });
    expect(after.check('search attributes').detail).toBe('all registered');
    const again = await runCli(['setup'], { ...healthy, ...env });
    expect(again.stdout).toContain('already has');
  });

  it('with --print shows the temporal commands and changes nothing', async () => {
    const ran = await runCli(['setup', '--print'], { ...healthy, TEMPORAL_NAMESPACE: 'prod' });
    expect(ran.code).toBe(EXIT.ok);
    const lines = ran.stdout.trim().split('\n');
    expect(lines).toEqual(
      SEARCH_ATTRIBUTES.map(
        (k) => `temporal operator search-attribute create --namespace prod --name ${k.name} --type Keyword`,
      ),
    );
  });
});
