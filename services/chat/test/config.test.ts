/** A bad configuration value stops the start: one line naming the variable, exit code 2. */
import { expect, it } from 'vitest';
import { Replica } from './support/replica.ts';

it.each([
  ['PORT', 'not-a-port'],
  ['REDIS_URL', 'http://localhost:6379'],
  ['LOG_LEVEL', 'loud'],
  ['ALLOWED_ORIGINS', 'example.com'],
])('%s=%s exits 2 with one line naming the variable', async (variable, value) => {
  const replica = new Replica(`bad-${variable}`, { [variable]: value });
  const exit = await replica.exited;
  expect(exit.code).toBe(2);
  const lines = replica.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^chat: invalid configuration: ${variable} `));
  expect(replica.logs).toEqual([]);
});
