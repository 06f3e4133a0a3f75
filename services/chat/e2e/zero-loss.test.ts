/**
 * Zero loss across restarts, with recovery: three replicas behind nginx, 20 clients in a few rooms
 * sending continuously, every replica restarted in turn (SIGTERM, and in a second run one of them
 * SIGKILLed). Clients rejoin with the last id they have, as the page does. At the end every client
 * holds, per room, exactly the room's history from its first join on: in order, no gap, no
 * duplicate; and every message a server acknowledged is in that history.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { compareIds } from '../src/broker/broker.ts';
import { sleep, waitUntil } from '../test/support/wait.ts';
import { startTestCluster, type TestCluster } from './support/cluster.ts';
import { compareWithHistory, RecoveringClient } from './support/recovering-client.ts';

const ROOMS = ['north', 'south', 'east'];
const CLIENTS = 20;
const SEND_EVERY_MS = 200;
const SETTLE_MS = 1_000;

let cluster: TestCluster | undefined;
let clients: RecoveringClient[] = [];

afterEach(async () => {
  await Promise.all(clients.map((client) => client.stop()));
  clients = [];
  await cluster?.stop();
  cluster = undefined;
});

/** Runs the drill; `signalFor` picks how each replica is stopped. */
async function drill(signalFor: (index: number) => NodeJS.Signals): Promise<void> {
  // History large enough to hold the whole drill: what is tested is recovery, not trimming.
  cluster = await startTestCluster({ replicaEnv: { HISTORY_SIZE: '100000', RATE_LIMIT: '0' } });
  const running = cluster;
  // Each client is in two of the three rooms.
  clients = Array.from(
    { length: CLIENTS },
    (_, i) => new RecoveringClient(`z${i}`, running.wsUrl, [ROOMS[i % 3] ?? '', ROOMS[(i + 1) % 3] ?? '']),
  );
  await Promise.all(clients.map((client) => client.start()));
  for (const client of clients) client.chat(SEND_EVERY_MS);

  const log: string[] = [];
  await sleep(SETTLE_MS);
  for (const [index, replica] of running.replicas.entries()) {
    const signal = signalFor(index);
    const exit = await replica.stop(signal);
    expect(exit.signal ?? exit.code, `${replica.name} after ${signal}`).toBe(signal === 'SIGKILL' ? 'SIGKILL' : 0);
    await replica.start();
    log.push(`${replica.name} ${signal}`);
    await sleep(SETTLE_MS);
  }
  await waitUntil('every client back in all its rooms', 30_000, () => clients.every((c) => c.joinedEverywhere));
  await sleep(SETTLE_MS);
  for (const client of clients) client.stopChatting();

  const admin = new Redis(running.redis.url);
  try {
    const history = new Map<string, string[]>();
    for (const room of ROOMS) {
      const entries = (await admin.xrange(`chat:{${room}}:history`, '-', '+')) as [string, string[]][];
      history.set(
        room,
        entries.map(([id]) => id),
      );
    }
    // Wait until every client has its rooms' last message (deliveries in flight land).
    await waitUntil('every client to have caught up', 20_000, () =>
      clients.every((client) =>
        client.rooms.every((room) => client.received.get(room)?.at(-1) === history.get(room)?.at(-1)),
      ),
    );

    let sent = 0;
    let delivered = 0;
    let reconnects = 0;
    for (const client of clients) {
      reconnects += client.connections - 1;
      for (const room of client.rooms) {
        const from = client.joinedAt.get(room) ?? '0-0';
        const roomHistory = history.get(room) ?? [];
        const expected = roomHistory.filter((id) => compareIds(id, from) > 0);
        const received = client.received.get(room) ?? [];
        const result = compareWithHistory(received, expected);
        expect(result, `${client.name} in ${room}`).toEqual({
          inOrder: true,
          duplicates: 0,
          missing: 0,
          unexpected: 0,
        });
        const acked = client.acked.get(room) ?? [];
        const kept = new Set(roomHistory);
        expect(
          acked.filter((id) => !kept.has(id)),
          `${client.name}'s acknowledged messages in ${room}`,
        ).toEqual([]);
        sent += acked.length;
        delivered += received.length;
      }
      expect(client.truncations, `${client.name} was told of a gap`).toBe(0);
    }
    console.log(
      `[zero loss] ${log.join(', ')}: ${sent} messages acknowledged, ${delivered} deliveries checked ` +
        `against history, ${reconnects} reconnects, none lost or duplicated`,
    );
    expect(reconnects).toBeGreaterThanOrEqual(CLIENTS); // every client was moved at least once
  } finally {
    admin.disconnect();
  }
}

describe('zero loss across restarts', () => {
  it('a rolling restart with SIGTERM loses and duplicates nothing for anyone', async () => {
    await drill(() => 'SIGTERM');
  });

  it('nor does a restart in which one replica is SIGKILLed', async () => {
    await drill((index) => (index === 1 ? 'SIGKILL' : 'SIGTERM'));
  });
});
