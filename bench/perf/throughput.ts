// (a) windowed and (b) burst: N one-shot sessions through the plain loop, then through the control (the plainest
// durable design, bench/perf/one-activity/), then through the project (started with SessionClient from this process,
// each awaited for its result), `window` in flight at once; (b) starts all of them at once. The floor is the
// simulator's own pace: ceil(N / window) rounds of a session's nominal time, (steps + 1) × stepMs (its boot, then its
// steps), as if following a session cost nothing.
import { ServiceError } from '@temporalio/client';
import { mapLimit, type ProcSample, sampleProc } from '../support';
import { histories } from './histories';
import { type Config, PROJECT_ONLY } from './options';
import { phaseNote, phaseSummary, phasesOf } from './phases';
import { runPlain } from './plain-loop';
import { othersNote, percentile, type Row, type ScenarioReport, withoutBaseline } from './report';
import type { oneActivitySession } from './one-activity/workflow';
import { between, cores, peakRssMb, sampledRssMb } from './sampler';
import { CONTROL_KEY, LOOP_KEY, Stack, WORKER_KEY } from './stack';
import { answerOf, range, taskOf, within } from './workload';

export const windowed = (cfg: Config) =>
  throughput('a', cfg, cfg.window, `windowed: ${cfg.sessions} sessions × ${cfg.steps} steps × ${cfg.stepMs} ms`);

export const burst = (cfg: Config) =>
  throughput('b', cfg, cfg.sessions, `burst: ${cfg.sessions} sessions × ${cfg.steps} steps × ${cfg.stepMs} ms`);

async function throughput(scenario: string, cfg: Config, window: number, what: string): Promise<ScenarioReport> {
  const n = cfg.sessions;
  const task = (i: number) => taskOf(i, cfg.steps, cfg.stepMs);
  const errors: string[] = [];
  const failed = (err: unknown) => (errors.push(String(err)), false);
  // Thousands of result long-polls at once: the server may drop some (the client then throws a ServiceError); a
  // caller waits again, as a user's code would. Counted, with the first cause, in the notes.
  const retriedWaits: string[] = [];
  const waitForResult = async <T>(handle: { result(): Promise<T> }): Promise<T> => {
    for (;;) {
      try {
        return await handle.result();
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        retriedWaits.push(String((err.cause as Error | undefined)?.message ?? err.message));
      }
    }
  };
  const stack = await Stack.start(cfg);
  try {
    const hai = stack.platform(LOOP_KEY);
    const sampler = stack.sample();
    const requests0 = await stack.platformRequests();
    const t0 = await sampler.mark();
    const loopTotalS: number[] = [];
    const plain = PROJECT_ONLY
      ? []
      : await within(
          cfg.timeoutS,
          'plain loop',
          mapLimit(range(n), window, async (i) => {
            const called = Date.now();
            const ok = await runPlain(hai, task(i)).then(({ answer }) => answer === answerOf(i), failed);
            loopTotalS.push((Date.now() - called) / 1000);
            return ok;
          }),
        );
    const t1 = await sampler.mark();
    const requests1 = await stack.platformRequests();
    await hai.close();

    const ops1 = await stack.settledServerOps();
    const control = PROJECT_ONLY ? undefined : await runControl(stack, cfg, window, task, waitForResult, failed);
    const requests2 = await stack.platformRequests();
    const ops2 = await stack.settledServerOps();

    const sessions = stack.sessions;
    const ids = range(n).map((i) => `${stack.run}-${i}`);
    const calledMs: number[] = [];
    const seenMs: number[] = [];
    const t2 = await sampler.mark();
    const project = await within(
      cfg.timeoutS,
      'project',
      mapLimit(range(n), window, async (i) => {
        try {
          calledMs[i] = Date.now();
          const handle = await sessions.start({ task: task(i) }, { workflowId: ids[i] });
          const result = await waitForResult(handle);
          seenMs[i] = Date.now();
          return result.status === 'completed' && result.answer === answerOf(i);
        } catch (err) {
          return failed(err);
        }
      }),
    );
    const t3 = await sampler.mark();
    const requests3 = await stack.platformRequests();
    const serverCalls = {
      control: control ? callsPerSession(ops1, ops2, n) : undefined,
      project: callsPerSession(ops2, await stack.settledServerOps(), n),
    };
    const samples = await sampler.stop();
    const events = await histories(stack.client, ids);
    const workerHai = stack.platform(WORKER_KEY);
    const phases = phaseSummary(
      await phasesOf(
        workerHai,
        events.map((e, i) => ({ events: e, calledMs: calledMs[i]!, seenMs: seenMs[i]! })),
      ),
    );
    await workerHai.close();

    const loopSpan = between(samples, t0, t1);
    const projectSpan = between(samples, t2, t3);
    const [loopCores, projectCores] = [cores(loopSpan), cores(projectSpan)];
    const correct = (oks: boolean[]) => `${oks.filter(Boolean).length}/${n}`;
    const rows: Row[] = [
      {
        metric: 'wall time (s)',
        baseline: (t1 - t0) / 1000,
        control: control?.wallS ?? null,
        project: (t3 - t2) / 1000,
        floor: floorS(cfg, window),
      },
      {
        metric: 'sessions correct',
        baseline: correct(plain),
        control: control ? correct(control.oks) : null,
        project: correct(project),
        floor: null,
      },
      {
        metric: 'CPU, loop process / worker (cores)',
        baseline: loopCores.bench,
        control: control?.workerCores ?? null,
        project: projectCores.worker,
        floor: null,
      },
      {
        metric: 'peak RSS, loop process / worker (MB)',
        baseline: sampledRssMb(loopSpan, (s) => s.bench),
        control: control?.workerPeakRssMb ?? null,
        project: peakRssMb(projectSpan, (s) => s.worker),
        floor: null,
      },
      {
        metric: 'dev server CPU per session (ms)',
        baseline: null,
        control: control?.serverMsPerSession ?? null,
        project: cpuMsPerSession(projectSpan[0]?.server, projectSpan.at(-1)?.server, n),
        floor: null,
      },
      {
        metric: 'platform requests per session',
        baseline: (requests1 - requests0) / n,
        control: control ? (requests2 - requests1) / n : null,
        project: (requests3 - requests2) / n,
        floor: null,
      },
      {
        metric: 'a session, start call to result, p50 (s)',
        baseline: percentile(loopTotalS, 0.5),
        control: control ? percentile(control.totalS, 0.5) : null,
        project: phases.at(-1)!.p50,
        floor: ((cfg.steps + 1) * cfg.stepMs) / 1000,
      },
    ];
    const ok = errors.length === 0 && [...plain, ...(control?.oks ?? []), ...project].every(Boolean);
    return {
      scenario,
      title: `${what}, ${window === n ? 'all at once' : `${window} in flight`}`,
      config: cfg,
      rows: PROJECT_ONLY ? withoutBaseline(rows) : rows,
      notes: [
        ...(errors.length ? [`${errors.length} sessions failed, first: ${errors[0]}`] : []),
        ...(retriedWaits.length
          ? [`${retriedWaits.length} result waits dropped by the server and waited again, first: ${retriedWaits[0]}`]
          : []),
        `floor: ${Math.ceil(n / window)} round(s) of (${cfg.steps} + 1) × ${cfg.stepMs} ms`,
        CONTROL_NOTE,
        serverCallsNote(serverCalls),
        phaseNote(phases),
        othersNote(loopCores, projectCores),
        `logs in ${stack.dir}`,
      ],
      details: {
        loopCores,
        projectCores,
        serverCalls,
        phases,
        errors: errors.slice(0, 20),
      },
      ok,
    };
  } finally {
    await stack.stop();
  }
}

const CONTROL_NOTE =
  'one-activity wf: the plainest durable design, a workflow whose one activity runs the plain loop ' +
  "(bench/perf/one-activity/), on its own worker process with the project's slots and polls";

/** CPU a process spent between two samples of it, per session, in ms. */
const cpuMsPerSession = (a: ProcSample | undefined, b: ProcSample | undefined, n: number) =>
  a && b ? ((b.cpuS - a.cpuS) * 1000) / n : null;

type Calls = Record<string, number>;

/** Calls that reached the dev server's frontend between two counts, per session, by operation. */
function callsPerSession(before: Calls, after: Calls, n: number): Calls {
  const out: Calls = {};
  for (const [op, count] of Object.entries(after)) {
    const perSession = (count - (before[op] ?? 0)) / n;
    if (perSession >= 0.05) out[op] = Math.round(perSession * 100) / 100;
  }
  return out;
}

const serverCallsNote = ({ control, project }: { control: Calls | undefined; project: Calls }) => {
  const ops = [...new Set([...Object.keys(control ?? {}), ...Object.keys(project)])].sort();
  const cell = (calls: Calls | undefined, op: string) => (calls ? String(calls[op] ?? 0) : '—');
  return `dev server calls per session, one-activity wf · project: ${ops.map((op) => `${op} ${cell(control, op)} · ${cell(project, op)}`).join('; ')}`;
};

interface ControlRun {
  wallS: number;
  oks: boolean[];
  totalS: number[];
  workerCores: number | null;
  workerPeakRssMb: number | null;
  serverMsPerSession: number | null;
}

/** The control's phase: the same sessions, window and waits as the project's, through the one-activity workflow. */
async function runControl(
  stack: Stack,
  cfg: Config,
  window: number,
  task: (i: number) => string,
  waitForResult: <T>(handle: { result(): Promise<T> }) => Promise<T>,
  failed: (err: unknown) => boolean,
): Promise<ControlRun> {
  const taskQueue = `${stack.run}-control`;
  const worker = await stack.startControlWorker(taskQueue, CONTROL_KEY);
  try {
    const [w0, s0] = [sampleProc(worker.pid), sampleProc(stack.server.pid)];
    const from = Date.now();
    const totalS: number[] = [];
    const oks = await within(
      cfg.timeoutS,
      'one-activity workflow',
      mapLimit(range(cfg.sessions), window, async (i) => {
        try {
          const called = Date.now();
          const handle = await stack.client.workflow.start<typeof oneActivitySession>('oneActivitySession', {
            taskQueue,
            workflowId: `${stack.run}-control-${i}`,
            args: [task(i)],
          });
          const answer = await waitForResult(handle);
          totalS.push((Date.now() - called) / 1000);
          return answer === answerOf(i);
        } catch (err) {
          return failed(err);
        }
      }),
    );
    const seconds = (Date.now() - from) / 1000;
    const [w1, s1] = [sampleProc(worker.pid), sampleProc(stack.server.pid)];
    return {
      wallS: seconds,
      oks,
      totalS,
      workerCores: w0 && w1 ? (w1.cpuS - w0.cpuS) / seconds : null,
      workerPeakRssMb: w1?.peakRssMb ?? null,
      serverMsPerSession: cpuMsPerSession(s0, s1, cfg.sessions),
    };
  } finally {
    await worker.stop();
  }
}

const floorS = (cfg: Config, window: number) =>
  (Math.ceil(cfg.sessions / window) * (cfg.steps + 1) * cfg.stepMs) / 1000;
