// Makes the workflow bundle as production does (with the workflow interceptors), in a process of its own: webpack's
// memory then never counts in the bench process, where the plain loop runs and is measured.
//
//   node --import tsx bench/perf/bundle.ts <out-file>
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../src/worker';

const out = process.argv[2];
if (!out) throw new Error('usage: bundle.ts <out-file>');
const quiet = () => undefined;
const { code } = await bundleWorkflowCode({
  ...WORKFLOW_BUNDLE_OPTIONS,
  logger: { trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error, log: quiet },
});
writeFileSync(out, code);
