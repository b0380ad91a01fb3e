// Once a second: CPU and memory of each process of the stack and of this one (where the plain loop runs), the whole
// machine's CPU (others' benchmarks and tests show there), and how many sessions the platform holds live.
import { machineCpuS, type ProcSample, sampleProc, sleep } from '../support';
import type { Stack } from './stack';

export interface Sample {
  /** Epoch ms. */
  at: number;
  worker?: ProcSample;
  simulator?: ProcSample;
  server?: ProcSample;
  bench?: ProcSample;
  machine: { tasks: number; all: number };
  /** Sessions the platform holds for the tenant being measured (its quota's `active`), where a scenario counts them. */
  live: number;
}

export type Cores = Record<'worker' | 'simulator' | 'server' | 'bench' | 'foreign', number | null>;

export class Sampler {
  private readonly samples: Sample[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly stack: Stack,
    private readonly live: () => Promise<number> = async () => 0,
  ) {
    this.loop = (async () => {
      while (this.running) {
        const next = Date.now() + 1000;
        await this.mark().catch((err: Error) => this.running && console.warn(`sample failed: ${err.message}`));
        await sleep(Math.max(0, next - Date.now()));
      }
    })();
  }

  /** Takes a sample now, e.g. where a phase starts or ends (so that even a short one has two); returns its time. */
  async mark(): Promise<number> {
    const { worker, simulator, server } = this.stack;
    const at = Date.now();
    const procs = {
      worker: sampleProc(worker.pid),
      simulator: sampleProc(simulator.pid),
      server: sampleProc(server.pid),
      bench: sampleProc(process.pid),
      machine: machineCpuS(),
    };
    this.samples.push({ at, ...procs, live: await this.live() });
    return at;
  }

  /** Every sample, in time order. */
  async stop(): Promise<Sample[]> {
    this.running = false;
    await this.loop;
    return this.samples.sort((a, b) => a.at - b.at);
  }
}

/** Samples taken between two moments (epoch ms). */
export const between = (samples: Sample[], from: number, to: number) =>
  samples.filter((s) => s.at >= from && s.at <= to);

/**
 * Average cores each process used over a span of samples, and `foreign`: what the rest of the machine took meanwhile
 * (another session's tests, say). Figures are only comparable between runs where `foreign` is near 0.
 */
export function cores(span: Sample[]): Cores {
  const a = span[0];
  const b = span.at(-1);
  const dt = a && b ? (b.at - a.at) / 1000 : 0;
  const of = (pick: (s: Sample) => ProcSample | undefined) => {
    const [x, y] = [a && pick(a), b && pick(b)];
    return x && y && dt > 0 ? (y.cpuS - x.cpuS) / dt : null;
  };
  const worker = of((s) => s.worker);
  const simulator = of((s) => s.simulator);
  const server = of((s) => s.server);
  const bench = of((s) => s.bench);
  const ours = (worker ?? 0) + (simulator ?? 0) + (server ?? 0) + (bench ?? 0);
  const foreign = a && b && dt > 0 ? (b.machine.tasks - a.machine.tasks) / dt - ours : null;
  return { worker, simulator, server, bench, foreign };
}

/** Session-minutes the platform held over the samples: the denominator of "per session-minute". */
export function sessionMinutes(span: Sample[]): number {
  let total = 0;
  for (let i = 1; i < span.length; i++) total += (span[i - 1]!.live * (span[i]!.at - span[i - 1]!.at)) / 60_000;
  return total;
}

/** The highest resident memory a process reached over the samples (VmHWM, so peaks between samples count). */
export function peakRssMb(span: Sample[], pick: (s: Sample) => ProcSample | undefined): number | null {
  const peaks = span.map((s) => pick(s)?.peakRssMb).filter((v): v is number => v !== undefined);
  return peaks.length ? Math.max(...peaks) : null;
}

/** The highest resident memory sampled: for this process, whose VmHWM still holds the bundling at start. */
export function sampledRssMb(span: Sample[], pick: (s: Sample) => ProcSample | undefined): number | null {
  const rss = span.map((s) => pick(s)?.rssMb).filter((v): v is number => v !== undefined);
  return rss.length ? Math.max(...rss) : null;
}
