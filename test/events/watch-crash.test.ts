// `watch --events` of a 40-step session: every event in order exactly once, across a kill -9 of the worker
// mid-stream and a restart of the CLI with --from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes';
import { type Harness, sim, startHarness } from '../helpers/harness';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { cli, eventLines, jsonLines, spawnCli, waitForLines } from './cli-process';

let h: Harness;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  h = await startHarness({ noWorker: true });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await h?.stop();
});

describe('watch --events', () => {
  it(
    'shows every event of a 40-step session in order exactly once, across a killed worker and a CLI restarted with --from',
    { timeout: 240_000 },
    async () => {
      const platform = { taskQueue: h.taskQueue, platformUrl: h.sim.url };
      workers.push(await startWorkerProcess(platform));
      const handle = await h.sessions.start({ task: sim({ steps: 40, stepMs: 400, answer: 'forty' }, 'browse') });

      // 16 s of steps: enough left to stream after the kill even when the CLI starts late on a busy machine.
      const first = spawnCli(h, ['watch', handle.workflowId, '--events', '--json']);
      await waitForLines(first, 8);
      await workers[0]!.kill9();
      const atWorkerKill = first.lines().length;
      // The stream reads the platform, not the worker: it goes on while no worker runs.
      await waitForLines(first, atWorkerKill + 15);
      await first.kill9();
      const seen = eventLines(jsonLines(first.lines()));
      const last = seen.at(-1)!.index;

      workers.push(await startWorkerProcess(platform));
      const second = await cli(h, ['watch', handle.workflowId, '--events', '--json', '--from', String(last + 1)]);
      expect(second.code, second.stderr).toBe(EXIT.ok);
      const objects = jsonLines(second.stdout.split('\n'));
      // The workflow's result comes last, once the new worker finished the session.
      expect(objects.at(-1)).toMatchObject({ workflowId: handle.workflowId, status: 'completed', answer: 'forty' });

      const shown = [...seen, ...eventLines(objects)];
      const sessionId = (await handle.result()).sessionId;
      const platformEvents = (await h.hai.listEvents(sessionId, { size: 200 })).items;
      expect(shown.map((e) => e.index)).toEqual(platformEvents.map((_, i) => i));
      expect(shown.map((e) => [e.type, e.data])).toEqual(platformEvents.map((e) => [e.type, e.data]));
      expect(shown.filter((e) => e.data.kind === 'policy_event')).toHaveLength(40);
      expect(seen.length).toBeGreaterThan(atWorkerKill);
      expect(last + 1).toBeLessThan(platformEvents.length);
    },
  );
});
