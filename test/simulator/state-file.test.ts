// The simulator's `dataFile`: sessions survive a restart of the simulator and carry on where they were.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type Client, startClient, waitFor } from './helpers';

const dirs: string[] = [];
const clients: Client[] = [];

function dataFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-state-'));
  dirs.push(dir);
  return join(dir, 'simulator.json');
}

async function simulator(file: string): Promise<Client> {
  const client = await startClient({ dataFile: file });
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.sim.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const stepsOf = async (api: Client, id: string): Promise<number> =>
  (await api.call('GET', `/sessions/${id}/status`)).body.steps as number;

describe('simulator state file', () => {
  it('continues a session stopped mid-script after a restart, with its steps and events intact', async () => {
    const file = dataFile();
    const first = await simulator(file);
    const id = await first.start('Find flights [sim {"steps": 12, "stepMs": 60, "answer": "Train at 9:14"}]');
    await waitFor(async () => (await stepsOf(first, id)) >= 3, 10_000);
    await first.sim.close();
    expect(existsSync(file)).toBe(true);
    const before = await (async () => {
      const again = await simulator(file);
      const events = await again.events(id);
      const steps = await stepsOf(again, id);
      await again.sim.close();
      return { events, steps };
    })();
    expect(before.steps).toBeGreaterThanOrEqual(3);
    expect(before.steps).toBeLessThan(12);

    const second = await simulator(file);
    await second.waitForStatus(id, 'completed', 20_000);
    const session = (await second.call('GET', `/sessions/${id}`)).body;
    expect(session.latest_answer).toBe('Train at 9:14');
    expect(session.status.steps).toBe(12);
    const events = await second.events(id);
    // The events read before the restart are the first events after it: nothing lost or rewritten.
    expect(events.slice(0, before.events.length)).toEqual(before.events);
    const policySteps = events.filter((e) => e.data.kind === 'policy_event').map((e) => e.data.content);
    expect(policySteps).toEqual(Array.from({ length: 12 }, (_, i) => `Step ${i + 1}: working on the task`));
  });

  it('replays an idempotent create from before the restart instead of creating a second session', async () => {
    const file = dataFile();
    const body = { agent: 'h/web-surfer-flash', messages: 'Once only' };
    const first = await simulator(file);
    const created = await first.create(body, { 'Idempotency-Key': 'restart-key' });
    await first.sim.close();

    const second = await simulator(file);
    const replayed = await second.create(body, { 'Idempotency-Key': 'restart-key' });
    expect(replayed.status).toBe(201);
    expect(replayed.body.id).toBe(created.body.id);
    expect((await second.call('GET', '/sessions')).body.total).toBe(1);
  });

  it('keeps an interactive session idle across a restart and answers its next message', async () => {
    const file = dataFile();
    const first = await simulator(file);
    const id = await first.start('Plan a trip', { idle_timeout_s: 300 });
    await first.waitForStatus(id, 'idle', 10_000);
    await first.sim.close();

    const second = await simulator(file);
    expect(await second.status(id)).toBe('idle');
    const sent = await second.call('POST', `/sessions/${id}/messages`, {
      body: { type: 'user_message', message: 'By train [sim {"answer": "Booked"}]' },
    });
    expect(sent.status).toBe(202);
    await waitFor(async () => (await second.call('GET', `/sessions/${id}`)).body.latest_answer === 'Booked', 10_000);
  });
});

describe('hai-temporal simulator --data-file', () => {
  it('saves its sessions to the file when stopped', async () => {
    const file = dataFile();
    const script = `import('./src/simulator/command.ts').then((m) => m.simulatorCommand().parseAsync(['node', 'simulator', '--port', '0', '--data-file', ${JSON.stringify(file)}]))`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(
        () => out.includes('\n'),
        15_000,
        () => out,
      );
      const url = /listening on (\S+)/.exec(out)?.[1];
      const created = await fetch(`${url}/api/v2/sessions`, {
        method: 'POST',
        headers: { authorization: 'Bearer hk-cli', 'content-type': 'application/json' },
        body: JSON.stringify({ agent: 'h/web-surfer-flash', messages: 'Kept on disk' }),
      });
      const { id } = (await created.json()) as { id: string };
      child.kill('SIGINT');
      await once(child, 'exit');
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { sessions: Array<{ setup: { id: string } }> };
      expect(saved.sessions.map((s) => s.setup.id)).toEqual([id]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('simulator agent view', () => {
  it("links sessions to the simulator's own page, which shows the session's status and answer", async () => {
    const api = await startClient();
    clients.push(api);
    const id = await api.start('Top stories [sim {"answer": "HN, Lobsters, Slashdot"}]');
    await api.waitForStatus(id, 'completed', 10_000);
    const session = (await api.call('GET', `/sessions/${id}`)).body;
    expect(session.agent_view_url).toBe(`${api.sim.url}/agent-view/${id}`);
    const listed = (await api.call('GET', '/sessions')).body.items[0];
    expect(listed.agent_view_url).toBe(session.agent_view_url);

    const page = await fetch(session.agent_view_url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain(id);
    expect(html).toContain('completed');
    expect(html).toContain('HN, Lobsters, Slashdot');
    expect((await fetch(`${api.sim.url}/agent-view/no-such-session`)).status).toBe(404);
  });
});
