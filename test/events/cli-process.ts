// The `hai-temporal` command as a child process reading events with its own platform key: run to the end, or
// followed line by line while it streams (so a test can kill it mid-stream).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import type { Harness } from '../helpers/harness';
import { CLI } from '../helpers/worker-process';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment of a reader: Temporal, the test's task queue, and the platform with a key of its own. */
export function readerEnv(h: Harness, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: h.temporalAddress,
    HAI_TEMPORAL_TASK_QUEUE: h.taskQueue,
    HAI_BASE_URL: h.sim.url,
    // Keys are scoped to an organisation: the reader's key is one of the organisation whose worker ran the session.
    HAI_API_KEY: 'hk-test',
    ...extra,
  };
}

export function cli(h: Harness, args: string[], extra: Record<string, string> = {}, timeout = 120_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: readerEnv(h, extra), timeout, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export interface Streaming {
  process: ChildProcess;
  /** Complete stdout lines so far. */
  lines(): string[];
  stderr(): string;
  exited: Promise<number | null>;
  kill9(): Promise<void>;
}

export function spawnCli(h: Harness, args: string[]): Streaming {
  const child = spawn(process.execPath, [CLI, ...args], { env: readerEnv(h), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    lines: () => stdout.split('\n').slice(0, -1),
    stderr: () => stderr,
    exited,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Every line parses as JSON on its own. */
export const jsonLines = (lines: string[]): Record<string, unknown>[] =>
  lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);

/** The event lines of a JSONL output (the result object, when there is one, has no `index`). */
export const eventLines = (objects: Record<string, unknown>[]) =>
  objects.filter((o) => typeof o.index === 'number') as {
    index: number;
    type: string;
    data: Record<string, unknown>;
  }[];

/** Waits until the streaming command printed at least `count` lines; a failure shows what it wrote to stderr. */
export async function waitForLines(s: Streaming, count: number, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (s.lines().length < count) {
    if (Date.now() > deadline || s.process.exitCode !== null) {
      throw new Error(`expected ${count} lines, got ${s.lines().length}; stderr:\n${s.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return s.lines().length;
}
