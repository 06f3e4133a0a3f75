/**
 * A client that stops reading for a while, within MAX_BUFFERED_BYTES: the kernel's buffers fill,
 * the replica queues the rest, and once the client reads again every frame arrives whole and in
 * order, while the room's other members were never held up.
 */
import { expect, it } from 'vitest';
import { TestClient } from './support/client.ts';
import { readServerFrames } from './support/frames.ts';
import { useTestRedis } from './support/lifecycle.ts';
import { rawUpgrade } from './support/raw-socket.ts';
import { startReplica } from './support/replica.ts';
import { waitUntil } from './support/wait.ts';

/** Far more than loopback's socket buffers hold (a few MiB), well under the replica's allowance. */
const MESSAGES = 1500;
const TEXT_BYTES = 8000;

const redis = useTestRedis();

it('delivers everything, whole and in order, to a client that stopped reading and reads again', async () => {
  const replica = await startReplica('stalled-reader', {
    REDIS_URL: redis().url,
    RATE_LIMIT: '0',
    MAX_BUFFERED_BYTES: String(64 * 1024 * 1024),
  });
  const stalled = await rawUpgrade(replica.port, { read: false });
  const sender = await TestClient.connect(replica.wsUrl);
  const texts = Array.from({ length: MESSAGES }, (_, i) =>
    `${i}:`.padEnd(TEXT_BYTES, String.fromCharCode(97 + (i % 26))),
  );
  for (const message of texts) sender.send({ from: 'sender', message });
  // The sender, in the same room on the same replica, gets them all while the other is not reading.
  await sender.waitForMessages(MESSAGES, 30_000);

  const chunks: Buffer[] = [];
  let received = 0;
  stalled.socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
  });
  stalled.socket.resume();
  let frames: { message?: string }[] = [];
  const parseAll = () =>
    readServerFrames(Buffer.concat(chunks)).map((text) => JSON.parse(text) as { message?: string });
  const arrived = () => {
    if (received < MESSAGES * TEXT_BYTES) return false; // not yet: parse once the bytes can hold them
    frames = parseAll();
    return frames.length >= MESSAGES;
  };
  await waitUntil('every frame', 30_000, arrived, 100);
  expect(frames.map((frame) => frame.message)).toEqual(texts);
});
