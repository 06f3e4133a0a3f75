/**
 * History and recovery: recent messages on join, exactly the missed ones after a reconnect (even
 * while others send at full speed), a clear answer when they are older than what is kept, and
 * Redis memory that stays bounded.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareIds } from '../src/broker/broker.ts';
import { type Frame, TestClient } from './support/client.ts';
import { useTestRedis } from './support/lifecycle.ts';
import { type Replica, startReplica } from './support/replica.ts';
import { waitUntil } from './support/wait.ts';

const SMALL_HISTORY = 20;
const redis = useTestRedis();
let admin: Redis;
let replicas: Replica[];
let small: Replica;

beforeAll(async () => {
  admin = new Redis(redis().url);
  const env = { REDIS_URL: redis().url, RATE_LIMIT: '0' };
  [small, ...replicas] = await Promise.all([
    startReplica('history-small', { ...env, HISTORY_SIZE: String(SMALL_HISTORY), CHAT_CHANNEL: 'small' }),
    ...['history-1', 'history-2', 'history-3'].map((name) => startReplica(name, env)),
  ]);
});

afterAll(() => admin?.disconnect());

const connect = (replica: Replica | undefined, query: string) => TestClient.connect(`${replica?.wsUrl}?${query}`);

/** Sends `count` messages to a room and waits until the sender has them all back. */
async function fill(replica: Replica | undefined, room: string, count: number, label: string): Promise<Frame[]> {
  const sender = await connect(replica, `room=${room}`);
  await sender.waitForJoined(room);
  for (let i = 0; i < count; i++) sender.send({ type: 'message', room, from: 'filler', message: `${label}${i}` });
  await sender.waitForMessages(count);
  return sender.messages();
}

describe('joining with history', () => {
  it('gives the latest messages, oldest first, before anything live', async () => {
    const sent = await fill(replicas[0], 'recent', 30, 'r');
    const late = await connect(replicas[1], 'room=recent&history=10');
    const joined = await late.waitForJoined('recent');
    expect(joined).toMatchObject({ history: 10, truncated: false, position: sent.at(-1)?.id });
    await late.waitForMessages(10);
    expect(late.messages().map((f) => f.message)).toEqual(sent.slice(-10).map((f) => f.message));
    // Everything before the history frames is the join answer, nothing interleaved.
    const firstMessage = late.frames.findIndex((f) => f.type === 'message');
    expect(late.frames.findIndex((f) => f.type === 'joined')).toBeLessThan(firstMessage);
  });

  it('without a since or history, gives nothing old: only what comes after the join', async () => {
    await fill(replicas[0], 'fresh', 5, 'old');
    const client = await connect(replicas[2], 'room=fresh');
    expect(await client.waitForJoined('fresh')).toMatchObject({ history: 0 });
    const other = await connect(replicas[0], 'room=fresh');
    await other.waitForJoined('fresh');
    other.send({ type: 'message', room: 'fresh', from: 'o', message: 'new' });
    await client.waitForMessages(1);
    expect(client.messages().map((f) => f.message)).toEqual(['new']);
  });
});

describe('recovery', () => {
  it('gives a client that rejoins with the last id it saw exactly what it missed', async () => {
    const before = await fill(replicas[0], 'missed', 5, 'before');
    const lastSeen = before.at(-1)?.id ?? '';
    const during = await fill(replicas[1], 'missed', 7, 'during');
    const back = await connect(replicas[2], `room=missed&since=${lastSeen}`);
    expect(await back.waitForJoined('missed')).toMatchObject({ history: 7, truncated: false });
    await back.waitForMessages(7);
    expect(back.messages().map((f) => f.id)).toEqual(during.map((f) => f.id));
  });

  it('delivers every message exactly once to a client that keeps reconnecting while others send at full speed', async () => {
    const room = 'race';
    const watcherQuery = (since?: string) => `room=${room}${since === undefined ? '' : `&since=${since}`}`;
    // The witness stays connected throughout: what it receives is what the room got.
    const witness = await connect(replicas[1], watcherQuery());
    await witness.waitForJoined(room);
    let watcher = await connect(replicas[0], watcherQuery());
    const start = String((await watcher.waitForJoined(room)).position);
    const senders = await Promise.all(replicas.map((replica) => connect(replica, `room=${room}`)));
    await Promise.all(senders.map((sender) => sender.waitForJoined(room)));

    let sending = true;
    const total = { sent: 0 };
    const pump = Promise.all(
      senders.map(async (sender, s) => {
        // About a thousand a second each (a timer tick per message), until the reconnects are done.
        for (let i = 0; sending && i < 20_000; i++) {
          sender.send({ type: 'message', room, from: `s${s}`, message: `${i}` });
          total.sent++;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }),
    );

    // Five reconnects, each to the next replica, each resuming from the last id received.
    const got: string[] = [];
    const ids = (client: TestClient) => client.messages().map((frame) => frame.id ?? '');
    for (let round = 0; round < 5; round++) {
      await waitUntil('some messages on this connection', 10_000, () => watcher.messages().length >= 60, 5);
      await watcher.end();
      got.push(...ids(watcher));
      watcher = await connect(replicas[(round + 1) % 3], watcherQuery(got.at(-1) ?? start));
      await watcher.waitForJoined(room);
    }
    sending = false;
    await pump;
    await waitUntil('the witness to have every message', 20_000, () => witness.messages().length === total.sent);
    const all = ids(witness).filter((id) => compareIds(id, start) > 0);
    await waitUntil('the watcher to catch up', 20_000, () => ids(watcher).at(-1) === all.at(-1));
    got.push(...ids(watcher));
    console.log(`[recovery race] ${total.sent} sent; the watcher got ${got.length} over 6 connections`);
    expect(got.length).toBeGreaterThan(250);
    expect(new Set(got).size).toBe(got.length); // no duplicate
    expect(got).toEqual(all); // no gap, in order
  });
});

describe('a bounded history', () => {
  it('tells a client whose since is older than the history kept, and still sends what it has', async () => {
    const first = await fill(small, 'trimmed', 1, 'first');
    await fill(small, 'trimmed', 100, 'more');
    const back = await connect(small, `room=trimmed&since=${first[0]?.id}`);
    const joined = await back.waitForJoined('trimmed');
    expect(joined.truncated).toBe(true);
    const kept = Number(joined.history);
    expect(kept).toBeGreaterThanOrEqual(SMALL_HISTORY);
    expect(kept).toBeLessThan(100);
    await back.waitForMessages(kept);
    expect(back.messages().at(-1)?.message).toBe('more99');
    expect(await small.metric('chat_history_truncated_total')).toBe(1);
  });

  it('keeps Redis memory for a room bounded however many messages it gets', async () => {
    const key = 'small:{bounded}:history';
    await fill(small, 'bounded', 500, 'a');
    const afterFirst = Number(await admin.memory('USAGE', key));
    await fill(small, 'bounded', 1500, 'b');
    const afterMore = Number(await admin.memory('USAGE', key));
    const length = await admin.xlen(key);
    console.log(
      `[history bound] ${length} entries kept, ${afterFirst} bytes after 500 messages, ${afterMore} after 2000`,
    );
    expect(length).toBeLessThanOrEqual(SMALL_HISTORY + Math.ceil(SMALL_HISTORY / 10));
    expect(afterMore).toBeLessThanOrEqual(afterFirst * 1.5);
    expect(await admin.ttl(key)).toBeGreaterThan(0); // HISTORY_TTL: an idle room goes away
  });
});
