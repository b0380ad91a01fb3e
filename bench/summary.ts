// Turns what a benchmark run measured (a per-second timeline, counters before and after, histories) into
// the figures BENCHMARKS.md reports. No I/O here.
import type { SimulatorStats } from '../src/simulator';
import type { ProcSample } from './support';

export interface Tick {
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
  machine: { tasks: number; all: number };
}

export interface RunConfig {
  sessions: number;
  steps: number;
  stepMs: number;
  batch: number;
  pageCap: number;
  db: string;
}

export interface Measured {
  config: RunConfig;
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

export function summarize(m: Measured) {
  const N = m.config.sessions;
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
  const workerPeakSampled = maxOf((t) => t.worker?.peakRssMb);

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
    const kind = `${found[1]} ${found[2]!
      .replace(/^\[\w+\]\s+\S+\s+/, '')
      .split(/[.:]|\s\w+=/)[0]!
      .slice(0, 80)}`;
    warnings[kind] = (warnings[kind] ?? 0) + 1;
  }

  return {
    ok: m.finished && m.correct === N,
    config: m.config,
    sessionsCorrect: m.correct,
    wrongSamples: m.wrong,
    // Start pace: all starts acknowledged by the server, all sessions created on the platform, and all seen
    // running by their workflow (HaiStatus upserted after the first watch returned).
    startsSubmittedS: round(m.submitS, 1),
    allCreatedS: createdAllS,
    allRunningS: runningAllS,
    sessionsPerSecondToRunning: runningAllS ? round(N / runningAllS, 1) : null,
    // The same between 10 % and 90 % of the sessions running: the pace once warmed up, without the boot delay.
    sessionsPerSecondToRunning10to90: slope(tl, N, (t) => t.running),
    allFinishedS: finishedS,
    nominalSessionS: round(((m.config.steps + 1) * m.config.stepMs) / 1000, 1),
    workflowDurationS: { p50: pct(durations, 0.5), p95: pct(durations, 0.95), max: durations.at(-1) ?? null },
    peakLiveSessions: maxOf((t) => t.created - t.closed),
    // CPU while sessions were being started (first start → all running), where the capacity question lies.
    startPhaseCores: startPhase(tl, runningAllS),
    workerCpuCoresAvg: avgCores((t) => t.worker),
    workerCpuCoresPeak5s: r2(peak5s(tl, (t) => t.worker?.cpuS)),
    // VmHWM at the end, or the last one sampled if the worker is gone by then.
    workerPeakRssMb: r0(Math.max(m.workerEnd?.peakRssMb ?? 0, workerPeakSampled)),
    workerPeakFds: maxOf((t) => t.worker?.fds),
    simulatorCpuCoresAvg: avgCores((t) => t.simulator),
    simulatorPeakRssMb: r0(maxOf((t) => t.simulator?.peakRssMb)),
    serverCpuCoresAvg: avgCores((t) => t.server),
    serverPeakRssMb: r0(maxOf((t) => t.server?.peakRssMb)),
    machineCpuCoresAvg: end && first && span > 0 ? round((end.machine.all - first.machine.all) / span, 2) : null,
    // What other processes on the machine took meanwhile (tests of a shared tree, say): figures are only
    // comparable between runs where this is near 0.
    foreignCpuCoresAvg: foreignCores(first, end, span),
    foreignCpuCoresBeforeRun: round(m.foreignBefore, 2),
    machineCpuCoresPeak5s: r2(peak5s(tl, (t) => t.machine.all)),
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

/** CPU that processes other than the benchmark's own were charged with (interrupt work left out). */
function foreignCores(a: Tick | undefined, b: Tick | undefined, span: number): number | null {
  if (!a || !b || span <= 0) return null;
  const ours = (t: Tick) => (t.worker?.cpuS ?? 0) + (t.simulator?.cpuS ?? 0) + (t.server?.cpuS ?? 0) + t.benchCpuS;
  return round((b.machine.tasks - a.machine.tasks - (ours(b) - ours(a))) / span, 2);
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
    machine: cores((t) => t.machine.all),
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

function slope(tl: Tick[], n: number, pick: (t: Tick) => number): number | null {
  const a = tl.find((t) => pick(t) >= 0.1 * n);
  const b = tl.find((t) => pick(t) >= 0.9 * n);
  return a && b && b.t > a.t ? round((pick(b) - pick(a)) / (b.t - a.t), 1) : null;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const r0 = (x: number) => round(x, 0);
const r2 = (x: number) => round(x, 2);
const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : null;
