/**
 * Drill: a connection storm. 2,000 clients connect through nginx at the same moment (a deploy, a
 * network blip that dropped everyone), then one broadcast must reach every one of them, with no
 * error on any replica or in nginx.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestClient } from '../test/support/client.ts';
import { waitUntil } from '../test/support/wait.ts';
import { metric, startTestCluster, type TestCluster, troubleIn } from './support/cluster.ts';

const CLIENTS = 2_000;

let cluster: TestCluster;
const clients: TestClient[] = [];

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.end()));
  await cluster?.stop();
});

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

it(`takes ${CLIENTS} clients connecting at once and delivers a broadcast to each`, async () => {
  const started = performance.now();
  // All handshakes start in the same tick; the generous timeout is for a loaded CI machine.
  const results = await Promise.allSettled(
    Array.from({ length: CLIENTS }, () => TestClient.connect(cluster.wsUrl, { handshakeTimeout: 60_000 })),
  );
  const connectedIn = performance.now() - started;
  for (const result of results) if (result.status === 'fulfilled') clients.push(result.value);
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
  expect(failures.slice(0, 5), `${failures.length} connections failed`).toEqual([]);

  // Each replica counts its own; together they hold every client.
  let open: number[] = [];
  await waitUntil(`${CLIENTS} open connections across the replicas`, 10_000, async () => {
    open = await Promise.all(cluster.replicas.map((replica) => metric(replica, 'chat_connections_open')));
    return sum(open) === CLIENTS;
  });

  const [sender] = clients;
  if (sender === undefined) throw new Error('no client connected');
  const broadcastAt = performance.now();
  sender.send({ from: 'storm', message: 'one for all', ref: 'b1' });
  await waitUntil('every client to receive the broadcast', 30_000, () =>
    clients.every((client) => client.messages().some((frame) => frame.message === 'one for all')),
  );
  const deliveredIn = performance.now() - broadcastAt;
  expect(sender.frames.find((frame) => frame.ref === 'b1')?.type).toBe('ack');
  expect(clients.every((client) => client.messages().length === 1)).toBe(true);
  const delivered = await Promise.all(
    cluster.replicas.map((replica) => metric(replica, 'chat_messages_delivered_total')),
  );
  expect(sum(delivered)).toBe(CLIENTS);

  console.log(
    [
      '[connection storm]',
      `  clients connected at once        ${clients.length} in ${Math.round(connectedIn)} ms`,
      `  per replica                      ${cluster.replicas.map((r, i) => `${r.name} ${open[i]}`).join(', ')}`,
      `  broadcast reached all of them in ${Math.round(deliveredIn)} ms`,
    ].join('\n'),
  );

  // No errors on the server side: nothing at warn or worse from any replica, nothing in nginx's
  // error log (it logs at warn and above), and every replica still up.
  for (const replica of cluster.replicas) {
    expect(troubleIn(cluster.logs(replica.name)), `${replica.name} warnings and errors`).toEqual([]);
    expect(replica.running).toBe(true);
  }
  expect(cluster.nginxErrors()).toBe('');
});
