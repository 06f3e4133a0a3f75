/**
 * Logs: one JSON line when a connection opens and one when it closes, naming the client address
 * (from X-Forwarded-For behind a proxy), one per error, and none per message at the default level.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestClient } from './support/client.ts';
import { type Replica, startReplica, stopAllReplicas } from './support/replica.ts';
import { waitUntil } from './support/wait.ts';

let server: Replica;
beforeAll(async () => {
  server = await startReplica('logs', { RATE_LIMIT: '0' });
});
afterAll(stopAllReplicas);

it('logs a connection open and close with its id and client address, and nothing per message', async () => {
  const linesBefore = server.logs.length;
  const client = await TestClient.connect(server.wsUrl, { headers: { 'X-Forwarded-For': '203.0.113.7, 10.0.0.2' } });
  for (let i = 0; i < 50; i++) client.send({ from: 'quiet', message: `m${i}` });
  await client.waitForMessages(50);
  await client.end();
  await waitUntil('the close line', 5_000, () => server.logs.some((line) => line.msg === 'connection closed'));

  const lines = server.logs.slice(linesBefore);
  expect(lines.map((line) => line.msg)).toEqual(['connection opened', 'connection closed']);
  const [opened, closed] = lines;
  expect(opened).toMatchObject({ level: 'info', ip: '203.0.113.7', peer: '127.0.0.1', replica: 'logs' });
  expect(typeof opened?.conn).toBe('string');
  expect(closed).toMatchObject({ conn: opened?.conn, ip: '203.0.113.7', code: 1005, received: 50, delivered: 50 });
  expect(typeof opened?.time).toBe('string');
});

it('logs one line per connection error', async () => {
  const linesBefore = server.logs.length;
  const client = await TestClient.connect(server.wsUrl);
  client.ws.send(Buffer.from([0xc3, 0x28]), { binary: false }); // invalid UTF-8
  await client.waitForClose();
  await waitUntil('the close line', 5_000, () => server.logs.length >= linesBefore + 3);
  const lines = server.logs.slice(linesBefore);
  expect(lines.map((line) => line.msg)).toEqual(['connection opened', 'connection error', 'connection closed']);
  expect(lines[1]).toMatchObject({ level: 'warn', err: { code: 'WS_ERR_INVALID_UTF8' } });
});
