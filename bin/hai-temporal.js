#!/usr/bin/env node
// The hai-temporal command. An installed package runs its build (dist/cli.js). A checkout (src/ next to bin/)
// runs the TypeScript sources through tsx, a dev dependency, so edits take effect without a rebuild and a stale
// dist/ is never what runs.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
const built = new URL('../dist/cli.js', import.meta.url);

if (existsSync(source) && tsxAvailable()) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else if (existsSync(built)) {
  await import(built.href);
} else {
  console.error('hai-temporal: no build found (dist/cli.js). In a clone, run `npm install` (or `npm run build`).');
  process.exitCode = 2;
}

function tsxAvailable() {
  try {
    import.meta.resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}
