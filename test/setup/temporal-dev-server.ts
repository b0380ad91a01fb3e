// One real Temporal dev server and one workflow bundle for the whole test run; test files reach them
// through `inject('temporalAddress')`, `inject('temporalUiUrl')` (its Web UI) and `inject('workflowBundlePath')`.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import 'vitest';
import { devServerExecutable } from '../../src/temporal/cli-binary';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../src/worker';

let env: TestWorkflowEnvironment | undefined;

const quiet = () => undefined;
const quietLogger = { trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error, log: quiet };

/** A port nobody listens on now, for the Web UI (the dev server's own choice is not exposed). */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export async function setup(project: TestProject): Promise<void> {
  const uiPort = await freePort();
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: devServerExecutable(),
      ui: true,
      uiPort,
      searchAttributes: SEARCH_ATTRIBUTES,
      extraArgs: [
        '--dynamic-config-value',
        'frontend.enableUpdateWorkflowExecution=true',
        // Task queue priority (batch children run below interactive sessions) and fairness (per tenant).
        '--dynamic-config-value',
        'matching.useNewMatcher=true',
        '--dynamic-config-value',
        'matching.enableFairness=true',
      ],
    },
  });
  project.provide('temporalAddress', env.address);
  project.provide('temporalUiUrl', `http://127.0.0.1:${uiPort}`);

  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_OPTIONS,
    logger: quietLogger,
  });
  const dir = join(process.cwd(), 'test-results');
  mkdirSync(dir, { recursive: true });
  // One file per run: concurrent runs in the same checkout must not read each other's half-written bundle.
  const bundlePath = join(dir, `workflow-bundle-${process.pid}.js`);
  writeFileSync(bundlePath, code);
  project.provide('workflowBundlePath', bundlePath);
}

export async function teardown(): Promise<void> {
  await env?.teardown();
  rmSync(join(process.cwd(), 'test-results', `workflow-bundle-${process.pid}.js`), { force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalUiUrl: string;
    workflowBundlePath: string;
  }
}
