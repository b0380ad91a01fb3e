import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/temporal-dev-server.ts'],
    // Forks, not threads: the Temporal worker's native bridge is happiest in its own process.
    pool: 'forks',
    // Most tests wait on Temporal, the simulator and child processes rather than compute: run more files at once
    // than there are cores, or the suite takes over 20 minutes on two.
    maxWorkers: 5,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
