import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'bots/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most tests wait on PostgreSQL, HTTP and child processes rather than the CPU: three forks
    // keep a 2-CPU machine busy (the default, CPUs − 1, runs one file at a time there).
    maxWorkers: 3,
    reporters: ['default'],
  },
});
