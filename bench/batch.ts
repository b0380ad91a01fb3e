// Batch benchmark: N scripted items as one `agentBatch` on one worker process (dev server, simulator and
// worker each in a process of its own), next to a plain in-process loop over the same simulator at the same
// window. Prints wall times, the batch's history (runs, events of the last run) and the worker's peak RSS.
//
//   npx tsx bench/batch.ts --items 10000 --window 100 --steps 3 --step-ms 20
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { BatchClient } from '../src/batch/client';
import { SessionClient } from '../src/client';
import { HaiClient } from '../src/hai/client';
import { isTerminalStatus } from '../src/hai/status';
import { findTemporalCli, MISSING_CLI_HELP, PROJECT_ROOT } from '../src/temporal/cli-binary';
import { SEARCH_ATTRIBUTES } from '../src/temporal/search-attributes';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../src/worker';
import { type Child, connectWhenUp, freePort, mapLimit, sampleProc, startChild } from './support';

const { values: flags } = parseArgs({
  options: {
    items: { type: 'string', default: '1000' },
    window: { type: 'string', default: '100' },
    steps: { type: 'string', default: '3' },
    'step-ms': { type: 'string', default: '20' },
  },
});
const N = Number(flags.items);
const WINDOW = Number(flags.window);
const STEPS = Number(flags.steps);
const STEP_MS = Number(flags['step-ms']);
const children: Child[] = [];
const task = (i: number) => `item ${i} [sim ${JSON.stringify({ steps: STEPS, stepMs: STEP_MS, answer: `a${i}` })}]`;

async function main(): Promise<void> {
  const temporalCli = findTemporalCli();
  if (!temporalCli) throw new Error(MISSING_CLI_HELP);
  const dir = mkdtempSync(join(tmpdir(), 'hai-bench-batch-'));
  const bundlePath = join(dir, 'workflow-bundle.js');
  const quiet = () => undefined;
  const logger = { trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error, log: quiet };
  writeFileSync(
    bundlePath,
    (
      await bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
        logger,
      })
    ).code,
  );

  const grpcPort = await freePort();
  const address = `127.0.0.1:${grpcPort}`;
  const serverArgs = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(grpcPort)];
  serverArgs.push('--http-port', String(await freePort()), '--metrics-port', String(await freePort()));
  serverArgs.push('--dynamic-config-value', 'matching.enableFairness=true');
  for (const key of SEARCH_ATTRIBUTES) serverArgs.push('--search-attribute', `${key.name}=Keyword`);
  children.push(startChild('dev server', temporalCli, serverArgs, process.env, join(dir, 'server.log')));
  const connection = await connectWhenUp(address, 60_000);

  const cli = join(PROJECT_ROOT, 'bin', 'hai-temporal.js');
  const simArgs = [cli, 'simulator', '--port', '0', '--step-ms', String(STEP_MS), '--concurrency', '100000'];
  const sim = startChild('simulator', process.execPath, simArgs, process.env, join(dir, 'simulator.log'));
  children.push(sim);
  const simUrl = (await sim.waitFor(/listening on (http:\/\/\S+)/, 60_000))[1] as string;

  const taskQueue = `bench-batch-${Date.now().toString(36)}`;
  const workerEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    HAI_BASE_URL: simUrl,
    HAI_API_KEY: 'hk-bench',
    HAI_TEMPORAL_TASK_QUEUE: taskQueue,
    HAI_TEMPORAL_LOG_LEVEL: 'WARN',
  };
  const worker = startChild(
    'worker',
    process.execPath,
    [
      ...(process.env.HAI_BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      cli,
      'worker',
      '--workflow-bundle',
      bundlePath,
    ],
    workerEnv,
    join(dir, 'worker.log'),
  );
  children.push(worker);
  await worker.waitFor(/worker ready/, 120_000);

  console.log(`${N} items × ${STEPS} steps × ${STEP_MS} ms, window ${WINDOW}; logs in ${dir}`);
  const batches = new BatchClient(new SessionClient(new Client({ connection }), taskQueue));
  const items = Array.from({ length: N }, (_, i) => ({ key: `i${i}`, task: task(i) }));
  const t0 = Date.now();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, sampleProc(worker.pid)?.peakRssMb ?? 0)), 1000);
  const { batchId } = await batches.start(items, { concurrency: WINDOW });
  const result = await batches.result(batchId);
  const batchS = (Date.now() - t0) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, sampleProc(worker.pid)?.peakRssMb ?? 0);
  const handle = batches.handle(batchId);
  const lastRun = await handle.describe();
  let runs = 0;
  for await (const _ of batches.temporal.workflow.list({ query: `WorkflowId = '${batchId}'` })) runs++;
  console.log(
    `batch: ${batchS.toFixed(1)} s, ${(N / batchS).toFixed(1)} items/s; succeeded ${result.counts.succeeded}, failed ${result.counts.failed}; ` +
      `${runs} run(s), last run ${lastRun.historyLength} events / ${lastRun.raw.workflowExecutionInfo?.historySizeBytes} bytes; worker peak RSS ${peakRss} MB`,
  );

  // The plain loop: create, then long-poll /changes until the session ends, WINDOW at a time, no Temporal.
  const hai = new HaiClient({ baseUrl: simUrl, apiKey: 'hk-bench-loop' });
  const t1 = Date.now();
  let ok = 0;
  await mapLimit(items, WINDOW, async (item) => {
    const session = await hai.createSession({ agent: 'h/web-surfer-flash', messages: item.task });
    let cursor = 0;
    for (;;) {
      const changes = await hai.getChanges(session.id, { fromIndex: cursor, waitForSeconds: 20 });
      if (changes) cursor += changes.new_events?.length ?? 0;
      const status = (await hai.getStatus(session.id)).status;
      if (isTerminalStatus(status)) break;
    }
    ok++;
  });
  const loopS = (Date.now() - t1) / 1000;
  console.log(`plain loop: ${loopS.toFixed(1)} s, ${(N / loopS).toFixed(1)} items/s; ${ok} done`);
  await hai.close();
  await connection.close();
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const child of [...children].reverse()) await child.stop();
  });
