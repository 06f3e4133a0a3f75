/**
 * One conformance suite for every broker: the guarantees written in src/broker/broker.ts, checked
 * against the in-process broker and the Redis broker (on a real Redis).
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Broker, type BrokerHandlers, BrokerUnavailableError } from '../src/broker/broker.ts';
import { MemoryBroker } from '../src/broker/memory.ts';
import { RedisBroker } from '../src/broker/redis.ts';
import { startTestRedis, type TestRedis } from './support/redis.ts';
import { sleep, waitUntil } from './support/wait.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis(inject('redisProvider'));
});
afterAll(() => redis?.close());

interface Received {
  channel: string;
  payload: Buffer;
  acceptedAt: number;
}

/** A broker under test with everything its handlers saw. */
interface Harness {
  broker: Broker;
  received: Received[];
  statuses: boolean[];
}

const silent = pino({ level: 'silent' });
const open: Broker[] = [];

function harness(make: (handlers: BrokerHandlers) => Broker): Harness {
  const received: Received[] = [];
  const statuses: boolean[] = [];
  const broker = make({
    onMessage: (channel, payload, acceptedAt) => received.push({ channel, payload, acceptedAt }),
    onStatus: (up) => statuses.push(up),
  });
  open.push(broker);
  return { broker, received, statuses };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((broker) => broker.close()));
});

const kinds: { kind: string; make: (handlers: BrokerHandlers) => Broker }[] = [
  { kind: 'memory', make: (handlers) => new MemoryBroker(handlers) },
  {
    kind: 'redis',
    make: (handlers) =>
      new RedisBroker(
        { url: redis.url, connectionName: 'broker-test', log: silent, healthCheckIntervalMs: 500 },
        handlers,
      ),
  },
];

describe.each(kinds)('$kind broker', ({ make }) => {
  async function started(): Promise<Harness> {
    const h = harness(make);
    await waitUntil('the broker to be up', 10_000, () => h.broker.isUp());
    return h;
  }

  it('delivers the published bytes and accept time unchanged', async () => {
    const { broker, received } = await started();
    await broker.subscribe('room-a');
    const payload = Buffer.from('{"type":"message","message":"h\u00e9llo \u{1f600}"}');
    await broker.publish('room-a', payload, 1732770000123.25);
    await waitUntil('the message', 5_000, () => received.length === 1);
    expect(received[0]?.channel).toBe('room-a');
    expect(received[0]?.acceptedAt).toBe(1732770000123.25);
    expect(received[0]?.payload.equals(payload)).toBe(true);
  });

  it('keeps publish order on a channel', async () => {
    const { broker, received } = await started();
    await broker.subscribe('ordered');
    await Promise.all(Array.from({ length: 500 }, (_, i) => broker.publish('ordered', Buffer.from(String(i)), i)));
    await waitUntil('500 messages', 10_000, () => received.length === 500);
    expect(received.map((r) => Number(r.payload.toString()))).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('delivers only subscribed channels, and nothing after unsubscribe', async () => {
    const { broker, received } = await started();
    await broker.subscribe('kept');
    await broker.subscribe('dropped');
    await broker.unsubscribe('dropped');
    await broker.publish('dropped', Buffer.from('no'), 1);
    await broker.publish('kept', Buffer.from('yes'), 2);
    await waitUntil('the kept message', 5_000, () => received.length >= 1);
    await sleep(100);
    expect(received.map((r) => r.payload.toString())).toEqual(['yes']);
  });

  it('refuses to publish after close and calls no handler', async () => {
    const { broker, received } = await started();
    await broker.subscribe('closing');
    await broker.close();
    expect(broker.isUp()).toBe(false);
    await expect(broker.publish('closing', Buffer.from('late'), 1)).rejects.toBeInstanceOf(BrokerUnavailableError);
    await sleep(100);
    expect(received).toEqual([]);
  });
});

describe('redis broker across processes and outages', () => {
  const make = kinds[1]?.make as (handlers: BrokerHandlers) => Broker;

  it('fans a message out to every instance once', async () => {
    const instances = [harness(make), harness(make), harness(make)];
    await waitUntil('all instances up', 10_000, () => instances.every((h) => h.broker.isUp()));
    await Promise.all(instances.map((h) => h.broker.subscribe('fanout')));
    await instances[0]?.broker.publish('fanout', Buffer.from('to all'), 1);
    await waitUntil('every instance to receive it', 5_000, () => instances.every((h) => h.received.length === 1));
    await sleep(100);
    expect(instances.map((h) => h.received.length)).toEqual([1, 1, 1]);
  });

  it('goes down with Redis, refuses publishes at once, and resubscribes when Redis is back', async () => {
    const h = harness(make);
    await waitUntil('the broker to be up', 10_000, () => h.broker.isUp());
    await h.broker.subscribe('survives');

    await redis.stop();
    await waitUntil('the broker to notice Redis is gone', 10_000, () => !h.broker.isUp());
    // Refused while Redis is still down: a queued publish would only settle after the restart.
    await expect(h.broker.publish('survives', Buffer.from('lost?'), 1)).rejects.toBeInstanceOf(BrokerUnavailableError);

    await redis.start();
    await waitUntil('the broker to be up again', 15_000, () => h.broker.isUp());
    expect(h.statuses).toEqual([true, false, true]);
    await h.broker.publish('survives', Buffer.from('after'), 2);
    await waitUntil('the message after the outage', 5_000, () => h.received.length === 1);
    expect(h.received.map((r) => r.payload.toString())).toEqual(['after']);
  });

  it('notices a Redis that hangs without closing the connection, and recovers when it answers again', async () => {
    const h = harness(make);
    await waitUntil('the broker to be up', 10_000, () => h.broker.isUp());
    await h.broker.subscribe('frozen');

    await redis.freeze();
    try {
      // The health check pings every 500 ms here and gives up after the 2 s command timeout.
      await waitUntil('the broker to notice Redis hangs', 15_000, () => !h.broker.isUp(), 100);
      await expect(h.broker.publish('frozen', Buffer.from('x'), 1)).rejects.toBeInstanceOf(BrokerUnavailableError);
    } finally {
      await redis.thaw();
    }
    await waitUntil('the broker to be up again', 20_000, () => h.broker.isUp());
    await h.broker.publish('frozen', Buffer.from('thawed'), 2);
    await waitUntil('the message after the hang', 5_000, () =>
      h.received.some((r) => r.payload.toString() === 'thawed'),
    );
  });
});
