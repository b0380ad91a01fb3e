// The `hai-temporal` command run as a user runs it: a real process against a test's Temporal and task queue.
import { execFile } from 'node:child_process';
import { CLI } from './worker-process';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  world: { temporalAddress: string; taskQueue: string },
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: world.temporalAddress,
          HAI_TEMPORAL_TASK_QUEUE: world.taskQueue,
          ...env,
        },
        timeout: timeoutMs,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Every line of a `--json` output, parsed. */
export const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** The last line of a `--json` output: the result object of `run` and `watch`. */
export const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);
