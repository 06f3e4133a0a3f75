/**
 * The life of an integration test file around a real Redis: Redis starts before the file's tests;
 * after them every client and replica the file started is ended, then Redis stops. Call it before
 * registering hooks that use the Redis: those run after it starts, and their own afterAll hooks run
 * before it stops (vitest runs after-hooks in reverse order).
 */
import { afterAll, beforeAll, inject } from 'vitest';
import { endAllClients } from './client.ts';
import { startTestRedis, type TestRedis } from './redis.ts';
import { stopAllReplicas } from './replica.ts';

/** Registers the hooks; returns the file's Redis, once the tests (or later hooks) run. */
export function useTestRedis(): () => TestRedis {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    redis = await startTestRedis(inject('redisProvider'));
  });
  afterAll(async () => {
    await endAllClients();
    await stopAllReplicas();
    await redis?.close();
  });
  return () => {
    if (redis === undefined) throw new Error('the test Redis is not started yet (use it inside a hook or a test)');
    return redis;
  };
}
