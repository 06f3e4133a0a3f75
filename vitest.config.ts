import { defineConfig } from 'vitest/config';

// Generous bounds for suites that start real processes (Redis, replicas, nginx, Chromium,
// containers); they are limits against hangs, never speed targets.
const realProcesses = { testTimeout: 60_000, hookTimeout: 120_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    projects: [
      {
        // Pure logic, beside the code it tests.
        test: { name: 'unit', include: ['services/*/src/**/*.test.ts'] },
      },
      {
        // One or a few replica processes on a real Redis.
        test: {
          name: 'integration',
          include: ['services/*/test/**/*.test.ts'],
          globalSetup: ['services/chat/test/support/global-setup.ts'],
          ...realProcesses,
        },
      },
      {
        // Whole systems: replicas behind a real nginx, real browsers, fault drills.
        test: {
          name: 'e2e',
          include: ['services/*/e2e/**/*.test.ts'],
          globalSetup: ['services/chat/test/support/global-setup.ts'],
          ...realProcesses,
          testTimeout: 180_000,
        },
      },
      {
        // What ships around the service: container image and compose, Helm chart, manifests.
        test: {
          name: 'deploy',
          include: ['docker/test/**/*.test.ts', 'charts/*/test/**/*.test.ts', 'scripts/test/**/*.test.ts'],
          ...realProcesses,
          testTimeout: 600_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
