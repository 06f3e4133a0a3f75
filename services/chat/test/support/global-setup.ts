/**
 * Runs once before the integration tests: picks the Redis provider, prints it so every run says
 * what it tested against, and hands it to the test files.
 */
import type { TestProject } from 'vitest/node';
import { type RedisProvider, resolveRedisProvider } from './redis.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisProvider: RedisProvider;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const { provider, detail } = await resolveRedisProvider();
  process.stdout.write(`\n[integration] Redis provider: ${provider} — ${detail}\n\n`);
  project.provide('redisProvider', provider);
}
