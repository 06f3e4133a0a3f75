/**
 * /metrics: valid Prometheus text (checked by the real promtool), and the chat counters move by
 * exactly what the test did.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestClient } from './support/client.ts';
import { type Replica, startReplica, stopAllReplicas } from './support/replica.ts';
import { sleep } from './support/wait.ts';

let server: Replica;
beforeAll(async () => {
  server = await startReplica('metrics', { RATE_LIMIT: '0' });
});
afterAll(stopAllReplicas);

it('counts connections, messages in and out, rejections and latency', async () => {
  const before = {
    accepted: await server.metric('chat_connections_accepted_total'),
    received: await server.metric('chat_messages_received_total'),
    published: await server.metric('chat_messages_published_total'),
    delivered: await server.metric('chat_messages_delivered_total'),
    invalid: await server.metric('chat_messages_rejected_total{reason="invalid_json"}'),
    latency: await server.metric('chat_delivery_latency_seconds_count'),
  };
  const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(server.wsUrl)));
  expect(await server.metric('chat_connections_open')).toBe(3);
  const [sender] = clients;
  for (let i = 0; i < 10; i++) sender?.send({ from: 'm', message: `m${i}` });
  sender?.send('not json');
  for (const client of clients) await client.waitForMessages(10);
  await sleep(100);

  expect(await server.metric('chat_connections_accepted_total')).toBe(before.accepted + 3);
  expect(await server.metric('chat_messages_received_total')).toBe(before.received + 11);
  expect(await server.metric('chat_messages_published_total')).toBe(before.published + 10);
  expect(await server.metric('chat_messages_delivered_total')).toBe(before.delivered + 30);
  expect(await server.metric('chat_messages_rejected_total{reason="invalid_json"}')).toBe(before.invalid + 1);
  expect(await server.metric('chat_delivery_latency_seconds_count')).toBe(before.latency + 10); // per message, not per socket
  expect(await server.metric('chat_broker_up')).toBe(1);
  expect(
    await server.metric('chat_http_request_duration_seconds_count{method="GET",route="/metrics",status="200"}'),
  ).toBeGreaterThan(0);

  await Promise.all(clients.map((client) => client.end()));
  await sleep(100);
  expect(await server.metric('chat_connections_open')).toBe(0);
});

it('passes promtool check metrics', async () => {
  const text = await (await server.fetch('/metrics')).text();
  expect(text).toContain('process_cpu_seconds_total'); // default metrics are there too
  expect(text).toContain('nodejs_eventloop_lag_seconds');
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (check.error) throw new Error(`promtool is needed (apt-get install -y prometheus): ${check.error.message}`);
  expect(check.stdout + check.stderr).toBe('');
  expect(check.status).toBe(0);
});
