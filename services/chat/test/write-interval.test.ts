/**
 * WRITE_INTERVAL_MS, seen from a client's socket: a room's frames that come within the interval of
 * its last write leave together in one write once it runs out, a quiet room's frame leaves at once,
 * and nothing still waiting is lost when the replica shuts down.
 */
import { describe, expect, it } from 'vitest';
import { TestClient } from './support/client.ts';
import { readServerFrames } from './support/frames.ts';
import { useTestRedis } from './support/lifecycle.ts';
import { type RawPeer, rawUpgrade } from './support/raw-socket.ts';
import { type Replica, startReplica } from './support/replica.ts';
import { sleep, waitUntil } from './support/wait.ts';

/** Long enough that frames sent back to back fall well inside one interval on a loaded machine. */
const INTERVAL_MS = 1000;

const redis = useTestRedis();

/** One read from the socket: when it came and the messages in the server frames it held. */
interface Read {
  at: number;
  messages: string[];
}

/** The text of each message frame in one read (ws's receiver: a frame cut between reads is not one write). */
function messagesIn(chunk: Buffer): string[] {
  return readServerFrames(chunk)
    .map((text) => JSON.parse(text) as { type?: string; message?: string })
    .flatMap((frame) => (frame.type === 'message' && frame.message !== undefined ? [frame.message] : []));
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
      REDIS_URL: redis().url,
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
      REDIS_URL: redis().url,
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
