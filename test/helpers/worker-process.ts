// A worker in a child process, started the way users start it (`hai-temporal worker`), so a test can kill -9 it.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { inject } from 'vitest';
import { PROJECT_ROOT } from '../../src/temporal/cli-binary';

export const CLI = join(PROJECT_ROOT, 'bin', 'hai-temporal.js');

export interface WorkerProcess {
  process: ChildProcess;
  output(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWorkerProcess(env: {
  taskQueue: string;
  platformUrl: string;
  apiKey?: string;
  args?: string[];
  extraEnv?: Record<string, string>;
}): Promise<WorkerProcess> {
  const args = [CLI, 'worker', '--workflow-bundle', inject('workflowBundlePath'), ...(env.args ?? [])];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      ...env.extraEnv,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      HAI_TEMPORAL_TASK_QUEUE: env.taskQueue,
      HAI_BASE_URL: env.platformUrl,
      HAI_API_KEY: env.apiKey ?? 'hk-test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within 60 s:\n${output}`)), 60_000);
    const onData = () => {
      if (output.includes('worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready:\n${output}`));
    });
  });

  return {
    process: child,
    output: () => output,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
