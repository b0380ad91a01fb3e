// What a scenario runs against: a Temporal dev server, the simulator and a worker, each a child process of its own
// (so /proc says which of them spends the CPU and the memory), on loopback. Every process it starts, it stops.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { SessionClient } from '../../src/client';
import { HaiClient } from '../../src/hai/client';
import type { SimulatorStats } from '../../src/simulator';
import { findTemporalCli, MISSING_CLI_HELP, PROJECT_ROOT } from '../../src/temporal/cli-binary';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { type Child, connectWhenUp, freePort, serverRequestsByOperation, sleep, startChild } from '../support';
import { Sampler } from './sampler';

const CLI = join(PROJECT_ROOT, 'bin', 'hai-temporal.js');
/** The platform keys of the worker, the plain loop and the control: each is a tenant of its own in the simulator. */
export const WORKER_KEY = 'hk-bench';
export const LOOP_KEY = 'hk-bench-loop';
export const CONTROL_KEY = 'hk-bench-control';
const QUOTA_ROUTE = 'GET /sessions/quota';

let bundled: Promise<string> | undefined;
/** The workflow bundle, made once per run (bundle.ts). */
function workflowBundle(dir: string): Promise<string> {
  const path = join(dir, 'workflow-bundle.js');
  const script = fileURLToPath(new URL('./bundle.ts', import.meta.url));
  const args = ['--import', 'tsx', script, path];
  bundled ??= promisify(execFile)(process.execPath, args, { cwd: PROJECT_ROOT }).then(() => path);
  return bundled;
}

export interface StackOptions {
  /** The simulator's step, which is also its boot delay (pending → running). */
  stepMs: number;
  pageCap: number;
}

export class Stack {
  /** Stacks not stopped yet, so that Ctrl-C can stop their processes. */
  static readonly live = new Set<Stack>();
  readonly run = `perf-${Date.now().toString(36)}`;
  readonly taskQueue = `${this.run}-queue`;
  worker!: Child;
  private workerCount = 0;
  private readonly samplers: Sampler[] = [];

  private constructor(
    readonly dir: string,
    private readonly bundle: string,
    readonly server: Child,
    readonly simulator: Child,
    readonly simUrl: string,
    readonly client: Client,
    private readonly metricsUrl: string,
    private readonly address: string,
  ) {}

  get sessions(): SessionClient {
    return new SessionClient(this.client, this.taskQueue);
  }

  static async start(opts: StackOptions): Promise<Stack> {
    const temporalCli = findTemporalCli();
    if (!temporalCli) throw new Error(MISSING_CLI_HELP);
    const dir = mkdtempSync(join(tmpdir(), 'hai-perf-'));
    const bundle = await workflowBundle(dir);
    const children: Child[] = [];
    try {
      // Started directly (not through @temporalio/testing) so that its pid is ours to sample; the dynamic config is
      // what `npm start` gives its dev server.
      const [grpcPort, metricsPort, httpPort] = [await freePort(), await freePort(), await freePort()];
      const address = `127.0.0.1:${grpcPort}`;
      const serverArgs = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(grpcPort)];
      serverArgs.push('--metrics-port', String(metricsPort), '--http-port', String(httpPort));
      serverArgs.push('--dynamic-config-value', 'matching.useNewMatcher=true');
      serverArgs.push('--dynamic-config-value', 'matching.enableFairness=true');
      for (const key of SEARCH_ATTRIBUTES) serverArgs.push('--search-attribute', `${key.name}=Keyword`);
      // A way to try the server's settings, e.g. HAI_BENCH_SERVER_ARGS="--dynamic-config-value key=value".
      serverArgs.push(...(process.env.HAI_BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? []));
      const server = startChild('dev server', temporalCli, serverArgs, process.env, join(dir, 'server.log'));
      children.push(server);
      const connection = await connectWhenUp(address, 60_000);

      // The simulator keeps every session's events in memory: at 5,000 sessions × 300 steps it outgrew Node's default
      // heap (about 4 GB) and died mid-run, so it gets room to hold what it is asked to simulate.
      const simArgs = [
        '--max-old-space-size=16384',
        CLI,
        'simulator',
        '--port',
        '0',
        '--step-ms',
        String(opts.stepMs),
        '--concurrency',
        '100000',
      ];
      simArgs.push('--changes-page-cap', String(opts.pageCap));
      const simulator = startChild('simulator', process.execPath, simArgs, process.env, join(dir, 'simulator.log'));
      children.push(simulator);
      const simUrl = (await simulator.waitFor(/listening on (http:\/\/\S+)/, 60_000))[1] as string;

      const stack = new Stack(
        dir,
        bundle,
        server,
        simulator,
        simUrl,
        new Client({ connection }),
        `http://127.0.0.1:${metricsPort}/metrics`,
        address,
      );
      Stack.live.add(stack);
      await stack.startWorker();
      return stack;
    } catch (err) {
      for (const child of children.reverse()) await child.stop();
      throw err;
    }
  }

  /** A worker process on the stack's queue, with the bundle made at start; (e) starts a second one after a kill. */
  async startWorker(): Promise<Child> {
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: this.address,
      HAI_BASE_URL: this.simUrl,
      HAI_API_KEY: WORKER_KEY,
      HAI_TEMPORAL_TASK_QUEUE: this.taskQueue,
    };
    // A way to look inside the worker alone, e.g. HAI_BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
    const nodeArgs = process.env.HAI_BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const args = [...nodeArgs, CLI, 'worker', '--workflow-bundle', this.bundle];
    const log = join(this.dir, `worker-${++this.workerCount}.log`);
    this.worker = startChild('worker', process.execPath, args, env, log);
    await this.worker.waitFor(/worker ready/, 120_000);
    return this.worker;
  }

  /**
   * The control's worker ((a), (b)): the plainest durable design (bench/perf/one-activity/), on a queue of its own
   * and a platform tenant of its own, in a child process of its own. The caller stops it.
   */
  async startControlWorker(taskQueue: string, apiKey: string): Promise<Child> {
    const env = { ...process.env, TEMPORAL_ADDRESS: this.address, HAI_BASE_URL: this.simUrl, HAI_API_KEY: apiKey };
    const script = fileURLToPath(new URL('./one-activity/worker.ts', import.meta.url));
    const args = ['--import', 'tsx', script];
    const log = join(this.dir, 'control-worker.log');
    const child = startChild(
      'control worker',
      process.execPath,
      args,
      { ...env, HAI_TEMPORAL_TASK_QUEUE: taskQueue },
      log,
    );
    await child.waitFor(/worker ready/, 120_000);
    return child;
  }

  /** kill -9: no shutdown, no last heartbeat, no completed task. */
  async killWorker(): Promise<void> {
    const { process: child } = this.worker;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    await this.worker.stop();
  }

  workerAlive(): boolean {
    return this.worker.process.exitCode === null && this.worker.process.signalCode === null;
  }

  /** Samples the stack's processes once a second until the stack stops (`live`: sessions to count, if any). */
  sample(live?: () => Promise<number>): Sampler {
    const sampler = new Sampler(this, live);
    this.samplers.push(sampler);
    return sampler;
  }

  /** A platform client of the simulator for a tenant (its key): the plain loop's, or the worker's to read its quota. */
  platform(apiKey: string): HaiClient {
    return new HaiClient({ baseUrl: this.simUrl, apiKey });
  }

  async simStats(): Promise<SimulatorStats> {
    return (await fetch(`${this.simUrl}/_simulator/stats`)).json() as Promise<SimulatorStats>;
  }

  /** Requests the simulator answered on the API, but for the quota reads the bench makes to count live sessions. */
  async platformRequests(): Promise<number> {
    const { requestsByRoute } = await this.simStats();
    return Object.entries(requestsByRoute).reduce((sum, [route, n]) => (route === QUOTA_ROUTE ? sum : sum + n), 0);
  }

  /** What reached the dev server's frontend, per gRPC operation (heartbeats, task completions...). */
  serverOps(): Promise<Record<string, number>> {
    return serverRequestsByOperation(this.metricsUrl);
  }

  /**
   * `serverOps` once the server's counters have caught up with a phase that just ended: they are flushed to the
   * metrics endpoint about once a second, so a phase's last task completions would otherwise count in the next one.
   */
  async settledServerOps(): Promise<Record<string, number>> {
    const completions = (ops: Record<string, number>) =>
      (ops.RespondWorkflowTaskCompleted ?? 0) + (ops.RespondActivityTaskCompleted ?? 0);
    let ops = await this.serverOps();
    for (let tries = 0; tries < 20; tries++) {
      await sleep(500);
      const next = await this.serverOps();
      if (completions(next) === completions(ops)) return next;
      ops = next;
    }
    return ops;
  }

  /** Workflows on this stack's queue matching a visibility query. */
  async count(query: string): Promise<number> {
    return (await this.client.workflow.count(`TaskQueue = '${this.taskQueue}' AND ${query}`)).count;
  }

  /** The worker first, so it does not fail activities against a simulator that went away. */
  async stop(): Promise<void> {
    Stack.live.delete(this);
    await Promise.all(this.samplers.map((s) => s.stop()));
    await this.worker.stop();
    await this.client.connection.close();
    await this.simulator.stop();
    await this.server.stop();
  }
}
