// `npm start`: the whole stack on one machine. A Temporal dev server (state kept in .data/, Web UI on
// 8233) unless TEMPORAL_ADDRESS is set, the simulator unless HAI_API_KEY is set, and the worker.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadTemporalSettings, type TemporalSettings } from '../config';
import { HaiClient } from '../hai/client';
import { startSimulator } from '../simulator';
import { devServerExecutable, PROJECT_ROOT } from '../temporal/cli-binary';
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import { installRuntime, runWorker } from '../worker';

export interface DevOptions {
  taskQueue?: string;
  temporalPort: number;
  uiPort: number;
  simulatorPort: number;
  stepMs: number;
}

export async function runDev(opts: DevOptions): Promise<void> {
  // Before the dev server: it would otherwise set up Temporal's runtime with its chatty defaults.
  const logLevel = process.env.HAI_TEMPORAL_LOG_LEVEL ? undefined : 'WARN';
  installRuntime(logLevel);
  const stops: Array<() => Promise<void>> = [];
  try {
    let temporal: TemporalSettings;
    if (process.env.TEMPORAL_ADDRESS) {
      temporal = loadTemporalSettings();
      console.log(`Temporal: ${temporal.address} (from TEMPORAL_ADDRESS)`);
    } else {
      const dataDir = join(PROJECT_ROOT, '.data');
      mkdirSync(dataDir, { recursive: true });
      const env = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: devServerExecutable(),
          ip: '127.0.0.1',
          port: opts.temporalPort,
          ui: true,
          uiPort: opts.uiPort,
          dbFilename: join(dataDir, 'temporal.sqlite'),
          searchAttributes: SEARCH_ATTRIBUTES,
        },
      });
      stops.push(() => env.teardown());
      temporal = loadTemporalSettings({ address: env.address });
      console.log(
        `Temporal: dev server on ${env.address}, Web UI http://127.0.0.1:${opts.uiPort} (state in .data/temporal.sqlite)`,
      );
    }

    let hai: HaiClient;
    if (process.env.HAI_API_KEY || process.env.H_API_KEY) {
      hai = new HaiClient();
      console.log(`Platform: ${hai.baseUrl}`);
    } else {
      const sim = await startSimulator({ port: opts.simulatorPort, stepMs: opts.stepMs });
      stops.push(() => sim.close());
      hai = new HaiClient({ baseUrl: sim.url, apiKey: 'hk-simulator' });
      console.log(`Platform: no HAI_API_KEY set, using the local simulator at ${sim.url} (sessions live in memory)`);
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
