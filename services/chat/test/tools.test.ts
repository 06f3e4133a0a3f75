/** The probe tools shipped in the image: healthcheck and roundtrip exit 0 on a live chat, 1 otherwise. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Replica, startReplica, stopAllReplicas } from './support/replica.ts';
import { freePort } from './support/wait.ts';

const tool = (name: string) => fileURLToPath(new URL(`../src/tools/${name}.ts`, import.meta.url));
const run = (name: string, target: string) =>
  spawnSync(process.execPath, [tool(name), target], { encoding: 'utf8', timeout: 20_000 });

let server: Replica;
let deadPort: number;
beforeAll(async () => {
  [server, deadPort] = await Promise.all([startReplica('tools'), freePort()]);
});
afterAll(stopAllReplicas);

it('healthcheck exits 0 on a live replica and 1 on a dead port', () => {
  expect(run('healthcheck', `${server.url}/healthz`).status).toBe(0);
  const dead = run('healthcheck', `http://127.0.0.1:${deadPort}/healthz`);
  expect(dead.status).toBe(1);
  expect(dead.stderr).toContain('healthcheck:');
});

it('roundtrip exits 0 once its message came back, and 1 when nothing answers', () => {
  const live = run('roundtrip', server.wsUrl);
  expect(live.status).toBe(0);
  expect(live.stdout).toContain(': ok');
  const dead = run('roundtrip', `ws://127.0.0.1:${deadPort}/ws`);
  expect(dead.status).toBe(1);
  expect(dead.stderr).toContain('ECONNREFUSED');
});
