/**
 * Rooms across three replicas on one Redis: isolation, per-room subscriptions, join and leave
 * answers, and presence that is the same everywhere and loses a crashed replica's members.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Frame, TestClient, upgradeStatus } from './support/client.ts';
import { useTestRedis } from './support/lifecycle.ts';
import { type Replica, startReplica } from './support/replica.ts';
import { sleep, waitUntil } from './support/wait.ts';

const PRESENCE_TTL_MS = 1500;
const redis = useTestRedis();
let admin: Redis;
let replicas: Replica[];

beforeAll(async () => {
  admin = new Redis(redis().url);
  replicas = await Promise.all(
    ['rooms-1', 'rooms-2', 'rooms-3'].map((name) =>
      startReplica(name, {
        REDIS_URL: redis().url,
        RATE_LIMIT: '0',
        PRESENCE_TTL_MS: String(PRESENCE_TTL_MS),
        MAX_ROOMS_PER_CONNECTION: '3',
      }),
    ),
  );
});

afterAll(() => admin?.disconnect());

/** Connects to a replica with the given query (e.g. `room=a&name=alice`). */
const connect = (replica: Replica | undefined, query: string) => TestClient.connect(`${replica?.wsUrl}?${query}`);

/** Connects a client per [replica, query] in turn, each in `room` before the next one connects. */
async function joinInTurn<Seats extends [Replica | undefined, string][]>(
  room: string,
  ...seats: Seats
): Promise<{ [K in keyof Seats]: TestClient }> {
  const clients: TestClient[] = [];
  for (const [replica, query] of seats) {
    const client = await connect(replica, `room=${room}&${query}`);
    await client.waitForJoined(room);
    clients.push(client);
  }
  return clients as { [K in keyof Seats]: TestClient };
}

/** The member names a client currently sees in a room, from its snapshot and the events after it. */
function membersSeen(client: TestClient, room: string): string[] {
  const names = new Map<string, string>();
  for (const frame of client.frames) {
    if (frame.type !== 'presence' || frame.room !== room) continue;
    const { members, event, member } = frame as Frame & {
      members?: { id: string; name: string }[];
      event?: string;
      member?: { id: string; name: string };
    };
    if (members !== undefined) {
      names.clear();
      for (const m of members) names.set(m.id, m.name);
    } else if (member !== undefined) {
      if (event === 'leave') names.delete(member.id);
      else names.set(member.id, member.name);
    }
  }
  return [...names.values()].sort();
}

const numsub = async (room: string) => Number((await admin.pubsub('NUMSUB', `chat:{${room}}`))[1]);

describe('rooms', () => {
  it('keep messages apart, on every replica, and a replica subscribes only to rooms it has members in', async () => {
    const [r1, r2, r3] = replicas;
    const onlyA = await connect(r1, 'room=iso-a');
    const onlyB = await connect(r2, 'room=iso-b');
    const both = await connect(r3, 'room=iso-a&room=iso-b');
    await Promise.all([
      onlyA.waitForJoined('iso-a'),
      onlyB.waitForJoined('iso-b'),
      both.waitForJoined('iso-a'),
      both.waitForJoined('iso-b'),
    ]);

    expect(await numsub('iso-a')).toBe(2); // rooms-1 and rooms-3; rooms-2 has nobody in it
    expect(await numsub('iso-b')).toBe(2);

    onlyA.send({ type: 'message', room: 'iso-a', from: 'a', message: 'for A' });
    onlyB.send({ type: 'message', room: 'iso-b', from: 'b', message: 'for B' });
    await both.waitFor((frame) => frame.message === 'for A' && frame.room === 'iso-a');
    await both.waitFor((frame) => frame.message === 'for B' && frame.room === 'iso-b');
    await onlyA.waitFor((frame) => frame.message === 'for A');
    await onlyB.waitFor((frame) => frame.message === 'for B');
    await sleep(200);
    expect(onlyA.messages().map((f) => f.message)).toEqual(['for A']);
    expect(onlyB.messages().map((f) => f.message)).toEqual(['for B']);

    // rooms-1's last member of iso-a leaves: rooms-1 stops receiving iso-a.
    onlyA.send({ type: 'leave', room: 'iso-a', ref: 'bye' });
    expect(await onlyA.waitFor((frame) => frame.ref === 'bye')).toMatchObject({ type: 'left', room: 'iso-a' });
    await waitUntil('rooms-1 to unsubscribe from iso-a', 5_000, async () => (await numsub('iso-a')) === 1);
    expect(await replicas[0]?.metric('chat_room_subscriptions')).toBe(0);
    expect(await replicas[2]?.metric('chat_rooms_active')).toBe(2);
  });

  it('answer joins and leaves, and refuse what a connection may not do', async () => {
    const client = await connect(replicas[0], 'room=rules-1&name=rita');
    await client.waitForJoined('rules-1');
    client.send({ type: 'message', room: 'rules-2', from: 'rita', message: 'not a member', ref: 'm1' });
    expect(await client.waitFor((frame) => frame.ref === 'm1')).toMatchObject({
      type: 'error',
      code: 'not_in_room',
      room: 'rules-2',
    });
    client.send({ type: 'join', room: 'bad room', ref: 'j0' });
    expect(await client.waitFor((frame) => frame.ref === 'j0')).toMatchObject({ code: 'invalid_room' });
    client.send({ type: 'join', room: 'rules-2', ref: 'j1' });
    client.send({ type: 'join', room: 'rules-3', ref: 'j2' });
    expect(await client.waitFor((frame) => frame.ref === 'j2')).toMatchObject({ type: 'joined', room: 'rules-3' });
    client.send({ type: 'join', room: 'rules-4', ref: 'j3' }); // MAX_ROOMS_PER_CONNECTION is 3
    expect(await client.waitFor((frame) => frame.ref === 'j3')).toMatchObject({
      type: 'error',
      code: 'too_many_rooms',
      room: 'rules-4',
    });
    client.send({ type: 'leave', room: 'rules-4', ref: 'l1' });
    expect(await client.waitFor((frame) => frame.ref === 'l1')).toMatchObject({ code: 'not_in_room' });
    client.send({ type: 'message', room: 'rules-2', from: 'rita', message: 'now a member', ref: 'm2' });
    expect(await client.waitFor((frame) => frame.ref === 'm2')).toMatchObject({ type: 'ack', room: 'rules-2' });
    expect(client.isOpen).toBe(true);
  });

  it('refuses an upgrade whose room parameters are invalid', async () => {
    const invalid = ['room=a%20b', 'room=a&room=b&since=1-0', 'since=yesterday', 'history=many', 'presence=no'];
    for (const query of [...invalid, 'room=a&presence=constructor']) {
      expect(await upgradeStatus(`${replicas[0]?.wsUrl}?${query}`), query).toBe(400);
    }
  });
});

describe('presence', () => {
  it('is the same on every replica: a member list at join, then join and leave events', async () => {
    const [r1, r2, r3] = replicas;
    const [alice, bob, carol] = await joinInTurn('lobby', [r1, 'name=alice'], [r2, 'name=bob'], [r3, 'name=carol']);

    // Bob's snapshot had alice and himself; carol's everyone.
    expect(bob.frames.find((f) => f.type === 'presence' && 'members' in f)).toMatchObject({
      members: expect.arrayContaining([
        expect.objectContaining({ name: 'alice' }),
        expect.objectContaining({ name: 'bob' }),
      ]),
    });
    for (const client of [alice, bob, carol]) {
      await waitUntil('every replica to agree', 5_000, () => membersSeen(client, 'lobby').join() === 'alice,bob,carol');
    }

    await bob.end();
    for (const client of [alice, carol]) {
      await waitUntil('bob to leave everywhere', 5_000, () => membersSeen(client, 'lobby').join() === 'alice,carol');
    }

    // A rejoin with another name renames the member for everyone.
    alice.send({ type: 'join', room: 'lobby', name: 'alicia' });
    await waitUntil('the new name on rooms-3', 5_000, () => membersSeen(carol, 'lobby').join() === 'alicia,carol');
  });

  it('gives every member the whole room after a storm of joins into it, each join one of many at once', async () => {
    // 80 a replica: more than rooms.ts lets talk to Redis at once, so some joins wait their turn.
    const names = Array.from({ length: 240 }, (_, i) => `s${String(i).padStart(3, '0')}`);
    const clients = await Promise.all(
      names.map((name, i) => connect(replicas[i % replicas.length], `room=storm&name=${name}`)),
    );
    await Promise.all(clients.map((client) => client.waitForJoined('storm', 15_000)));
    const everyone = names.join();
    await waitUntil('every member to see all 240', 15_000, () =>
      clients.every((client) => membersSeen(client, 'storm').join() === everyone),
    );
  });

  it('leaves article clients out until they join by name', async () => {
    const plain = await TestClient.connect(replicas[0]?.wsUrl ?? ''); // no parameters: the article's client
    const watcher = await connect(replicas[1], 'room=general&name=watcher');
    await watcher.waitForJoined('general');
    expect(membersSeen(watcher, 'general')).toEqual(['watcher']);
    plain.send({ type: 'join', room: 'general', name: 'was-plain' });
    await plain.waitForJoined('general');
    await waitUntil(
      'the named client in presence',
      5_000,
      () => membersSeen(watcher, 'general').join() === 'was-plain,watcher',
    );
  });

  it('leaves a member that joins with presence off out of it, both ways, until it rejoins with it on', async () => {
    const [r1, r2, r3] = replicas;
    const [watcher, viewer, late] = await joinInTurn(
      'stage',
      [r1, 'name=watcher'],
      [r2, 'name=viewer&presence=0'],
      [r3, 'name=late'],
    );
    await waitUntil(
      'late in presence on rooms-1',
      5_000,
      () => membersSeen(watcher, 'stage').join() === 'late,watcher',
    );
    // Events and messages of a room reach a replica in order: once the viewer has a message sent
    // after every presence change so far, any presence frame meant for it would have come first.
    const mark = (text: string) => {
      watcher.send({ type: 'message', room: 'stage', from: 'watcher', message: text });
      return viewer.waitFor((frame) => frame.message === text);
    };
    const presenceFrames = (client: TestClient) => client.frames.filter((frame) => frame.type === 'presence');
    await mark('after late joined');
    expect(presenceFrames(viewer)).toEqual([]);
    expect(membersSeen(late, 'stage')).toEqual(['late', 'watcher']);
    const named = (name: string) => (frame: Frame) => JSON.stringify(frame).includes(`"name":"${name}"`);
    expect(presenceFrames(watcher).filter(named('viewer'))).toEqual([]);

    // In by a join frame: announced to the others, and the member list from then on.
    viewer.send({ type: 'join', room: 'stage', ref: 'in' });
    await viewer.waitFor((frame) => frame.ref === 'in');
    for (const client of [watcher, late, viewer]) {
      await waitUntil(
        'the viewer in presence',
        5_000,
        () => membersSeen(client, 'stage').join() === 'late,viewer,watcher',
      );
    }
    // And out again: a departure for the others, nothing more for the viewer. Announced, not
    // left to expire (no replica reaps it, which would also end in a departure after the TTL).
    const reaped = () => Promise.all(replicas.map((r) => r.metric('chat_presence_reaped_total')));
    const reapedBefore = await reaped();
    viewer.send({ type: 'join', room: 'stage', presence: false, ref: 'out' });
    await viewer.waitFor((frame) => frame.ref === 'out');
    await waitUntil('the viewer out of presence', 5_000, () => membersSeen(late, 'stage').join() === 'late,watcher');
    await mark('after the viewer left presence');
    expect(await reaped()).toEqual(reapedBefore);
    const seenBefore = presenceFrames(viewer).length;
    await late.end();
    await waitUntil('late gone on rooms-1', 5_000, () => membersSeen(watcher, 'stage').join() === 'watcher');
    await mark('after late left');
    expect(presenceFrames(viewer)).toHaveLength(seenBefore);
    const marks = ['after late joined', 'after the viewer left presence', 'after late left'];
    expect(viewer.messages().map((frame) => frame.message)).toEqual(marks);
  });

  it("forgets a crashed replica's members within the stated bound", async () => {
    const victim = await startReplica('rooms-victim', {
      REDIS_URL: redis().url,
      PRESENCE_TTL_MS: String(PRESENCE_TTL_MS),
    });
    const survivor = await connect(replicas[0], 'room=crash&name=survivor');
    await survivor.waitForJoined('crash');
    const doomed = await Promise.all(['dora', 'dan'].map((name) => connect(victim, `room=crash&name=${name}`)));
    await Promise.all(doomed.map((client) => client.waitForJoined('crash')));
    await waitUntil('everyone in presence', 5_000, () => membersSeen(survivor, 'crash').length === 3);

    await victim.stop('SIGKILL'); // no goodbye: only the TTL can clear its members
    const killedAt = Date.now();
    await waitUntil('the ghosts to go', 10_000, () => membersSeen(survivor, 'crash').join() === 'survivor', 50);
    const gone = Date.now() - killedAt;
    console.log(`[presence] crashed replica's members gone after ${gone} ms (TTL ${PRESENCE_TTL_MS} ms)`);
    // The README's bound: the TTL plus one heartbeat (a third of it), plus scheduling slack.
    expect(gone).toBeLessThanOrEqual(PRESENCE_TTL_MS + PRESENCE_TTL_MS / 3 + 500);
    const fresh = await connect(replicas[1], 'room=crash&name=late');
    await fresh.waitForJoined('crash');
    expect(membersSeen(fresh, 'crash')).toEqual(['late', 'survivor']);
  });
});
