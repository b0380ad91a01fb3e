// Capacity benchmark (DESIGN.md, "Capacity"): N scripted sessions through one worker process, with the
// Temporal dev server, the simulator and the worker each in a process of its own so that /proc can say
// which of them spends the CPU and the memory. Loopback only; every process it starts, it stops.
//
//   npx tsx bench/sessions.ts --sessions 2000 --steps 60 --step-ms 2000 [--batch 100] [--db memory|file]
//
// Prints a summary and writes it, with a per-second timeline, to bench/results/. See BENCHMARKS.md.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { SessionClient } from '../src/client';
import type { SessionResult } from '../src/shared/session';
import type { SimulatorStats } from '../src/simulator';
import { findTemporalCli, MISSING_CLI_HELP, PROJECT_ROOT } from '../src/temporal/cli-binary';
import { SEARCH_ATTRIBUTES } from '../src/temporal/search-attributes';
import { WORKFLOW_BUNDLE_OPTIONS } from '../src/worker';
import {
  type Child,
  connectWhenUp,
  environment,
  freePort,
  machineCpuS,
  mapLimit,
  openFilesLimit,
  sampleProc,
  serverRequestsByOperation,
  sleep,
  startChild,
} from './support';
import { summarize, type Tick } from './summary';

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
    db: { type: 'string', default: 'memory' },
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
const STALL_S = 120;
const API_KEY = 'hk-bench';
const RUN = `bench-${Date.now().toString(36)}`;

/** Statuses a session has once its watch saw the platform running it (HaiStatus is upserted on each transition). */
const REACHED_RUNNING = [
  'running',
  'idle',
  'awaiting_tool_results',
  'paused',
  'completed',
  'failed',
  'timed_out',
  'interrupted',
];

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
    ...WORKFLOW_BUNDLE_OPTIONS,
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

  // The machine's load from others just before the run: our processes are idle now, whatever else runs is not ours.
  const busy0 = machineCpuS().tasks;
  const ours0 = ourCpuS([worker, sim, server]);
  await sleep(3000);
  const foreignBefore = (machineCpuS().tasks - busy0 - (ourCpuS([worker, sim, server]) - ours0)) / 3;
  if (foreignBefore > 0.2)
    console.warn(`warning: other processes use ${foreignBefore.toFixed(2)} cores of this machine`);

  // Baselines, so that only the benchmark's own traffic is counted.
  const simBefore = await simStats();
  const opsBefore = await serverRequestsByOperation(metricsUrl);
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const totalRequests = (s: SimulatorStats) => Object.values(s.requestsByRoute).reduce((a, b) => a + b, 0);

  let started = 0;
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
        const cpu = process.cpuUsage(cpu0);
        timeline.push({
          t: (Date.now() - t0) / 1000,
          started,
          created: stats.sessionsCreated - simBefore.sessionsCreated,
          running,
          closed,
          simRequests: totalRequests(stats) - totalRequests(simBefore),
          worker: sampleProc(worker.pid),
          simulator: sampleProc(sim.pid),
          server: sampleProc(server.pid),
          benchCpuS: (cpu.user + cpu.system) / 1e6,
          machine: machineCpuS(),
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
  // A worker that died (out of memory, say), or a run where the platform saw no request for two minutes
  // (failing workflow tasks are retried forever), ends at once rather than at the deadline.
  const workerAlive = () => worker.process.exitCode === null && worker.process.signalCode === null;
  const moving = () => {
    const last = timeline[timeline.length - 1];
    const still = last && timeline.find((t) => t.simRequests === last.simRequests && t.closed === last.closed);
    return !last || !still || last.t - still.t < STALL_S;
  };
  const going = () => Date.now() < deadline && workerAlive() && moving();
  for (let first = 0; first < N && going(); first += BATCH) {
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
    while (first > 0 && going()) {
      const created = (await simStats()).sessionsCreated - simBefore.sessionsCreated;
      if (created >= first) break;
      await sleep(100);
    }
  }
  const submitS = (Date.now() - t0) / 1000;
  console.log(`all ${started} starts submitted in ${submitS.toFixed(1)} s`);

  while (going()) {
    const last = timeline[timeline.length - 1];
    if (last && last.closed >= N) break;
    await sleep(500);
  }
  if (!workerAlive()) console.error(`the worker exited (${worker.process.exitCode ?? worker.process.signalCode})`);
  else if (!moving()) console.error(`the platform saw no request for ${STALL_S} s: see ${dir}/worker.log`);
  const finished = (timeline[timeline.length - 1]?.closed ?? 0) >= N;
  clearInterval(progress);
  // Read the worker's peak before anything stops.
  const workerEnd = sampleProc(worker.pid);
  const simEnd = await simStats();
  const opsEnd = await serverRequestsByOperation(metricsUrl);
  stopping = true;
  await sampler;

  // Histories of every session: their length, their event types (task timeouts show here), their results.
  const { EventType, TimeoutType } = proto.temporal.api.enums.v1;
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
        let name = (EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '');
        // A sticky task nobody picked up in time (SCHEDULE_TO_START) is not a slow one (START_TO_CLOSE).
        const timeout = e.workflowTaskTimedOutEventAttributes?.timeoutType;
        if (timeout) name += ` (${TimeoutType[timeout]?.replace(/^TIMEOUT_TYPE_/, '')})`;
        eventTypes[name] = (eventTypes[name] ?? 0) + 1;
      }
      const payload = events.at(-1)?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
      const result = payload ? defaultPayloadConverter.fromPayload<SessionResult>(payload) : undefined;
      if (result?.status === 'completed' && result.answer === expected(i)) correct++;
      else if (wrong.length < 5)
        wrong.push(`${id}: ${result ? `${result.status} ${JSON.stringify(result.answer)}` : 'no result'}`);
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
    config: { sessions: N, steps: STEPS, stepMs: STEP_MS, batch: BATCH, pageCap: PAGE_CAP, db: DB },
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
  const report = {
    environment: environment(PROJECT_ROOT, temporalCli),
    command: process.argv.slice(2).join(' '),
    summary,
  };
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

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
