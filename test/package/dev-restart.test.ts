// `npm start` keeps its promise across its own restart: `hai-temporal dev` (what `npm start` runs) stopped with
// SIGINT (Ctrl-C) mid-session and started again finishes the session with its answer. Temporal keeps its state in
// the data folder's SQLite file, the simulator its sessions in the folder's simulator.json.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionClient } from '../../src/client';
import { eventually, sim } from '../helpers/harness';
import { CLI } from '../helpers/worker-process';
import { start, type Started } from './processes';

const dataDir = mkdtempSync(join(tmpdir(), 'hai-dev-'));
const running: Started[] = [];

afterAll(async () => {
  for (const p of running) await p.stop('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('hai-temporal dev (npm start)', () => {
  it('finishes a session with its answer after being stopped with SIGINT mid-session and started again', async () => {
    const [temporalPort, uiPort, simulatorPort] = [await freePort(), await freePort(), await freePort()];
    const taskQueue = `dev-restart-${process.pid}`;
    const env = { ...process.env };
    for (const name of ['TEMPORAL_ADDRESS', 'HAI_API_KEY', 'H_API_KEY', 'HAI_BASE_URL']) delete env[name];
    const args = [
      CLI,
      '--task-queue',
      taskQueue,
      'dev',
      ...['--temporal-port', String(temporalPort), '--ui-port', String(uiPort)],
      ...['--simulator-port', String(simulatorPort), '--data-dir', dataDir],
    ];
    const startDev = async () => {
      const dev = start(process.execPath, args, { cwd: process.cwd(), env });
      running.push(dev);
      await dev.waitFor(/Ready\./, 120_000);
      return dev;
    };
    const platform = `http://127.0.0.1:${simulatorPort}/api/v2`;
    // The test reads loosely shaped JSON; the assertions say what they expect.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const platformGet = async (path: string): Promise<any> =>
      (await fetch(`${platform}${path}`, { headers: { authorization: 'Bearer hk-simulator' } })).json();

    const first = await startDev();
    const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    try {
      const sessions = new SessionClient(new Client({ connection }), taskQueue);
      const handle = await sessions.start({
        task: sim({ steps: 15, stepMs: 400, answer: 'Three stories: A, B, C' }, 'Top stories'),
      });
      const sessionId = await eventually(
        'the platform session',
        async () => (await platformGet('/sessions')).items[0]?.id,
      );
      await eventually('a few steps done', async () => (await platformGet(`/sessions/${sessionId}/status`)).steps >= 2);

      expect(await first.stop('SIGINT')).toBe(0);
      await expect(platformGet('/sessions')).rejects.toThrow(); // the simulator stopped with the rest
      expect(existsSync(join(dataDir, 'simulator.json'))).toBe(true);
      expect(existsSync(join(dataDir, 'temporal.sqlite'))).toBe(true);

      await startDev();
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'completed', answer: 'Three stories: A, B, C', sessionId });
      const platformSession = await platformGet(`/sessions/${sessionId}`);
      expect(platformSession.status.steps).toBe(15);
      expect(platformSession.agent_view_url).toBe(`http://127.0.0.1:${simulatorPort}/agent-view/${sessionId}`);
      expect((await platformGet('/sessions')).total).toBe(1);
    } finally {
      await connection.close();
    }
  }, 300_000);
});
