// The loop behind lean watches, against a real simulator: a watch wakes when its session moves, an ended session is
// seen from the platform's list of lately finished sessions without waiting for a whole sweep.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusSweep } from '../../src/activities/status-sweep';
import { HaiClient } from '../../src/hai/client';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index';
import { eventually, sim } from '../helpers/harness';

let simulator: RunningSimulator;
let client: HaiClient;
beforeAll(async () => {
  simulator = await startSimulator({ stepMs: 100 });
  client = new HaiClient({ baseUrl: simulator.url, apiKey: 'hk-test', env: {} });
});
afterAll(() => simulator?.close());

async function runningSession(steps: number): Promise<string> {
  const { id } = await client.createSession({ agent: 'h/web-surfer-flash', messages: [{ message: sim({ steps }) }] });
  await eventually('the session running', async () => (await client.getStatus(id)).status === 'running');
  return id;
}

/** The session's status when its watch woke, or undefined while it sleeps. */
function watch(sweep: StatusSweep, id: string, signal = new AbortController().signal) {
  let woken: string | undefined;
  const moved = sweep.moved(id, 'running', 600_000, signal);
  void moved.then(async () => (woken = (await client.getStatus(id)).status)).catch(() => undefined);
  return { moved, woken: () => woken };
}

describe('the status sweep of lean watches', () => {
  it('wakes a watch when its session moves, and only then', async () => {
    const sweep = new StatusSweep(client, { intervalMs: 200 });
    const id = await runningSession(20);
    const w = watch(sweep, id);
    // Two seconds of steps, about ten sweeps that list it running: the watch sleeps through them.
    expect(await eventually('the watch woken', w.woken)).toBe('completed');
  });

  it('sees an ended session from the list of finished ones while a whole sweep is not due', async () => {
    // One sweep at the start, then none for ten minutes: only the finished feed can wake this watch in time.
    const sweep = new StatusSweep(client, { intervalMs: 600_000, finishedIntervalMs: 200 });
    const id = await runningSession(15);
    const w = watch(sweep, id);
    expect(await eventually('the watch woken', w.woken)).toBe('completed');
  });

  it('rejects a waiting watch when it is aborted', async () => {
    const sweep = new StatusSweep(client, { intervalMs: 600_000, finishedIntervalMs: 600_000 });
    const id = await runningSession(50);
    const abort = new AbortController();
    const w = watch(sweep, id, abort.signal);
    abort.abort(new Error('cancelled by the test'));
    await expect(w.moved).rejects.toThrow('cancelled by the test');
  });
});
