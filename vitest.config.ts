import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['services/*/src/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['services/*/test/**/*.test.ts'],
          globalSetup: ['services/chat/test/support/global-setup.ts'],
          // Each file starts real processes (Redis, replicas); a generous bound, never a target.
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
    ],
  },
});
