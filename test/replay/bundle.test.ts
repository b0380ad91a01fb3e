import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';

describe('the workflow bundle', () => {
  it('leaves out zod and other heavy modules: every workflow evaluates the bundle again', () => {
    const code = readFileSync(inject('workflowBundlePath'), 'utf8');
    expect(code).not.toContain('node_modules/zod');
    expect(code).not.toContain('node_modules/ajv');
    expect(code).not.toContain('node_modules/undici');
    expect(code.length).toBeLessThan(2_500_000);
  });
});
