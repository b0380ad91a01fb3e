// (c) capacity: N sessions live at once, all followed by one process: first the plain loop (this process), then one
// worker process. Sessions start in paced batches and outlive the start phase, so all N are live together for a
// while; CPU is averaged over that while (the samples where the platform held the most sessions). Transition lag is
// the time from the platform stamping the event of a status transition to the follower knowing it: the loop's /status
// read, the workflow's task that applied it (histories.ts). Both follow with HaiClient's default pool (4,096 sockets).
// The project's sessions are lean (`watch: 'lean'`): the worker follows them by one sweep of the session list.
import { openFilesLimit } from '../support';
import { endingNote, endingOf } from './endings';
import { histories, result, workflowObservations, workflowTaskTimeouts } from './histories';
import { type Config, PROJECT_ONLY } from './options';
import { type Observation, runPlain } from './plain-loop';
import { othersNote, percentile, type Row, type ScenarioReport, withoutBaseline } from './report';
import { between, cores, peakRssMb, type Sample, sampledRssMb, sessionMinutes } from './sampler';
import { LOOP_KEY, Stack, WORKER_KEY } from './stack';
import { answerOf, paced, range, taskOf, until, within } from './workload';

export async function capacity(cfg: Config): Promise<ScenarioReport> {
  const n = cfg.sessions;
  // Every live session holds a socket in its follower and one in the simulator; the dev server adds its own.
  if (openFilesLimit() < 2 * n + 1000)
    console.warn(`warning: ulimit -n is ${openFilesLimit()}; ${n} sessions want more`);
  const task = (i: number) => taskOf(i, cfg.steps, cfg.stepMs);
  const errors: string[] = [];
  const stack = await Stack.start(cfg);
  try {
    const loopHai = stack.platform(LOOP_KEY);
    const workerHai = stack.platform(WORKER_KEY);
    let tenant = loopHai;
    const sampler = stack.sample(async () => (await tenant.getQuota()).active);
    const heartbeats = async () => (await stack.serverOps()).RecordActivityTaskHeartbeat ?? 0;

    const requests0 = await stack.platformRequests();
    const t0 = await sampler.mark();
    const runs: Promise<{ ok: boolean; observations: Observation[] }>[] = [];
    const follow = (i: number) =>
      runPlain(loopHai, task(i)).then(
        (r) => ({ ok: r.answer === answerOf(i), observations: r.observations }),
        (err) => (errors.push(`loop: ${err}`), { ok: false, observations: [] }),
      );
    const live = (hai: typeof loopHai) => async () => (await hai.getQuota()).active;
    const plain = PROJECT_ONLY
      ? []
      : await within(
          cfg.timeoutS,
          'plain loop',
          paced(n, cfg.batch, async (i) => void runs.push(follow(i)), live(loopHai), cfg.startRate).then(() =>
            Promise.all(runs),
          ),
        );
    const t1 = await sampler.mark();
    const requests1 = await stack.platformRequests();
    const heartbeats1 = await heartbeats();
    tenant = workerHai;
    await loopHai.close();

    const sessions = stack.sessions;
    const ids = range(n).map((i) => `${stack.run}-${i}`);
    // Followed by status (`watch: 'lean'`, the batch items' default): what a worker carrying thousands should do.
    const start = async (i: number) =>
      void (await sessions.start({ task: task(i), watch: 'lean' }, { workflowId: ids[i] }));
    const closed = async () => !stack.workerAlive() || (await stack.count(`ExecutionStatus != 'Running'`)) >= n;
    await within(
      cfg.timeoutS,
      'project',
      paced(n, cfg.batch, start, live(workerHai), cfg.startRate).then(() => until(closed, 2000)),
    );
    const t2 = await sampler.mark();
    const requests2 = await stack.platformRequests();
    const heartbeats2 = await heartbeats();
    const samples = await sampler.stop();
    const events = await histories(stack.client, ids);
    const seen = await workflowObservations(workerHai, events);
    const timedOut = workflowTaskTimeouts(events);
    const endings = events.map((h, i) => endingOf(h, seen[i]!));
    const project = events.map((h, i) => ({
      ok: result(h)?.status === 'completed' && result(h)?.answer === answerOf(i),
      observations: seen[i]!,
    }));
    await workerHai.close();
    if (!stack.workerAlive())
      errors.push(`the worker exited (${stack.worker.process.exitCode ?? stack.worker.process.signalCode})`);

    const [loopSpan, projectSpan] = [between(samples, t0, t1), between(samples, t1, t2)];
    const [loopAll, projectAll] = [allLive(loopSpan), allLive(projectSpan)];
    const [loopCores, projectCores] = [cores(loopAll), cores(projectAll)];
    const lag = (runs: typeof plain, status: string, p: number) =>
      percentile(
        runs.flatMap((r) =>
          r.observations.filter((o) => o.status === status).map((o) => (o.observedMs - o.happenedMs) / 1000),
        ),
        p,
      );
    const correct = (runs: typeof plain) => `${runs.filter((r) => r.ok).length}/${n}`;
    const peak = (span: Sample[]) => Math.max(0, ...span.map((s) => s.live));
    const rows: Row[] = [
      { metric: 'live sessions at once (peak)', baseline: peak(loopSpan), project: peak(projectSpan), floor: n },
      { metric: 'CPU while all live (cores)', baseline: loopCores.bench, project: projectCores.worker, floor: null },
      {
        metric: 'peak RSS (MB)',
        baseline: sampledRssMb(loopSpan, (s) => s.bench),
        project: peakRssMb(projectSpan, (s) => s.worker),
        floor: null,
      },
      ...['running', 'completed'].flatMap((status) =>
        [0.5, 0.99].map((p) => ({
          metric: `lag to ${status} p${p * 100} (s)`,
          baseline: lag(plain, status, p),
          project: lag(project, status, p),
          floor: null,
        })),
      ),
      {
        metric: 'platform requests per session-minute',
        baseline: (requests1 - requests0) / sessionMinutes(loopSpan),
        project: (requests2 - requests1) / sessionMinutes(projectSpan),
        floor: null,
      },
      {
        metric: 'heartbeats to the server per session-minute',
        baseline: null,
        project: (heartbeats2 - heartbeats1) / sessionMinutes(projectSpan),
        floor: null,
      },
      { metric: 'sessions correct', baseline: correct(plain), project: correct(project), floor: null },
    ];
    const ok = errors.length === 0 && [...plain, ...project].every((r) => r.ok);
    return {
      scenario: 'c',
      title: `capacity: ${n} live sessions × ${cfg.steps} steps × ${cfg.stepMs} ms, in batches of ${cfg.batch}${cfg.startRate ? `, ${cfg.startRate} starts/s` : ''}`,
      config: cfg,
      rows: PROJECT_ONLY ? withoutBaseline(rows) : rows,
      notes: [
        ...(errors.length ? [`${errors.length} failures, first: ${errors[0]}`] : []),
        `all live: ${secondsOf(loopAll)} s (loop), ${secondsOf(projectAll)} s (project); CPU is averaged over these`,
        `lag: platform event timestamp → loop's /status read, or → completion of the workflow task that applied it`,
        endingNote(endings),
        `workflow tasks timed out: ${timedOut.sticky} waiting on the sticky queue (sent back to the task queue), ${timedOut.inWorker} in the worker`,
        othersNote(loopCores, projectCores),
        `logs in ${stack.dir}`,
      ],
      details: { loopCores, projectCores, timedOut, errors: errors.slice(0, 20) },
      ok,
    };
  } finally {
    await stack.stop();
  }
}

/** The samples from the first to the last where the platform held the most sessions of the phase. */
function allLive(span: Sample[]): Sample[] {
  const most = Math.max(0, ...span.map((s) => s.live));
  const first = span.findIndex((s) => s.live >= most);
  const last = span.findLastIndex((s) => s.live >= most);
  return first < 0 ? [] : span.slice(first, last + 1);
}

const secondsOf = (span: Sample[]) => (span.length > 1 ? Math.round((span.at(-1)!.at - span[0]!.at) / 1000) : 0);
