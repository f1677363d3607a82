import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/core/**/*.test.ts', 'tests/lib/**/*.test.ts', 'tests/models/**/*.test.ts', 'tests/tools/**/*.test.ts', 'tests/server/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'browser',
          include: ['tests/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // One Chromium at a time: this machine has 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
