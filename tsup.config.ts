// The published build: one ESM bundle (+ .d.ts) per public entry in dist/, node_modules left external. Every file
// an entry imports is built, so new modules need no change here. All entries but the worker's workflow bundle
// entry sit at dist/'s top level, next to their shared chunks: src/worker.ts finds `./workflows/index.js` from there.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    worker: 'src/entries/worker.ts',
    workflows: 'src/entries/workflows.ts',
    simulator: 'src/entries/simulator.ts',
    cli: 'src/cli/main.ts',
    'workflows/index': 'src/workflows/index.ts',
  },
  format: 'esm',
  platform: 'node',
  target: 'node20',
  splitting: true,
  sourcemap: true,
  clean: true,
  dts: {
    entry: {
      index: 'src/index.ts',
      worker: 'src/entries/worker.ts',
      workflows: 'src/entries/workflows.ts',
      simulator: 'src/entries/simulator.ts',
    },
  },
  skipNodeModulesBundle: true,
  tsconfig: 'tsconfig.build.json',
});
