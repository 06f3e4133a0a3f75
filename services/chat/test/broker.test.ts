/**
 * One conformance suite for every broker: the guarantees written in src/broker/broker.ts, checked
 * against the in-process broker and the Redis broker (on a real Redis).
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Broker, type BrokerHandlers, BrokerUnavailableError, compareIds } from '../src/broker/broker.ts';
import { MemoryBroker } from '../src/broker/memory.ts';
import { RedisBroker } from '../src/broker/redis.ts';
import { useTestRedis } from './support/lifecycle.ts';
import { sleep, waitUntil } from './support/wait.ts';

const redis = useTestRedis();

interface Received {
  room: string;
  frame: Buffer;
  id: string;
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
const HISTORY = { size: 10, ttlSeconds: 60 };
const PRESENCE_TTL_MS = 400;

function harness(make: (handlers: BrokerHandlers, prefix?: string) => Broker, prefix?: string): Harness {
  const received: Received[] = [];
  const statuses: boolean[] = [];
  const handlers: BrokerHandlers = {
    onMessage: (room, frame, id, acceptedAt) => received.push({ room, frame, id, acceptedAt }),
    onStatus: (up) => statuses.push(up),
  };
  const broker = make(handlers, prefix);
  open.push(broker);
  return { broker, received, statuses };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((broker) => broker.close()));
});

let prefixes = 0;
const kinds: { kind: string; make: (handlers: BrokerHandlers, prefix?: string) => Broker }[] = [
  {
    kind: 'memory',
    make: (handlers) => new MemoryBroker(handlers, { history: HISTORY, presenceTtlMs: PRESENCE_TTL_MS }),
  },
  {
    kind: 'redis',
    make: (handlers, prefix) =>
      new RedisBroker(
        {
          url: redis().url,
          connectionName: 'broker-test',
          log: silent,
          // A prefix per broker unless shared: history and presence start empty, as in memory.
          prefix: prefix ?? `t${++prefixes}`,
          history: HISTORY,
          presenceTtlMs: PRESENCE_TTL_MS,
          healthCheckIntervalMs: 500,
        },
        handlers,
      ),
  },
];

const parts = (text: string) => ({ head: '{"id":"', body: `","text":${JSON.stringify(text)}}` });
const text = (received: Received) => JSON.parse(received.frame.toString()).text as string;

describe.each(kinds)('$kind broker', ({ make }) => {
  async function started(): Promise<Harness> {
    const h = harness(make);
    await waitUntil('the broker to be up', 10_000, () => h.broker.isUp());
    return h;
  }

  it('delivers head + id + body with the id and accept time, once per subscriber', async () => {
    const { broker, received } = await started();
    await broker.subscribe('room-a');
    const id = await broker.append('room-a', parts('h\u00e9llo \u{1f600}'), 1732770000123.25);
    expect(id).toMatch(/^\d+-\d+$/);
    await waitUntil('the message', 5_000, () => received.length === 1);
    expect(received[0]).toMatchObject({ room: 'room-a', id, acceptedAt: 1732770000123.25 });
    expect(received[0]?.frame.toString()).toBe(`{"id":"${id}","text":"h\u00e9llo \u{1f600}"}`);
  });

  it('keeps append order in a room, with ids that grow in that order', async () => {
    const { broker, received } = await started();
    await broker.subscribe('ordered');
    const ids = await Promise.all(Array.from({ length: 500 }, (_, i) => broker.append('ordered', parts(String(i)), i)));
    await waitUntil('500 messages', 10_000, () => received.length === 500);
    expect(received.map(text)).toEqual(Array.from({ length: 500 }, (_, i) => String(i)));
    expect(received.map((r) => r.id)).toEqual(ids);
    for (let i = 1; i < ids.length; i++) expect(compareIds(ids[i] ?? '', ids[i - 1] ?? '')).toBeGreaterThan(0);
  });

  it('delivers only subscribed rooms, and nothing after unsubscribe', async () => {
    const { broker, received } = await started();
    await broker.subscribe('kept');
    await broker.subscribe('dropped');
    await broker.unsubscribe('dropped');
    await broker.append('dropped', parts('no'), 1);
    await broker.append('never-subscribed', parts('no'), 1);
    await broker.append('kept', parts('yes'), 2);
    await waitUntil('the kept message', 5_000, () => received.length >= 1);
    await sleep(100);
    expect(received.map(text)).toEqual(['yes']);
  });

  it('publishes events live only, without an id, and keeps them out of history', async () => {
    const { broker, received } = await started();
    await broker.subscribe('events');
    await broker.publishEvent('events', Buffer.from('{"type":"presence"}'), 7);
    await waitUntil('the event', 5_000, () => received.length === 1);
    expect(received[0]).toMatchObject({ room: 'events', id: '', acceptedAt: 7 });
    expect((await broker.history('events', { limit: 10 })).entries).toEqual([]);
  });

  it('keeps the latest messages of a room, answers since with exactly what followed, and says when it was trimmed', async () => {
    const { broker } = await started();
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) ids.push(await broker.append('kept-history', parts(`m${i}`), i));
    const last = ids.at(-1) ?? '';

    const latest = await broker.history('kept-history', { limit: 5 });
    expect(latest.entries.map((e) => e.id)).toEqual(ids.slice(-5));
    expect(latest.entries[0]?.body).toBe(parts('m245').body);
    expect(latest.position).toBe(last);
    expect(latest.truncated).toBe(false);

    const recent = await broker.history('kept-history', { since: ids[244] ?? '', limit: 1000 });
    expect(recent.entries.map((e) => e.id)).toEqual(ids.slice(245));
    expect(recent.truncated).toBe(false);

    // HISTORY_SIZE is 10 (Redis trims in whole nodes, so somewhat more may stay): the first
    // message is long gone, and a client that saw only it must be told.
    const old = await broker.history('kept-history', { since: ids[0] ?? '', limit: 1000 });
    expect(old.truncated).toBe(true);
    expect(old.entries.length).toBeLessThan(249);
    expect(old.entries.at(-1)?.id).toBe(last);

    expect(await broker.history('never-written', { limit: 5 })).toEqual({
      entries: [],
      position: '0-0',
      truncated: false,
    });
    expect((await broker.history('never-written', { since: '0-0', limit: 5 })).truncated).toBe(false);
    expect((await broker.history('never-written', { since: last, limit: 5 })).truncated).toBe(true);
  });

  it('tracks presence: add, rename, members, remove once, and expiry without refresh', async () => {
    const { broker } = await started();
    const { presence } = broker;
    await presence.add('lobby', { id: 'c1', name: 'alice' });
    await presence.add('lobby', { id: 'c2', name: 'bob' });
    await presence.add('lobby', { id: 'c2', name: 'bobby' });
    const byId = (members: { id: string }[]) => [...members].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(await presence.members('lobby'))).toEqual([
      { id: 'c1', name: 'alice' },
      { id: 'c2', name: 'bobby' },
    ]);
    expect(await presence.remove('lobby', 'c1')).toEqual({ id: 'c1', name: 'alice' });
    expect(await presence.remove('lobby', 'c1')).toBeNull(); // only one caller announces a departure

    // c2 is kept alive by refreshes; c3 is not, like the member of a replica that crashed.
    await presence.add('lobby', { id: 'c3', name: 'ghost' });
    const deadline = Date.now() + 2.5 * PRESENCE_TTL_MS;
    while (Date.now() < deadline) {
      await presence.refresh([{ room: 'lobby', memberId: 'c2' }]);
      await sleep(PRESENCE_TTL_MS / 4);
    }
    expect(await presence.members('lobby')).toEqual([{ id: 'c2', name: 'bobby' }]);
    expect(await presence.reap('lobby')).toEqual([{ id: 'c3', name: 'ghost' }]);
    expect(await presence.reap('lobby')).toEqual([]);
    // A refresh does not bring back a member that was removed.
    await presence.refresh([{ room: 'lobby', memberId: 'c1' }]);
    expect(await presence.members('lobby')).toEqual([{ id: 'c2', name: 'bobby' }]);
  });

  it('refuses to append after close and calls no handler', async () => {
    const { broker, received } = await started();
    await broker.subscribe('closing');
    await broker.close();
    expect(broker.isUp()).toBe(false);
    await expect(broker.append('closing', parts('late'), 1)).rejects.toBeInstanceOf(BrokerUnavailableError);
    await sleep(100);
    expect(received).toEqual([]);
  });
});

describe('redis broker across processes and outages', () => {
  const make = kinds[1]?.make as (handlers: BrokerHandlers, prefix?: string) => Broker;

  it('fans a message out to every instance once', async () => {
    const instances = [harness(make, 'shared'), harness(make, 'shared'), harness(make, 'shared')];
    await waitUntil('all instances up', 10_000, () => instances.every((h) => h.broker.isUp()));
    await Promise.all(instances.map((h) => h.broker.subscribe('fanout')));
    await instances[0]?.broker.append('fanout', parts('to all'), 1);
    await waitUntil('every instance to receive it', 5_000, () => instances.every((h) => h.received.length === 1));
    await sleep(100);
    expect(instances.map((h) => h.received.length)).toEqual([1, 1, 1]);
  });

  it('goes down with Redis, refuses publishes at once, and resubscribes when Redis is back', async () => {
    const h = harness(make);
    await waitUntil('the broker to be up', 10_000, () => h.broker.isUp());
    await h.broker.subscribe('survives');

    await redis().stop();
    await waitUntil('the broker to notice Redis is gone', 10_000, () => !h.broker.isUp());
    // Refused while Redis is still down: a queued publish would only settle after the restart.
    await expect(h.broker.append('survives', parts('lost?'), 1)).rejects.toBeInstanceOf(BrokerUnavailableError);

    await redis().start();
    await waitUntil('the broker to be up again', 15_000, () => h.broker.isUp());
    expect(h.statuses).toEqual([true, false, true]);
    await h.broker.append('survives', parts('after'), 2);
    await waitUntil('the message after the outage', 5_000, () => h.received.length === 1);
    expect(h.received.map(text)).toEqual(['after']);
  });

  it('notices a Redis that hangs without closing the connection, and recovers when it answers again', async () => {
    const h = harness(make);
    await waitUntil('the broker to be up', 10_000, () => h.broker.isUp());
    await h.broker.subscribe('frozen');

    await redis().freeze();
    try {
      // The health check pings every 500 ms here and gives up after the 2 s command timeout.
      await waitUntil('the broker to notice Redis hangs', 15_000, () => !h.broker.isUp(), 100);
      await expect(h.broker.append('frozen', parts('x'), 1)).rejects.toBeInstanceOf(BrokerUnavailableError);
    } finally {
      await redis().thaw();
    }
    await waitUntil('the broker to be up again', 20_000, () => h.broker.isUp());
    await h.broker.append('frozen', parts('thawed'), 2);
    await waitUntil('the message after the hang', 5_000, () => h.received.some((r) => text(r) === 'thawed'));
  });
});
