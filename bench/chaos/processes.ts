// The chaos run's processes: a Temporal dev server with its state on disk, and workers as child processes, each of
// which can be killed with SIGKILL and started again.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { findTemporalCli, PROJECT_ROOT } from '../../src/temporal/cli-binary';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

/** `temporal server start-dev` on a fixed port and database file, so a restart carries every workflow on. */
export class DevServer {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly dbFile: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const bin = findTemporalCli();
    if (!bin) throw new Error('no temporal CLI: run npm test once, or set TEMPORAL_CLI_PATH');
    const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(this.port)];
    args.push('--db-filename', this.dbFile, '--log-level', 'error');
    for (const sa of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${sa.name}=${searchAttributeType(sa.type)}`);
    args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');
    this.child = spawn(bin, args, { stdio: 'ignore' });
    await waitForPort(this.port, 30_000);
  }

  async kill9(): Promise<void> {
    const child = this.child;
    child?.kill('SIGKILL');
    if (child) await exited(child);
  }

  async stop(): Promise<void> {
    const child = this.child;
    child?.kill('SIGTERM');
    if (child) await exited(child);
  }
}

function searchAttributeType(valueType: string): string {
  return (
    { KEYWORD: 'Keyword', TEXT: 'Text', INT: 'Int', DOUBLE: 'Double', BOOL: 'Bool', DATETIME: 'Datetime' }[
      valueType.toUpperCase()
    ] ?? 'Keyword'
  );
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const { connect } = await import('node:net');
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `hai-temporal worker` in a child process, started again whenever it exits (killed, or Temporal was down). */
export class SupervisedWorker {
  private child: ChildProcess | undefined;
  private stopping = false;
  starts = 0;
  kills = 0;

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
    private readonly args: string[],
  ) {}

  start(): void {
    if (this.stopping) return;
    this.starts++;
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'hai-temporal.js'), 'worker', ...this.args], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d) => (err = (err + d).slice(-2000)));
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      if (signal !== 'SIGKILL' && code !== 0 && process.env.CHAOS_VERBOSE)
        console.error(`${this.name} exited ${code}: ${err}`);
      setTimeout(() => this.start(), 1000).unref();
    });
    this.child = child;
  }

  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.kills++;
    child.kill('SIGKILL');
    await exited(child);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited(child);
    }
  }
}
