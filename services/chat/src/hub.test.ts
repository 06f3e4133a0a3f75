/**
 * The hub's write interval as pure timing logic, on fake clocks: when each room's frames leave and
 * in how many writes. (What a client's socket sees of it: test/write-interval.test.ts.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readServerFrames } from '../test/support/frames.ts';
import type { Connection } from './connection.ts';
import { Hub, PRESENCE_EVENT_WAIT_MS } from './hub.ts';
import type { RoomSubscriptions } from './room-subscriptions.ts';
import { textFrame } from './wire.ts';

const INTERVAL = 100;

/** A connection that records each write: when, and the numbers in the frames it carried. */
function recordingConnection() {
  const writes: { at: number; frames: number[] }[] = [];
  const connection = {
    write(wire: Buffer) {
      writes.push({ at: performance.now(), frames: readServerFrames(wire).map(Number) });
      return true;
    },
  };
  return { connection: connection as unknown as Connection, writes };
}

/** A server frame whose text is `n`: enough to tell frames apart in a write. */
const frame = (n: number) => textFrame(Buffer.from(String(n)));

const subscriptions = { want: async () => {}, orphans: () => [] } as unknown as RoomSubscriptions;
const afterTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

async function hubWithRooms(rooms: string[], intervalMs: number) {
  const hub = new Hub(subscriptions, { delivered: () => {}, latency: () => {} }, intervalMs);
  const writes = new Map<string, { at: number; frames: number[] }[]>();
  for (const room of rooms) {
    const recording = recordingConnection();
    const membership = await hub.addMember(recording.connection, room, { name: room } as never, true);
    hub.release(membership, undefined);
    writes.set(room, recording.writes);
  }
  return { hub, writes: (room: string) => writes.get(room) ?? [] };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Hub write interval', () => {
  it('writes a quiet room at once and a busy one at most once per interval, each room on its own clock', async () => {
    const { hub, writes } = await hubWithRooms(['a', 'b'], INTERVAL);
    const start = performance.now();
    const at = (time: number) => vi.advanceTimersByTime(start + time - performance.now());

    hub.enqueue('a', frame(1), '1-0', 0);
    await afterTick();
    at(30);
    hub.enqueue('b', frame(1), '1-0', 0); // b was quiet: at once, whatever a does
    hub.enqueue('a', frame(2), '2-0', 0);
    hub.enqueue('a', frame(3), '3-0', 0);
    await afterTick();
    at(60);
    hub.enqueue('b', frame(2), '2-0', 0);
    await afterTick();
    at(99);
    expect(writes('a').map((w) => w.frames)).toEqual([[1]]);
    at(100);
    expect(writes('a').map((w) => [w.at - start, w.frames])).toEqual([
      [0, [1]],
      [100, [2, 3]],
    ]);
    at(130);
    expect(writes('b').map((w) => [w.at - start, w.frames])).toEqual([
      [30, [1]],
      [130, [2]],
    ]);

    at(400); // a quiet for longer than an interval: its next frame leaves at once
    hub.enqueue('a', frame(4), '4-0', 0);
    await afterTick();
    expect(writes('a').at(-1)).toEqual({ at: start + 400, frames: [4] });
  });

  it('over many rooms with frames at random times: every frame once, in order, within an interval, writes an interval apart', async () => {
    const rooms = Array.from({ length: 200 }, (_, i) => `room-${i}`);
    const { hub, writes } = await hubWithRooms(rooms, INTERVAL);
    const queuedAt = new Map<string, number[]>(rooms.map((room) => [room, []]));
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let step = 0; step < 2_000; step++) {
      const room = rooms[Math.floor(random() * rooms.length)] as string;
      const times = queuedAt.get(room) as number[];
      hub.enqueue(room, frame(times.length), `${step}-0`, 0);
      times.push(performance.now());
      if (random() < 0.3) await afterTick();
      vi.advanceTimersByTime(Math.floor(random() * 5));
    }
    await afterTick();
    vi.advanceTimersByTime(INTERVAL + 1);

    for (const room of rooms) {
      const times = queuedAt.get(room) as number[];
      const roomWrites = writes(room);
      const written = roomWrites.flatMap((w) => w.frames.map((n) => ({ n, at: w.at })));
      expect(
        written.map((w) => w.n),
        room,
      ).toEqual(times.map((_, i) => i));
      written.forEach((w, i) => {
        const waited = w.at - (times[i] as number);
        expect(waited, room).toBeGreaterThanOrEqual(0);
        expect(waited, room).toBeLessThanOrEqual(INTERVAL + 1);
      });
      for (let i = 1; i < roomWrites.length; i++) {
        expect((roomWrites[i]?.at ?? 0) - (roomWrites[i - 1]?.at ?? 0), room).toBeGreaterThanOrEqual(INTERVAL - 1);
      }
    }
  });

  it('writes what is waiting when asked to flush everything, before sockets close', async () => {
    const { hub, writes } = await hubWithRooms(['a'], INTERVAL);
    hub.enqueue('a', frame(1), '1-0', 0);
    await afterTick();
    hub.enqueue('a', frame(2), '2-0', 0);
    hub.flushAll();
    expect(writes('a').map((w) => w.frames)).toEqual([[1], [2]]);
  });

  it('with no interval, writes every tick', async () => {
    const { hub, writes } = await hubWithRooms(['a'], 0);
    for (const n of [1, 2, 3]) {
      hub.enqueue('a', frame(n), `${n}-0`, 0);
      await afterTick();
    }
    expect(writes('a').map((w) => w.frames)).toEqual([[1], [2], [3]]);
  });
});

describe('Hub memberships', () => {
  it("keeps each connection's rooms as it joins and leaves them, and forgets them with the connection", async () => {
    const hub = new Hub(subscriptions, { delivered: () => {}, latency: () => {} });
    const alice = recordingConnection().connection;
    const bob = recordingConnection().connection;
    hub.add(alice);
    hub.add(bob);
    const rooms = (connection: Connection) => hub.membershipsOf(connection).map((m) => m.room);
    const [aliceInA, aliceInB, bobInB] = await Promise.all([
      hub.addMember(alice, 'a', { id: 'alice', name: 'alice' }, false),
      hub.addMember(alice, 'b', { id: 'alice', name: 'alice' }, false),
      hub.addMember(bob, 'b', { id: 'bob', name: 'bob' }, false),
    ]);
    expect([rooms(alice), rooms(bob)]).toEqual([['a', 'b'], ['b']]);

    expect(hub.removeMember(aliceInA)).toBe(true);
    expect(hub.removeMember(aliceInA)).toBe(false); // already gone
    expect(rooms(alice)).toEqual(['b']);
    expect(hub.roomCount).toBe(1); // a had no one else

    expect(hub.remove(alice)).toEqual([aliceInB]);
    expect(rooms(alice)).toEqual([]);
    expect(hub.membership(bob, 'b')).toBe(bobInB);
    expect(hub.remove(bob)).toEqual([bobInB]);
    expect([hub.size, hub.roomCount, hub.membershipCount]).toEqual([0, 0, 0]);
  });
});

describe('Hub writes per member', () => {
  /** A frame of a message (id `n-0`) or, with id '', of an event. */
  const message = (n: number) => [frame(n), `${n}-0`] as const;
  const event = (n: number) => [frame(n), ''] as const;

  async function roomWith(eventWaitMs: number, ...members: { quiet: boolean; joining?: boolean }[]) {
    const hub = new Hub(subscriptions, { delivered: () => {}, latency: () => {} }, 0, eventWaitMs);
    const joined = [];
    for (const [i, { quiet, joining }] of members.entries()) {
      const recording = recordingConnection();
      const membership = await hub.addMember(recording.connection, 'r', { id: `m${i}`, name: `m${i}` }, quiet);
      if (joining !== true) hub.release(membership, undefined);
      joined.push({ membership, writes: recording.writes });
    }
    return { hub, joined };
  }

  it("writes a tick's events and messages in one write per member: all of them in presence, the messages to quiet members", async () => {
    const { hub, joined } = await roomWith(0, { quiet: false }, { quiet: true }, { quiet: false });
    for (const [wire, id] of [event(1), message(2), event(3), event(4), message(5)]) hub.enqueue('r', wire, id, 0);
    await afterTick();
    for (const [wire, id] of [event(6), event(7)]) hub.enqueue('r', wire, id, 0);
    await afterTick();
    expect(joined.map(({ writes }) => writes.map((w) => w.frames))).toEqual([
      [
        [1, 2, 3, 4, 5],
        [6, 7],
      ],
      [[2, 5]],
      [
        [1, 2, 3, 4, 5],
        [6, 7],
      ],
    ]);
  });

  it('writes what a joining member was held back, in one write when it goes live: events, and messages past what it has', async () => {
    const { hub, joined } = await roomWith(0, { quiet: false, joining: true }, { quiet: true, joining: true });
    for (const [wire, id] of [message(1), event(2), message(3), event(4)]) hub.enqueue('r', wire, id, 0);
    await afterTick();
    hub.enqueue('r', ...message(5), 0);
    await afterTick();
    const [inPresence, quiet] = joined as [(typeof joined)[0], (typeof joined)[0]];
    expect(hub.release(inPresence.membership, '1-0')).toBe(2); // it had message 1 from the history
    expect(hub.release(quiet.membership, undefined)).toBe(3);
    expect(inPresence.writes.map((w) => w.frames)).toEqual([[2, 3, 4, 5]]);
    expect(quiet.writes.map((w) => w.frames)).toEqual([[1, 3, 5]]);
  });

  it('lets presence events wait for others, up to the wait, and sends them ahead of a message that comes first', async () => {
    const { hub, joined } = await roomWith(PRESENCE_EVENT_WAIT_MS, { quiet: false }, { quiet: true });
    const [inPresence, quiet] = joined as [(typeof joined)[0], (typeof joined)[0]];
    const start = performance.now();
    const at = (time: number) => vi.advanceTimersByTime(start + time - performance.now());
    const frames = (writes: typeof inPresence.writes) => writes.map((w) => [w.at - start, w.frames]);

    hub.enqueue('r', ...event(1), 0);
    await afterTick();
    at(20);
    hub.enqueue('r', ...event(2), 0);
    await afterTick();
    at(PRESENCE_EVENT_WAIT_MS - 1);
    expect(inPresence.writes).toEqual([]);
    at(PRESENCE_EVENT_WAIT_MS);
    await afterTick();
    expect(frames(inPresence.writes)).toEqual([[PRESENCE_EVENT_WAIT_MS, [1, 2]]]);

    at(100);
    hub.enqueue('r', ...event(3), 0);
    await afterTick();
    at(110);
    hub.enqueue('r', ...message(4), 0); // a message never waits, and takes the event along
    await afterTick();
    expect(frames(inPresence.writes).at(-1)).toEqual([110, [3, 4]]);
    expect(frames(quiet.writes)).toEqual([[110, [4]]]);
    at(200);
    await afterTick();
    expect(inPresence.writes).toHaveLength(2); // nothing left waiting
  });
});
