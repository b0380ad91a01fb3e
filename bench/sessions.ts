// Capacity benchmark (DESIGN.md, "Capacity"): N scripted sessions through one worker process, with the
// Temporal dev server, the simulator and the worker each in a process of its own so that /proc can say
// which of them spends the CPU and the memory. Loopback only; every process it starts, it stops.
//
//   npx tsx bench/sessions.ts --sessions 2000 --steps 60 --step-ms 2000 [--batch 100] [--timeout-s 900]
//
// Prints a summary and writes it, with a per-second timeline, to bench/results/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { SessionClient } from '../src/client';
import type { SessionResult } from '../src/shared/session';
import type { SimulatorStats } from '../src/simulator';
import { findTemporalCli, MISSING_CLI_HELP, PROJECT_ROOT } from '../src/temporal/cli-binary';
import { SEARCH_ATTRIBUTES } from '../src/temporal/search-attributes';
import { WORKFLOWS_PATH } from '../src/worker';
import {
  type Child,
  environment,
  freePort,
  machineBusyS,
  mapLimit,
  openFilesLimit,
  type ProcSample,
  sampleProc,
  serverRequestsByOperation,
  sleep,
  startChild,
} from './support';

const { values: flags } = parseArgs({
  options: {
    sessions: { type: 'string', default: '200' },
    steps: { type: 'string', default: '20' },
    'step-ms': { type: 'string', default: '500' },
    // Starts go in batches; the next batch waits until the platform has created the previous one, so
    // at most two batches are between "started" and "created" (bursts timed out sticky workflow tasks).
    batch: { type: 'string', default: '100' },
    // Events per /changes page; the prototype ran with 3 (one page per simulated step).
    'page-cap': { type: 'string', default: '3' },
    'timeout-s': { type: 'string', default: '900' },
    // `file`: SQLite in a file, as a dev server that keeps its state; `memory`: the dev server's default.
    db: { type: 'string', default: 'file' },
    out: { type: 'string', default: join(PROJECT_ROOT, 'bench', 'results') },
  },
});

const int = (name: keyof typeof flags, min: number): number => {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return value;
};
const N = int('sessions', 1);
const STEPS = int('steps', 0);
const STEP_MS = int('step-ms', 0);
const BATCH = int('batch', 1);
const PAGE_CAP = int('page-cap', 1);
const TIMEOUT_MS = int('timeout-s', 10) * 1000;
const DB = flags.db;
if (DB !== 'file' && DB !== 'memory') throw new Error('--db must be "file" or "memory"');
const API_KEY = 'hk-bench';
const RUN = `bench-${Date.now().toString(36)}`;

/** Statuses a session has once its watch saw the platform running it (HaiStatus is upserted on each transition). */
const REACHED_RUNNING = ['running', 'idle', 'awaiting_tool_results', 'paused', 'completed', 'failed', 'timed_out', 'interrupted'];

interface Tick {
  /** Seconds since the first start. */
  t: number;
  started: number;
  created: number;
  running: number;
  closed: number;
  simRequests: number;
  worker?: ProcSample;
  simulator?: ProcSample;
  server?: ProcSample;
  benchCpuS: number;
  /** All processes, all cores: shows when the machine itself is the limit. */
  machineBusyS: number;
}

const children: Child[] = [];
let stopping = false;
async function stopAll(): Promise<void> {
  stopping = true;
  // The worker first, so it does not fail activities against a simulator that went away.
  for (const child of [...children].reverse()) await child.stop();
}
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

async function main(): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  // Every live session holds a socket in the worker and one in the simulator; the dev server adds its own.
  const fdNeed = 2 * N + 1000;
  const fdLimit = openFilesLimit();
  if (fdLimit < fdNeed) console.warn(`warning: ulimit -n is ${fdLimit}; ${N} sessions want at least ${fdNeed}`);

  const temporalCli = findTemporalCli();
  if (!temporalCli) throw new Error(MISSING_CLI_HELP);
  const dir = mkdtempSync(join(tmpdir(), 'hai-bench-'));
  mkdirSync(flags.out, { recursive: true });
  console.log(`run ${RUN}: ${N} sessions × ${STEPS} steps × ${STEP_MS} ms, batch ${BATCH}; logs in ${dir}`);

  // Bundled once here, so the worker's start (and its CPU figure) does not include webpack.
  const bundlePath = join(dir, 'workflow-bundle.js');
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error, log: quiet },
  });
  writeFileSync(bundlePath, code);

  // The dev server is started directly (not through @temporalio/testing) so that its pid is ours to sample.
  const [grpcPort, metricsPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const address = `127.0.0.1:${grpcPort}`;
  const serverArgs = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(grpcPort)];
  serverArgs.push('--metrics-port', String(metricsPort), '--http-port', String(httpPort));
  if (DB === 'file') serverArgs.push('--db-filename', join(dir, 'temporal.db'));
  for (const key of SEARCH_ATTRIBUTES) serverArgs.push('--search-attribute', `${key.name}=Keyword`);
  const server = startChild('dev server', temporalCli, serverArgs, process.env, join(dir, 'server.log'));
  children.push(server);
  const connection = await connectWhenUp(address, 60_000);
  const client = new Client({ connection });
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;

  const cli = join(PROJECT_ROOT, 'bin', 'hai-temporal.js');
  const simArgs = [cli, 'simulator', '--port', '0', '--step-ms', String(STEP_MS), '--concurrency', '100000'];
  simArgs.push('--changes-page-cap', String(PAGE_CAP));
  const sim = startChild('simulator', process.execPath, simArgs, process.env, join(dir, 'simulator.log'));
  children.push(sim);
  const simUrl = (await sim.waitFor(/listening on (http:\/\/\S+)/, 60_000))[1] as string;
  const simStats = async (): Promise<SimulatorStats> =>
    (await fetch(`${simUrl}/_simulator/stats`)).json() as Promise<SimulatorStats>;

  const taskQueue = `${RUN}-queue`;
  const workerEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    HAI_BASE_URL: simUrl,
    HAI_API_KEY: API_KEY,
    HAI_TEMPORAL_TASK_QUEUE: taskQueue,
  };
  // A way to look inside the worker alone, e.g. HAI_BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = process.env.HAI_BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const workerArgs = [...nodeArgs, cli, 'worker', '--workflow-bundle', bundlePath];
  const worker = startChild('worker', process.execPath, workerArgs, workerEnv, join(dir, 'worker.log'));
  children.push(worker);
  await worker.waitFor(/worker ready/, 120_000);

  const sessions = new SessionClient(client, taskQueue);
  const inQueue = `TaskQueue = '${taskQueue}'`;
  const count = async (query: string) => (await client.workflow.count(`${inQueue} AND ${query}`)).count;

  // The machine's load from others just before the run (everything of ours is idle now but the sampler-less bench).
  const busy0 = machineBusyS();
  const ours0 = ourCpuS([worker, sim, server]);
  await sleep(3000);
  const foreignBefore = (machineBusyS() - busy0 - (ourCpuS([worker, sim, server]) - ours0)) / 3;
  if (foreignBefore > 0.2) console.warn(`warning: other processes use ${foreignBefore.toFixed(2)} cores of this machine`);

  // Baselines, so that only the benchmark's own traffic is counted.
  const simBefore = await simStats();
  const opsBefore = await serverRequestsByOperation(metricsUrl);
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const totalRequests = (s: SimulatorStats) => Object.values(s.requestsByRoute).reduce((a, b) => a + b, 0);

  let started = 0;
  let lastCreated = 0;
  const timeline: Tick[] = [];
  const sampler = (async () => {
    while (!stopping) {
      const next = Date.now() + 1000;
      try {
        const [stats, running, closed] = await Promise.all([
          simStats(),
          count(`HaiStatus IN (${REACHED_RUNNING.map((s) => `'${s}'`).join(', ')})`),
          count(`ExecutionStatus != 'Running'`),
        ]);
        lastCreated = stats.sessionsCreated - simBefore.sessionsCreated;
        const cpu = process.cpuUsage(cpu0);
        timeline.push({
          t: (Date.now() - t0) / 1000,
          started,
          created: lastCreated,
          running,
          closed,
          simRequests: totalRequests(stats) - totalRequests(simBefore),
          worker: sampleProc(worker.pid),
          simulator: sampleProc(sim.pid),
          server: sampleProc(server.pid),
          benchCpuS: (cpu.user + cpu.system) / 1e6,
          machineBusyS: machineBusyS(),
        });
      } catch (err) {
        if (!stopping) console.warn(`sample failed: ${(err as Error).message}`);
      }
      await sleep(Math.max(0, next - Date.now()));
    }
  })();
  const progress = setInterval(() => {
    const last = timeline[timeline.length - 1];
    if (last) {
      const w = last.worker;
      console.log(
        `t=${last.t.toFixed(0)}s started ${last.started} created ${last.created} running ${last.running} closed ${last.closed}` +
          (w ? ` | worker rss ${w.rssMb.toFixed(0)} MB fds ${w.fds}` : ''),
      );
    }
  }, 10_000);

  // Each session has its own answer, so a mixed-up result is caught, not just a missing one.
  const expected = (i: number) => `answer-${i}`;
  const ids: string[] = [];
  for (let first = 0; first < N && Date.now() < deadline; first += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, N - first) }, (_, k) => first + k);
    await Promise.all(
      batch.map(async (i) => {
        const directive = JSON.stringify({ steps: STEPS, stepMs: STEP_MS, answer: expected(i) });
        const workflowId = `${RUN}-${i}`;
        await sessions.start({ task: `bench task ${i} [sim ${directive}]` }, { workflowId });
        ids[i] = workflowId;
        started++;
      }),
    );
    // Gate: the previous batch must have reached the platform before the next one goes.
    while (first > 0 && Date.now() < deadline) {
      const created = (await simStats()).sessionsCreated - simBefore.sessionsCreated;
      if (created >= first) break;
      await sleep(100);
    }
  }
  const submitS = (Date.now() - t0) / 1000;
  console.log(`all ${started} starts submitted in ${submitS.toFixed(1)} s`);

  while (Date.now() < deadline) {
    const last = timeline[timeline.length - 1];
    if (last && last.closed >= N) break;
    await sleep(500);
  }
  const finished = (timeline[timeline.length - 1]?.closed ?? 0) >= N;
  clearInterval(progress);
  // Read the worker's peak before anything stops.
  const workerEnd = sampleProc(worker.pid);
  const simEnd = await simStats();
  const opsEnd = await serverRequestsByOperation(metricsUrl);
  stopping = true;
  await sampler;

  // Histories of every session: their length, their event types (task timeouts show here), their results.
  const EventType = proto.temporal.api.enums.v1.EventType;
  const eventTypes: Record<string, number> = {};
  const lengths: number[] = [];
  let correct = 0;
  const wrong: string[] = [];
  await mapLimit(
    ids.flatMap((id, i) => (id ? [{ id, i }] : [])),
    20,
    async ({ id, i }) => {
      const history = await client.workflow.getHandle(id).fetchHistory();
      const events = history.events ?? [];
      lengths.push(events.length);
      for (const e of events) {
        const name = EventType[e.eventType ?? 0] ?? String(e.eventType);
        eventTypes[name] = (eventTypes[name] ?? 0) + 1;
      }
      const payload = events.at(-1)?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
      const result = payload ? defaultPayloadConverter.fromPayload<SessionResult>(payload) : undefined;
      if (result?.status === 'completed' && result.answer === expected(i)) correct++;
      else if (wrong.length < 5) wrong.push(`${id}: ${result ? `${result.status} ${JSON.stringify(result.answer)}` : 'no result'}`);
    },
  );

  // Workflow lifetimes from visibility: the denominator of "per session per minute".
  const durationsS: number[] = [];
  for await (const wf of client.workflow.list({ query: `${inQueue} AND ExecutionStatus != 'Running'` })) {
    if (wf.closeTime) durationsS.push((wf.closeTime.getTime() - wf.startTime.getTime()) / 1000);
  }
  await stopAll();
  await connection.close();

  const summary = summarize({
    timeline,
    submitS,
    finished,
    workerEnd,
    simBefore,
    simEnd,
    opsBefore,
    opsEnd,
    lengths,
    eventTypes,
    correct,
    wrong,
    durationsS,
    workerLog: readFileSync(join(dir, 'worker.log'), 'utf8'),
    fdLimit,
    foreignBefore,
  });
  const report = { environment: environment(PROJECT_ROOT, temporalCli), command: process.argv.slice(2).join(' '), summary };
  const file = join(flags.out, `${new Date().toISOString().replace(/[:.]/g, '-')}-${N}x${STEPS}x${STEP_MS}.json`);
  writeFileSync(file, JSON.stringify({ ...report, timeline }, null, 1));
  console.log(JSON.stringify(report, null, 2));
  console.log(`written to ${file}`);
  if (summary.ok) rmSync(dir, { recursive: true, force: true });
  else console.log(`logs kept in ${dir}`);
  process.exitCode = summary.ok ? 0 : 1;
}

/** CPU seconds of these children and of this process. */
function ourCpuS(procs: Child[]): number {
  const self = process.cpuUsage();
  return procs.reduce((sum, p) => sum + (sampleProc(p.pid)?.cpuS ?? 0), (self.user + self.system) / 1e6);
}

async function connectWhenUp(address: string, timeoutMs: number): Promise<Connection> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (err) {
      if (Date.now() > until) throw new Error(`dev server not up at ${address}`, { cause: err });
      await sleep(250);
    }
  }
}

interface Measured {
  timeline: Tick[];
  submitS: number;
  finished: boolean;
  workerEnd: ProcSample | undefined;
  simBefore: SimulatorStats;
  simEnd: SimulatorStats;
  opsBefore: Record<string, number>;
  opsEnd: Record<string, number>;
  lengths: number[];
  eventTypes: Record<string, number>;
  correct: number;
  wrong: string[];
  durationsS: number[];
  workerLog: string;
  fdLimit: number;
  foreignBefore: number;
}

function summarize(m: Measured) {
  const tl = m.timeline;
  const firstAt = (pred: (t: Tick) => boolean) => tl.find(pred)?.t ?? null;
  const createdAllS = firstAt((t) => t.created >= N);
  const runningAllS = firstAt((t) => t.running >= N);
  const finishedS = firstAt((t) => t.closed >= N);
  const end = tl.find((t) => t.closed >= N) ?? tl[tl.length - 1];
  const first = tl[0];
  const span = end && first ? end.t - first.t : 0;
  const avgCores = (pick: (t: Tick) => ProcSample | undefined) => {
    const a = first && pick(first);
    const b = end && pick(end);
    return a && b && span > 0 ? round((b.cpuS - a.cpuS) / span, 2) : null;
  };
  const maxOf = (pick: (t: Tick) => number | undefined) => Math.max(0, ...tl.map((t) => pick(t) ?? 0));

  const routes: Record<string, number> = {};
  for (const [route, n] of Object.entries(m.simEnd.requestsByRoute)) {
    const delta = n - (m.simBefore.requestsByRoute[route] ?? 0);
    if (delta > 0) routes[route] = delta;
  }
  const requests = Object.values(routes).reduce((a, b) => a + b, 0);
  const sessionMinutes = m.durationsS.reduce((a, b) => a + b, 0) / 60;
  const ops: Record<string, number> = {};
  for (const [op, n] of Object.entries(m.opsEnd)) {
    const delta = n - (m.opsBefore[op] ?? 0);
    if (delta > 0) ops[op] = delta;
  }
  const sorted = [...m.lengths].sort((a, b) => a - b);
  const durations = [...m.durationsS].sort((a, b) => a - b);
  // The SDK's warnings say what went wrong in the worker (slow or timed-out workflow tasks): count them by kind.
  const warnings: Record<string, number> = {};
  // eslint-disable-next-line no-control-regex -- the SDK colours its log lines
  for (const line of m.workerLog.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
    const found = /\s(WARN|ERROR)\s+\S+:\s+(.*)/.exec(line);
    if (!found) continue;
    // "[TMPRL1104] <run>:10:1 Workflow task duration exceeded 5 seconds. ..." → "WARN Workflow task duration exceeded"
    const kind = `${found[1]} ${found[2]!.replace(/^\[\w+\]\s+\S+\s+/, '').split(/[.:]|\s\w+=/)[0]!.slice(0, 80)}`;
    warnings[kind] = (warnings[kind] ?? 0) + 1;
  }

  return {
    ok: m.finished && m.correct === N,
    config: { sessions: N, steps: STEPS, stepMs: STEP_MS, batch: BATCH, pageCap: PAGE_CAP, db: DB },
    sessionsCorrect: m.correct,
    wrongSamples: m.wrong,
    // Start pace: all starts acknowledged by the server, all sessions created on the platform, and all seen
    // running by their workflow (HaiStatus upserted after the first watch returned).
    startsSubmittedS: round(m.submitS, 1),
    allCreatedS: createdAllS,
    allRunningS: runningAllS,
    sessionsPerSecondToRunning: runningAllS ? round(N / runningAllS, 1) : null,
    // The same between 10 % and 90 % of the sessions running: the pace once warmed up, without the boot delay.
    sessionsPerSecondToRunning10to90: slope(tl, (t) => t.running),
    allFinishedS: finishedS,
    nominalSessionS: round(((STEPS + 1) * STEP_MS) / 1000, 1),
    workflowDurationS: { p50: pct(durations, 0.5), p95: pct(durations, 0.95), max: durations.at(-1) ?? null },
    peakLiveSessions: maxOf((t) => t.created - t.closed),
    // CPU while sessions were being started (first start → all running), where the capacity question lies.
    startPhaseCores: startPhase(tl, runningAllS),
    workerCpuCoresAvg: avgCores((t) => t.worker),
    workerCpuCoresPeak5s: round(peak5s(tl, (t) => t.worker?.cpuS), 2),
    workerPeakRssMb: m.workerEnd ? round(m.workerEnd.peakRssMb, 0) : null,
    workerPeakFds: maxOf((t) => t.worker?.fds),
    simulatorCpuCoresAvg: avgCores((t) => t.simulator),
    simulatorPeakRssMb: round(maxOf((t) => t.simulator?.peakRssMb), 0),
    serverCpuCoresAvg: avgCores((t) => t.server),
    serverPeakRssMb: round(maxOf((t) => t.server?.peakRssMb), 0),
    machineCpuCoresAvg: end && first && span > 0 ? round((end.machineBusyS - first.machineBusyS) / span, 2) : null,
    // What other processes on the machine took meanwhile (tests of a shared tree, say): figures are only
    // comparable between runs where this is near 0.
    foreignCpuCoresAvg: foreignCores(first, end, span),
    foreignCpuCoresBeforeRun: round(m.foreignBefore, 2),
    machineCpuCoresPeak5s: round(peak5s(tl, (t) => t.machineBusyS), 2),
    benchClientCpuCoresAvg: end && first && span > 0 ? round((end.benchCpuS - first.benchCpuS) / span, 2) : null,
    historyEvents: { min: sorted[0] ?? null, p50: pct(sorted, 0.5), max: sorted.at(-1) ?? null },
    eventTypes: m.eventTypes,
    simRequestsPerSession: round(requests / N, 1),
    simRequestsPerSessionMinute: sessionMinutes > 0 ? round(requests / sessionMinutes, 1) : null,
    simRequestsByRoutePerSession: Object.fromEntries(Object.entries(routes).map(([r, n]) => [r, round(n / N, 2)])),
    serverRequestsPerSession: Object.fromEntries(
      Object.entries(ops)
        .filter(([, n]) => n >= N / 10)
        .sort(([, a], [, b]) => b - a)
        .map(([op, n]) => [op, round(n / N, 2)]),
    ),
    heartbeatsToServerPerSessionMinute:
      sessionMinutes > 0 ? round((ops.RecordActivityTaskHeartbeat ?? 0) / sessionMinutes, 2) : null,
    workerLogWarnings: warnings,
    openFilesLimit: m.fdLimit,
  };
}

/** Machine CPU not spent by the processes of the benchmark (kernel work on their behalf included in theirs or not). */
function foreignCores(a: Tick | undefined, b: Tick | undefined, span: number): number | null {
  if (!a || !b || span <= 0) return null;
  const ours = (t: Tick) => (t.worker?.cpuS ?? 0) + (t.simulator?.cpuS ?? 0) + (t.server?.cpuS ?? 0) + t.benchCpuS;
  return round((b.machineBusyS - a.machineBusyS - (ours(b) - ours(a))) / span, 2);
}

function startPhase(tl: Tick[], untilS: number | null) {
  const a = tl[0];
  const b = tl.find((t) => untilS !== null && t.t >= untilS);
  if (!a || !b || b.t <= a.t) return null;
  const cores = (pick: (t: Tick) => number | undefined) => round(((pick(b) ?? 0) - (pick(a) ?? 0)) / (b.t - a.t), 2);
  return {
    worker: cores((t) => t.worker?.cpuS),
    server: cores((t) => t.server?.cpuS),
    simulator: cores((t) => t.simulator?.cpuS),
    machine: cores((t) => t.machineBusyS),
    foreign: foreignCores(a, b, b.t - a.t),
  };
}

/** Busiest 5 s of the run: an average can hide a saturated stretch. */
function peak5s(tl: Tick[], cpuS: (t: Tick) => number | undefined): number {
  let peak = 0;
  for (let i = 5; i < tl.length; i++) {
    const a = cpuS(tl[i - 5]!);
    const b = cpuS(tl[i]!);
    if (a !== undefined && b !== undefined) peak = Math.max(peak, (b - a) / (tl[i]!.t - tl[i - 5]!.t));
  }
  return peak;
}

function slope(tl: Tick[], pick: (t: Tick) => number): number | null {
  const a = tl.find((t) => pick(t) >= 0.1 * N);
  const b = tl.find((t) => pick(t) >= 0.9 * N);
  return a && b && b.t > a.t ? round((pick(b) - pick(a)) / (b.t - a.t), 1) : null;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : null);

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
