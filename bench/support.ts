// Plumbing for the benchmarks: child processes we start (and only those), what /proc says about them,
// and the Temporal dev server's Prometheus counters.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';

/** Kernel clock ticks per second for utime/stime in /proc/<pid>/stat (`getconf CLK_TCK`; 100 on Linux). */
const CLK_TCK = 100;

export interface ProcSample {
  /** utime + stime of all the process's threads, in seconds. */
  cpuS: number;
  rssMb: number;
  /** The kernel's own peak RSS (VmHWM), so a peak between two samples is not missed. */
  peakRssMb: number;
  fds: number;
}

/** CPU and memory of one process from /proc; undefined once it has exited. */
export function sampleProc(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields from the closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // fields 14 (utime) and 15 (stime) of stat(5)
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { cpuS: ticks / CLK_TCK, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024, fds: countFds(pid) };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds the whole machine has spent, from /proc/stat: `tasks` is what processes are charged with
 * (user, nice, system), `all` adds interrupt work and steal, which no process is charged with.
 */
export function machineCpuS(): { tasks: number; all: number } {
  const [, user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]!
    .trim()
    .split(/\s+/)
    .map(Number);
  const tasks = (user + nice + system) / CLK_TCK;
  return { tasks, all: tasks + (irq + softirq + steal) / CLK_TCK };
}

function countFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** The soft limit on open files this process (and so its children) runs with. */
export function openFilesLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === 'unlimited' ? Infinity : Number(soft);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** Resolves with the first line matching `pattern` on stdout or stderr. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a child whose output goes to `logFile` (kept for a post-mortem) and can be waited on for a line. */
export function startChild(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
): Child {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const log = createWriteStream(logFile);
  let tail = '';
  const watchers = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    log.write(chunk);
    tail = (tail + chunk.toString()).slice(-64_000);
    for (const w of watchers) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return {
    name,
    process: child,
    pid: child.pid,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const done = (fn: () => void) => {
          clearTimeout(timer);
          watchers.delete(check);
          child.off('exit', onExit);
          fn();
        };
        const check = () => {
          const m = pattern.exec(tail);
          if (m) done(() => resolve(m));
        };
        const onExit = (code: number | null) =>
          done(() => reject(new Error(`${name} exited (${code}) before printing ${pattern}:\n${tail.slice(-2000)}`)));
        const timer = setTimeout(
          () => done(() => reject(new Error(`${name}: no ${pattern} within ${timeoutMs} ms:\n${tail.slice(-2000)}`))),
          timeoutMs,
        );
        watchers.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}

/**
 * Sums the dev server's `service_requests` counter per gRPC operation (Prometheus text format), so the
 * benchmark can count what reached the server: starts, workflow task completions, heartbeats.
 */
export async function serverRequestsByOperation(metricsUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const totals: Record<string, number> = {};
  for (const line of text.split('\n')) {
    // Frontend only: that is what clients and workers call; history and matching count the same calls again.
    if (!line.startsWith('service_requests{') || !line.includes('service_name="frontend"')) continue;
    const op = /operation="([^"]+)"/.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (op && Number.isFinite(value)) totals[op] = (totals[op] ?? 0) + value;
  }
  return totals;
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(lanes);
  return out;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the figures were measured on, and which code: a hash of src/ identifies it even in a dirty tree. */
export function environment(projectRoot: string, temporalCli: string) {
  const run = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, {
        cwd: projectRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return null;
    }
  };
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(path.slice(projectRoot.length)).update(readFileSync(path));
    }
  };
  walk(join(projectRoot, 'src'));
  const sdk = JSON.parse(
    readFileSync(join(projectRoot, 'node_modules', '@temporalio', 'worker', 'package.json'), 'utf8'),
  );
  return {
    date: new Date().toISOString(),
    cpus: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    temporalCli: run(temporalCli, ['--version']),
    temporalSdk: sdk.version as string,
    gitHead: run('git', ['rev-parse', '--short', 'HEAD']),
    srcSha256: hash.digest('hex').slice(0, 12),
  };
}

/** A client connection to the dev server at `address`, once it answers (it takes a few seconds to come up). */
export async function connectWhenUp(address: string, timeoutMs: number): Promise<Connection> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 2000 });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (err) {
      await connection?.close();
      if (Date.now() > until) throw new Error(`dev server not up at ${address}`, { cause: err });
      await sleep(250);
    }
  }
}
