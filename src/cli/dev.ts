// `npm start`: the whole stack on one machine. A Temporal dev server (state kept in .data/, Web UI on
// 8233) unless TEMPORAL_ADDRESS is set, the simulator (its sessions kept in .data/ too) unless HAI_API_KEY is
// set, and the worker. Stopped and started again, it carries on every session where it was.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadTemporalSettings, type TemporalSettings } from '../config';
import { HaiClient } from '../hai/client';
import { startSimulator } from '../simulator';
import { devServerExecutable } from '../temporal/cli-binary';
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import { installRuntime, runWorker } from '../worker';

export interface DevOptions {
  taskQueue?: string;
  temporalPort: number;
  uiPort: number;
  simulatorPort: number;
  stepMs: number;
  /** Where Temporal's and the simulator's state live; default HAI_TEMPORAL_DATA_DIR, else .data/ in the current folder. */
  dataDir?: string;
}

/** @temporalio/testing starts the dev server; a dev dependency, so an installed package may lack it. */
async function loadTestWorkflowEnvironment() {
  try {
    return (await import('@temporalio/testing')).TestWorkflowEnvironment;
  } catch (err) {
    throw new Error(
      '`hai-temporal dev` starts a Temporal dev server through @temporalio/testing, which is not installed: ' +
        'run `npm install @temporalio/testing`, or set TEMPORAL_ADDRESS to a running Temporal.',
      { cause: err },
    );
  }
}

export async function runDev(opts: DevOptions): Promise<void> {
  // Before the dev server: it would otherwise set up Temporal's runtime with its chatty defaults.
  const logLevel = process.env.HAI_TEMPORAL_LOG_LEVEL ? undefined : 'WARN';
  installRuntime(logLevel);
  const stops: Array<() => Promise<void>> = [];
  const dataDir = resolve(opts.dataDir ?? process.env.HAI_TEMPORAL_DATA_DIR ?? '.data');
  try {
    let temporal: TemporalSettings;
    if (process.env.TEMPORAL_ADDRESS) {
      temporal = loadTemporalSettings();
      console.log(`Temporal: ${temporal.address} (from TEMPORAL_ADDRESS)`);
    } else {
      mkdirSync(dataDir, { recursive: true });
      const TestWorkflowEnvironment = await loadTestWorkflowEnvironment();
      const env = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: devServerExecutable(),
          ip: '127.0.0.1',
          port: opts.temporalPort,
          ui: true,
          uiPort: opts.uiPort,
          dbFilename: join(dataDir, 'temporal.sqlite'),
          searchAttributes: SEARCH_ATTRIBUTES,
          // Task queue priority (batch children run below interactive sessions) and fairness (per tenant).
          extraArgs: [
            '--dynamic-config-value',
            'matching.useNewMatcher=true',
            '--dynamic-config-value',
            'matching.enableFairness=true',
          ],
        },
      });
      stops.push(() => env.teardown());
      temporal = loadTemporalSettings({ address: env.address });
      console.log(
        `Temporal: dev server on ${env.address}, Web UI http://127.0.0.1:${opts.uiPort} (state in ${join(dataDir, 'temporal.sqlite')})`,
      );
    }

    let hai: HaiClient;
    if (process.env.HAI_API_KEY || process.env.H_API_KEY) {
      hai = new HaiClient();
      console.log(`Platform: ${hai.baseUrl}`);
    } else {
      mkdirSync(dataDir, { recursive: true });
      const dataFile = join(dataDir, 'simulator.json');
      const sim = await startSimulator({ port: opts.simulatorPort, stepMs: opts.stepMs, dataFile });
      stops.push(() => sim.close());
      hai = new HaiClient({ baseUrl: sim.url, apiKey: 'hk-simulator' });
      console.log(
        `Platform: no HAI_API_KEY set, using the local simulator at ${sim.url} (sessions kept in ${dataFile})`,
      );
    }

    const queue = opts.taskQueue ? ` --task-queue ${opts.taskQueue}` : '';
    const address = /^(localhost|127\.0\.0\.1):7233$/.test(temporal.address)
      ? ''
      : `TEMPORAL_ADDRESS=${temporal.address} `;
    const hints = [
      'Ready. Try, in another terminal:',
      `  ${address}npx hai-temporal run "Find the top 3 stories on Hacker News"${queue}`,
      `  ${address}npx hai-temporal run "Plan a trip" --idle-timeout 300 --detach${queue}   # interactive: then send, status, end`,
      `  ${address}npx hai-temporal run "Draft a reply" --approval --detach${queue}          # then pending, approve or reject`,
      `  ${address}npx hai-temporal list`,
      'Ctrl-C stops everything.',
    ];
    await runWorker({
      temporal,
      hai,
      onReady: () => console.log(hints.join('\n')),
      ...(opts.taskQueue ? { taskQueue: opts.taskQueue } : {}),
    });
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}
