/**
 * The heartbeat: the server pings every PING_INTERVAL_MS and drops a client that did not answer
 * the previous ping; a normal client answers automatically and stays.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestClient } from './support/client.ts';
import { rawUpgrade } from './support/raw-socket.ts';
import { type Replica, startReplica, stopAllReplicas } from './support/replica.ts';
import { sleep, waitUntil } from './support/wait.ts';

const INTERVAL = 300;
let server: Replica;

beforeAll(async () => {
  server = await startReplica('heartbeat', { PING_INTERVAL_MS: String(INTERVAL) });
});
afterAll(stopAllReplicas);

it('drops a peer that never answers pings within two intervals, and keeps one that does', async () => {
  const healthy = await TestClient.connect(server.wsUrl);
  let pings = 0;
  healthy.ws.on('ping', () => pings++);
  const silent = await rawUpgrade(server.port); // reads everything, answers nothing
  const connectedAt = Date.now();
  await silent.ended;
  const elapsed = Date.now() - connectedAt;
  // Between one and two intervals, plus scheduling slack.
  expect(elapsed).toBeLessThanOrEqual(2 * INTERVAL + 250);
  expect(await server.metric('chat_heartbeat_timeouts_total')).toBe(1);

  await sleep(4 * INTERVAL);
  expect(healthy.isOpen).toBe(true);
  expect(pings).toBeGreaterThanOrEqual(4);
  await waitUntil(
    'the healthy client to still chat',
    2_000,
    async () => {
      healthy.send({ from: 'healthy', message: 'ping pong' });
      return healthy.messages().length > 0;
    },
    200,
  );
  await healthy.end();
});
