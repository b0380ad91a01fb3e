// One real Temporal dev server and one workflow bundle for the whole test run; test files reach them
// through `inject('temporalAddress')` and `inject('workflowBundlePath')`.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import 'vitest';
import { devServerExecutable } from '../../src/temporal/cli-binary';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { WORKFLOWS_PATH } from '../../src/worker';

let env: TestWorkflowEnvironment | undefined;

const quiet = () => undefined;
const quietLogger = { trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error, log: quiet };

export async function setup(project: TestProject): Promise<void> {
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: devServerExecutable(),
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

  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
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
    workflowBundlePath: string;
  }
}
