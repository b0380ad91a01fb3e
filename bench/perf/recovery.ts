// (e) recovery: N sessions live on one worker; once every workflow has seen its session running, the worker is killed
// with SIGKILL and a new one started at once. For each session: the time from the kill until the workflow observed its
// next transition (histories.ts), against the floor, the time from the kill until that transition happened on the
// platform. The sessions are long enough that the next transition of each is its completion.
// No baseline: a plain loop killed this way loses every session it followed (ids and cursors were in its memory).
import { histories, result, workflowObservations } from './histories';
import type { Config } from './options';
import { percentile, type Row, type ScenarioReport } from './report';
import { Stack, WORKER_KEY } from './stack';
import { answerOf, paced, range, taskOf, until, within } from './workload';

export async function recovery(cfg: Config): Promise<ScenarioReport> {
  const n = cfg.sessions;
  const stack = await Stack.start(cfg);
  try {
    const sessions = stack.sessions;
    const tenant = stack.platform(WORKER_KEY);
    const ids = range(n).map((i) => `${stack.run}-${i}`);
    const start = async (i: number) =>
      void (await sessions.start({ task: taskOf(i, cfg.steps, cfg.stepMs) }, { workflowId: ids[i] }));
    const count = (query: string) => stack.count(query);
    await within(
      cfg.timeoutS,
      'starting',
      paced(n, cfg.batch, start, async () => (await tenant.getQuota()).active, cfg.startRate).then(() =>
        until(async () => (await count(`HaiStatus = 'running'`)) + (await count(`ExecutionStatus != 'Running'`)) >= n),
      ),
    );
    const endedBefore = await count(`ExecutionStatus != 'Running'`);
    const killedAt = Date.now();
    await stack.killWorker();
    await stack.startWorker();
    const readyS = (Date.now() - killedAt) / 1000;
    await within(
      cfg.timeoutS,
      'after the kill',
      until(async () => !stack.workerAlive() || (await count(`ExecutionStatus != 'Running'`)) >= n, 2000),
    );
    const events = await histories(stack.client, ids);
    const seen = await workflowObservations(tenant, events);
    await tenant.close();
    const next = seen.flatMap((observed) => observed.find((o) => o.observedMs > killedAt) ?? []);
    const observedS = next.map((o) => (o.observedMs - killedAt) / 1000);
    const floorS = next.map((o) => Math.max(0, o.happenedMs - killedAt) / 1000);
    const correct = events.filter((h, i) => result(h)?.status === 'completed' && result(h)?.answer === answerOf(i));
    const row = (metric: string, project: number | string | null, floor: number | null): Row => ({
      metric,
      baseline: null,
      project,
      floor,
    });
    const rows = [
      row('next transition observed after the kill, max (s)', percentile(observedS, 1), percentile(floorS, 1)),
      row('next transition observed after the kill, p50 (s)', percentile(observedS, 0.5), percentile(floorS, 0.5)),
      row('new worker ready after the kill (s)', readyS, null),
      row('sessions with a transition after the kill', `${next.length}/${n}`, n),
      row('sessions correct', `${correct.length}/${n}`, null),
    ];
    return {
      scenario: 'e',
      title: `recovery: kill -9 of the worker under ${n} live sessions × ${cfg.steps} steps × ${cfg.stepMs} ms`,
      config: cfg,
      rows,
      notes: [
        'baseline: none; a plain loop killed with -9 loses every session it followed (their ids and cursors were in its memory)',
        'floor: from the kill until that transition happened on the platform (observing it at once)',
        ...(endedBefore ? [`${endedBefore} sessions ended before the kill: make them longer (--steps)`] : []),
        `logs in ${stack.dir}`,
      ],
      details: { killedAt, readyS, endedBefore, observedS, floorS },
      ok: correct.length === n && next.length === n,
    };
  } finally {
    await stack.stop();
  }
}
