/**
 * WRITE_INTERVAL_MS, seen from a client's socket: a room's frames that come within the interval of
 * its last write leave together in one write once it runs out, a quiet room's frame leaves at once,
 * and nothing still waiting is lost when the replica shuts down.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { endAllClients, TestClient } from './support/client.ts';
import { type RawPeer, rawUpgrade } from './support/raw-socket.ts';
import { startTestRedis, type TestRedis } from './support/redis.ts';
import { type Replica, startReplica, stopAllReplicas } from './support/replica.ts';
import { sleep, waitUntil } from './support/wait.ts';

/** Long enough that frames sent back to back fall well inside one interval on a loaded machine. */
const INTERVAL_MS = 1000;

let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis(inject('redisProvider'));
});

afterAll(async () => {
  await endAllClients();
  await stopAllReplicas();
  await redis?.close();
});

/** One read from the socket: when it came and the messages in the server frames it held. */
interface Read {
  at: number;
  messages: string[];
}

/** Splits a read into the server's frames (unmasked) and keeps the text of each message frame. */
function messagesIn(chunk: Buffer): string[] {
  const messages: string[] = [];
  let offset = 0;
  while (offset + 2 <= chunk.length) {
    const opcode = (chunk[offset] as number) & 0x0f;
    let length = (chunk[offset + 1] as number) & 0x7f;
    let start = offset + 2;
    if (length === 126) {
      length = chunk.readUInt16BE(offset + 2);
      start += 2;
    } else if (length === 127) {
      throw new Error('a frame over 64 KiB in a chat test');
    }
    if (start + length > chunk.length) throw new Error('a frame split over two reads: not one write');
    if (opcode === 0x1) {
      const frame = JSON.parse(chunk.subarray(start, start + length).toString('utf8')) as {
        type?: string;
        message?: string;
      };
      if (frame.type === 'message' && frame.message !== undefined) messages.push(frame.message);
    }
    offset = start + length;
  }
  return messages;
}

/** A raw client in the default room that records each read with its messages. */
async function recordingPeer(replica: Replica): Promise<{ peer: RawPeer; reads: Read[] }> {
  const peer = await rawUpgrade(replica.port);
  const reads: Read[] = [];
  peer.socket.on('data', (chunk: Buffer) => {
    const messages = messagesIn(chunk);
    if (messages.length > 0) reads.push({ at: performance.now(), messages });
  });
  return { peer, reads };
}

describe('WRITE_INTERVAL_MS', () => {
  it("writes a room's frames at most once per interval: a lone frame at once, the next ones together when it runs out", async () => {
    const replica = await startReplica('interval', {
      REDIS_URL: redis.url,
      RATE_LIMIT: '0',
      WRITE_INTERVAL_MS: String(INTERVAL_MS),
    });
    const { reads } = await recordingPeer(replica);
    const sender = await TestClient.connect(replica.wsUrl);
    await sleep(INTERVAL_MS + 200); // whatever the joins wrote to the room is an interval behind

    const sentAt = performance.now();
    sender.send({ from: 'sender', message: 'first' });
    await waitUntil('the first message', 5_000, async () => reads.length === 1);
    const first = reads[0] as Read;
    expect(first.messages).toEqual(['first']);
    expect(first.at - sentAt).toBeLessThan(INTERVAL_MS); // the room was quiet: no wait

    for (const text of ['second', 'third', 'fourth']) sender.send({ from: 'sender', message: text });
    await waitUntil('the next three messages', INTERVAL_MS + 5_000, async () => reads.length >= 2);
    await sleep(200); // a fourth read, if the three were split, comes within this
    expect(reads.slice(1).map((read) => read.messages)).toEqual([['second', 'third', 'fourth']]);
    // Written when the interval since the first write ran out (timers fire on whole milliseconds).
    expect((reads[1] as Read).at - first.at).toBeGreaterThanOrEqual(INTERVAL_MS - 20);
  });

  it('writes what is still waiting before the sockets close at shutdown', async () => {
    const replica = await startReplica('interval-shutdown', {
      REDIS_URL: redis.url,
      RATE_LIMIT: '0',
      WRITE_INTERVAL_MS: String(INTERVAL_MS),
      SHUTDOWN_TIMEOUT_MS: '2000', // the raw peer never answers the closing handshake
    });
    const { peer, reads } = await recordingPeer(replica);
    const sender = await TestClient.connect(replica.wsUrl);
    await sleep(INTERVAL_MS + 200);

    sender.send({ from: 'sender', message: 'written at once' });
    await waitUntil('the first message', 5_000, async () => reads.length === 1);
    sender.send({ from: 'sender', message: 'waiting for the interval' });
    await sleep(300); // it has reached the replica and waits there
    expect(reads).toHaveLength(1);

    await replica.stop('SIGTERM');
    await peer.ended;
    expect(reads.flatMap((read) => read.messages)).toEqual(['written at once', 'waiting for the interval']);
  });
});
