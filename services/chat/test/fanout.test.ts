/**
 * The article's architecture for real: three replica processes on one Redis, a client on each.
 */
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Frame, TestClient } from './support/client.ts';
import { useTestRedis } from './support/lifecycle.ts';
import { type Replica, startReplica } from './support/replica.ts';
import { sleep } from './support/wait.ts';

const redis = useTestRedis();
let replicas: Replica[];

beforeAll(async () => {
  // RATE_LIMIT=0: the senders below go far past what a person types.
  replicas = await Promise.all(
    ['r1', 'r2', 'r3'].map((name) => startReplica(name, { REDIS_URL: redis().url, RATE_LIMIT: '0' })),
  );
});

const clientOnEachReplica = () => Promise.all(replicas.map((replica) => TestClient.connect(replica.wsUrl)));

describe('fan-out across replicas', () => {
  it('a message from one replica reaches the clients of all three exactly once', async () => {
    const [alice, bob, carol] = await clientOnEachReplica();
    alice?.send({ from: 'alice', message: 'hello from r1' });
    for (const client of [alice, bob, carol]) {
      const [frame] = (await client?.waitForMessages(1)) ?? [];
      expect(frame).toMatchObject({ type: 'message', from: 'alice', message: 'hello from r1' });
      expect(typeof frame?.id).toBe('string');
      expect(Math.abs(Date.now() - (frame?.ts ?? 0))).toBeLessThan(60_000);
    }
    await sleep(200); // a duplicate would arrive within this
    expect([alice, bob, carol].map((client) => client?.messages().length)).toEqual([1, 1, 1]);
    const ids = new Set([alice, bob, carol].map((client) => client?.messages()[0]?.id));
    expect(ids.size).toBe(1); // the same message, not three copies made separately
  });

  it('1,000 messages from concurrent senders all arrive everywhere, once, in each sender order', async () => {
    const receivers = await clientOnEachReplica();
    const senders = await clientOnEachReplica(); // one sender per replica
    const perSender = [334, 333, 333];
    const total = perSender.reduce((a, b) => a + b, 0);

    await Promise.all(
      senders.map(async (sender, s) => {
        for (let i = 0; i < (perSender[s] ?? 0); i++) {
          sender.send({ from: `sender-${s}`, message: `${i}` });
          if (i % 50 === 0) await sleep(1); // interleave the senders
        }
      }),
    );

    for (const receiver of [...receivers, ...senders]) {
      const frames = await receiver.waitForMessages(total, 20_000);
      await sleep(100);
      expect(receiver.messages()).toHaveLength(total);
      expect(new Set(frames.map((frame) => frame.id)).size).toBe(total);
      for (let s = 0; s < senders.length; s++) {
        const sequence = frames.filter((frame: Frame) => frame.from === `sender-${s}`).map((f) => Number(f.message));
        expect(sequence).toEqual(Array.from({ length: perSender[s] ?? 0 }, (_, i) => i));
      }
    }
  });

  it('uses one publisher and one subscriber connection per replica, whatever the number of clients', async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => TestClient.connect(replicas[i % 3]?.wsUrl ?? '')));
    const admin = new Redis(redis().url);
    try {
      const names = ((await admin.client('LIST')) as string)
        .split('\n')
        .map((line) => /\bname=(\S*)/.exec(line)?.[1] ?? '')
        .filter((name) => name.startsWith('chat:'))
        .sort();
      expect(names).toEqual(['r1', 'r2', 'r3'].flatMap((r) => [`chat:${r}:pub`, `chat:${r}:sub`]));
      expect(await admin.pubsub('NUMSUB', 'chat:{general}')).toEqual(['chat:{general}', 3]);
    } finally {
      admin.disconnect();
    }
  });
});
