import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/temporal/cli-binary';

const bundle = () => readFileSync(inject('workflowBundlePath'), 'utf8');

describe('the workflow bundle', () => {
  it('leaves out zod and other heavy modules: every workflow evaluates the bundle again', () => {
    const code = bundle();
    expect(code).not.toContain('node_modules/zod');
    expect(code).not.toContain('node_modules/ajv');
    expect(code).not.toContain('node_modules/undici');
    expect(code.length).toBeLessThan(2_500_000);
  });

  it('shares its modules with every workflow of a thread, none of ours keeping a mutable binding', () => {
    const code = bundle();
    // WORKFLOW_BUNDLE_OPTIONS: the thread evaluates the workflows' entry once, before any workflow runs.
    expect(code).toMatch(/preloadModules\(\) \{\s*__webpack_require__\(/);
    const ours = [...new Set([...code.matchAll(/^\/\*\*\*\/ "\.\/(src\/[^"]+\.ts)"/gm)].map((m) => m[1]!))];
    expect(ours).toContain('src/workflows/session-run.ts');
    // A module-level `let` or `var` would be one variable for every session of the thread.
    for (const file of ours) {
      expect(readFileSync(join(PROJECT_ROOT, file), 'utf8'), file).not.toMatch(/^(export )?(let|var) /m);
    }
  });
});
