/**
 * The local sockets of this replica and the rooms they are in: fan-out of broker messages to a
 * room's members, the heartbeat, and closing everything at shutdown. The broker subscription of a
 * room follows its local membership (room-subscriptions.ts).
 *
 * Fan-out is batched per tick: the frames of a room that arrive in one tick (Redis hands over a
 * whole read's worth of messages at once under load) leave as one buffer per socket, one write
 * each; a lone message is written as it is, with no copy. With a write interval, a room's sockets
 * are also written at most once per interval: a frame that comes sooner after the room's last
 * write waits for the rest of the interval and leaves with whatever else came meanwhile. A write
 * system call costs far more than the bytes in it, so a busy room trades a few milliseconds of
 * latency for a fraction of the writes, and a quiet room's frame still leaves at once.
 *
 * Presence events wait up to PRESENCE_EVENT_WAIT_MS for others before they are queued, and a
 * message takes its room's waiting events along ahead of it, so order holds. A storm of joins into
 * a room then costs each member a write per wait, not one per join; a message never waits.
 */
import { compareIds } from './broker/broker.ts';
import { nowMs } from './clock.ts';
import type { Connection } from './connection.ts';
import type { Member } from './protocol.ts';
import type { RoomSubscriptions } from './room-subscriptions.ts';

/** A framed message (or, with id '', an event) on its way to a room's members. */
interface Outgoing {
  wire: Buffer;
  id: string;
  acceptedAt: number;
}

/** What the hub reports of its writes, for metrics. */
export interface DeliveryObserver {
  /** `count` message frames were written to sockets. */
  delivered(count: number): void;
  /** A message reached this replica's sockets `ms` after its origin accepted it. */
  latency(ms: number): void;
}

/** One connection in one room. */
export interface Membership {
  readonly connection: Connection;
  readonly room: string;
  member: Member;
  /**
   * Out of presence: receives no presence events, and is neither listed nor announced. The implicit
   * default-room membership of a client that speaks the article's protocol (and would show any other
   * frame as a message), or a member that joined with `presence: false`.
   */
  quiet: boolean;
  /** While joining: live frames held back until the history has been sent, then null. */
  held: Outgoing[] | null;
  /**
   * Just after joining: the last message id the client has. Frames up to it may still arrive
   * (published before the history read, but slower through the subscriber connection than the
   * read's answer) and are dropped; the first newer frame clears it, since a room's order holds.
   */
  floor: string | null;
}

/** The memberships of a connection in no room: shared, never written to. */
const NO_MEMBERSHIPS: readonly Membership[] = Object.freeze([]);

/** Longest a presence event waits for others of its room (a person sees no difference). */
export const PRESENCE_EVENT_WAIT_MS = 50;

/** Held frames per joining member; a join that falls this far behind fails instead of growing. */
const MAX_HELD_FRAMES = 10_000;

export class Hub {
  readonly subscriptions: RoomSubscriptions;
  /** Every local connection and the rooms it is in, so a join or a disconnect never visits other rooms. */
  readonly #connections = new Map<Connection, readonly Membership[]>();
  readonly #rooms = new Map<string, Map<Connection, Membership>>();
  readonly #observer: DeliveryObserver;
  /** Frames queued in this tick, per room, in arrival order: written when the tick ends. */
  readonly #outbox = new Map<string, Outgoing[]>();
  #flushScheduled = false;
  /** Least time between two writes to a room's sockets; 0 writes at the end of every tick. */
  readonly #writeIntervalMs: number;
  /**
   * With a write interval: the rooms written less than an interval ago and when, in the order they
   * were written, which is the order their intervals run out (each write moves its room last).
   */
  readonly #recentWrites = new Map<string, number>();
  /** Frames of recently written rooms, waiting for their room's interval to run out. */
  readonly #waiting = new Map<string, Outgoing[]>();
  /** Due when the first of #recentWrites' intervals runs out; set while there are any. */
  #intervalTimer: NodeJS.Timeout | undefined;
  /** Presence events waiting for others, per room, in arrival order. */
  readonly #events = new Map<string, Outgoing[]>();
  /** Due when the first waiting event has waited PRESENCE_EVENT_WAIT_MS; set while any wait. */
  #eventTimer: NodeJS.Timeout | undefined;
  readonly #eventWaitMs: number;
  #heartbeat: NodeJS.Timeout | undefined;
  #onEmpty: (() => void) | undefined;

  constructor(
    subscriptions: RoomSubscriptions,
    observer: DeliveryObserver,
    writeIntervalMs = 0,
    eventWaitMs = PRESENCE_EVENT_WAIT_MS,
  ) {
    this.subscriptions = subscriptions;
    this.#observer = observer;
    this.#writeIntervalMs = writeIntervalMs;
    this.#eventWaitMs = eventWaitMs;
  }

  hasRoom(room: string): boolean {
    return this.#rooms.has(room);
  }

  get size(): number {
    return this.#connections.size;
  }

  /** Rooms with at least one member on this replica. */
  get roomCount(): number {
    return this.#rooms.size;
  }

  add(connection: Connection): void {
    if (!this.#connections.has(connection)) this.#connections.set(connection, NO_MEMBERSHIPS);
  }

  /** Forgets the connection and the rooms it was in; returns those memberships, for presence. */
  remove(connection: Connection): readonly Membership[] {
    const memberships = this.membershipsOf(connection);
    this.#connections.delete(connection);
    for (const membership of memberships) this.removeMember(membership);
    if (this.#connections.size === 0) this.#onEmpty?.();
    return memberships;
  }

  membership(connection: Connection, room: string): Membership | undefined {
    return this.#rooms.get(room)?.get(connection);
  }

  membershipsOf(connection: Connection): readonly Membership[] {
    return this.#connections.get(connection) ?? NO_MEMBERSHIPS;
  }

  /** Local memberships (a connection in a room), counted without visiting each one. */
  get membershipCount(): number {
    let count = 0;
    for (const members of this.#rooms.values()) count += members.size;
    return count;
  }

  /** Every local membership, for the presence heartbeat. */
  *memberships(): IterableIterator<Membership> {
    for (const members of this.#rooms.values()) yield* members.values();
  }

  roomNames(): string[] {
    return [...this.#rooms.keys()];
  }

  /**
   * Adds a joining member (holding live frames until `release`) and resolves once the room's
   * messages reach this replica.
   */
  async addMember(connection: Connection, room: string, member: Member, quiet: boolean): Promise<Membership> {
    let members = this.#rooms.get(room);
    if (members === undefined) {
      members = new Map();
      this.#rooms.set(room, members);
    }
    const membership: Membership = { connection, room, member, quiet, held: [], floor: null };
    members.set(connection, membership);
    const others = this.#connections.get(connection);
    // Arrays of the exact size, never changed in place: an empty array grown by push reserves 17.
    if (others !== undefined) {
      this.#connections.set(connection, others.length === 0 ? [membership] : [...others, membership]);
    }
    await this.subscriptions.want(room, true);
    return membership;
  }

  /** Removes a member; the room's subscription ends with its last local member. */
  removeMember(membership: Membership): boolean {
    const members = this.#rooms.get(membership.room);
    if (members?.get(membership.connection) !== membership) return false;
    members.delete(membership.connection);
    const ofConnection = this.#connections.get(membership.connection);
    if (ofConnection !== undefined) {
      const rest = ofConnection.filter((other) => other !== membership);
      this.#connections.set(membership.connection, rest.length === 0 ? NO_MEMBERSHIPS : rest);
    }
    if (members.size === 0) {
      this.#rooms.delete(membership.room);
      this.#recentWrites.delete(membership.room);
      this.#waiting.delete(membership.room);
      this.subscriptions.want(membership.room, false).catch(() => {}); // retried on reconnect
    }
    return true;
  }

  /**
   * Ends subscriptions no member wants: a room warmed up for a connecting client that never
   * opened. Runs on the presence heartbeat, so such a room stays subscribed for seconds at most.
   */
  dropOrphanSubscriptions(): void {
    for (const room of this.subscriptions.orphans((name) => this.#rooms.has(name))) {
      this.subscriptions.want(room, false).catch(() => {});
    }
  }

  isMember(membership: Membership): boolean {
    return this.#rooms.get(membership.room)?.get(membership.connection) === membership;
  }

  /**
   * Ends the hold on a joining member: held events, and held messages newer than `seen` (the last
   * message the client has; all of them when undefined), are written in the order they arrived;
   * then it goes live, with `seen` as its floor. Returns how many held messages were written.
   */
  release(membership: Membership, seen: string | undefined): number {
    const held = membership.held ?? [];
    membership.held = null;
    membership.floor = seen ?? null;
    return writeDue(membership, held);
  }

  /**
   * Queues a framed message (id '' for an event) for the room's local members: written when this
   * tick ends, or when the room's write interval runs out if it was written less than one ago. An
   * event first waits for others (PRESENCE_EVENT_WAIT_MS), unless a message of its room comes first.
   */
  enqueue(room: string, wire: Buffer, id: string, acceptedAt: number): void {
    const outgoing: Outgoing = { wire, id, acceptedAt };
    if (id === '' && this.#eventWaitMs > 0) {
      queueOf(this.#events, room).push(outgoing);
      if (this.#eventTimer === undefined) {
        this.#eventTimer = setTimeout(this.#queueEvents, this.#eventWaitMs);
        this.#eventTimer.unref();
      }
      return;
    }
    const events = this.#events.size === 0 ? undefined : this.#events.get(room);
    if (events !== undefined) {
      this.#events.delete(room);
      for (const event of events) this.#queue(room, event);
    }
    this.#queue(room, outgoing);
  }

  /** Queues every waiting event, each room's in order. */
  readonly #queueEvents = (): void => {
    clearTimeout(this.#eventTimer);
    this.#eventTimer = undefined;
    for (const [room, events] of this.#events) for (const event of events) this.#queue(room, event);
    this.#events.clear();
  };

  #queue(room: string, outgoing: Outgoing): void {
    if (this.#writeIntervalMs > 0 && this.#recentWrites.has(room)) {
      queueOf(this.#waiting, room).push(outgoing);
      return;
    }
    queueOf(this.#outbox, room).push(outgoing);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flush);
    }
  }

  /** Writes every queued frame now, intervals or not: before the sockets close. */
  flushAll(): void {
    this.#queueEvents();
    clearTimeout(this.#intervalTimer);
    this.#intervalTimer = undefined;
    let delivered = 0;
    for (const [room, queue] of this.#waiting) delivered += this.#flushRoom(room, queue);
    this.#waiting.clear();
    this.#delivered(delivered);
    this.#flush();
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    let delivered = 0;
    for (const [room, queue] of this.#outbox) delivered += this.#flushRoom(room, queue);
    this.#outbox.clear();
    this.#delivered(delivered);
    if (this.#writeIntervalMs > 0) this.#armIntervalTimer();
  };

  /** Writes the waiting frames of the rooms whose interval has run out; the others stay recent. */
  readonly #onIntervalTimer = (): void => {
    this.#intervalTimer = undefined;
    // Timers fire on whole milliseconds: a room due within the next one is due now.
    const dueBy = nowMs() + 1 - this.#writeIntervalMs;
    let delivered = 0;
    for (const [room, writtenAt] of this.#recentWrites) {
      if (writtenAt > dueBy) break; // this one and every later one: written too recently
      this.#recentWrites.delete(room);
      const queue = this.#waiting.get(room);
      if (queue === undefined) continue; // quiet for a whole interval: its next frame leaves at once
      this.#waiting.delete(room);
      delivered += this.#flushRoom(room, queue); // recent again, now at the end of the map
    }
    this.#delivered(delivered);
    this.#armIntervalTimer();
  };

  #armIntervalTimer(): void {
    if (this.#intervalTimer !== undefined) return;
    const first = this.#recentWrites.values().next();
    if (first.done === true) return;
    // Rounded down: a timer fires a little after its time, and up to a millisecond early is due.
    const wait = Math.max(1, Math.floor(first.value + this.#writeIntervalMs - nowMs()));
    this.#intervalTimer = setTimeout(this.#onIntervalTimer, wait);
    this.#intervalTimer.unref(); // the server keeps the process alive, not a pending write
  }

  /** Writes a room's frames to its local members; returns the messages written. */
  #flushRoom(room: string, queue: readonly Outgoing[]): number {
    const members = this.#rooms.get(room);
    if (members === undefined) return 0;
    if (this.#writeIntervalMs > 0) {
      // The interval runs from the start of this write: writing to many sockets takes a while.
      this.#recentWrites.delete(room); // set alone would keep its old place in the order
      this.#recentWrites.set(room, nowMs());
    }
    const delivered = writeRoom(members, queue);
    const writtenAt = nowMs();
    for (const { id, acceptedAt } of queue) if (id !== '') this.#observer.latency(writtenAt - acceptedAt);
    return delivered;
  }

  #delivered(count: number): void {
    if (count > 0) this.#observer.delivered(count);
  }

  /**
   * Pings every socket each interval and drops those that did not answer the previous ping, so a
   * dead peer is gone within two intervals, and proxies see traffic on idle chats.
   */
  startHeartbeat(intervalMs: number): void {
    this.stopHeartbeat();
    this.#heartbeat = setInterval(() => {
      for (const connection of this.#connections.keys()) connection.heartbeat();
    }, intervalMs);
    this.#heartbeat.unref();
  }

  stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  /**
   * Starts the closing handshake on every socket, then waits for them to finish until `deadline`
   * (epoch ms), after which the rest are destroyed.
   */
  async closeAll(code: number, reason: string, deadline: number): Promise<void> {
    this.flushAll();
    for (const connection of this.#connections.keys()) connection.close(code, reason);
    if (this.#connections.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#onEmpty = resolve;
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
      clearTimeout(timer);
      this.#onEmpty = undefined;
    }
    for (const connection of this.#connections.keys()) connection.terminate();
  }
}

/**
 * Writes one tick's frames of a room to its members, one write each: every frame to the members in
 * presence, the messages alone to quiet ones (the same buffers for all, built once), what each is
 * due to members just joined (their messages are checked against a floor); members still joining
 * hold them. A join storm's presence events thus cost a write per member per tick, not per event.
 */
function writeRoom(members: Map<Connection, Membership>, queue: readonly Outgoing[]): number {
  let messages = 0;
  for (const outgoing of queue) if (outgoing.id !== '') messages++;
  const hasEvents = messages < queue.length;
  let everything: Buffer | undefined;
  let messagesOnly: Buffer | undefined;
  let delivered = 0;
  for (const membership of members.values()) {
    if (membership.held !== null) {
      for (const outgoing of queue) hold(membership, membership.held, outgoing);
      continue;
    }
    if (membership.floor !== null) {
      delivered += writeDue(membership, queue);
      continue;
    }
    let wire: Buffer;
    if (membership.quiet && hasEvents) {
      if (messages === 0) continue;
      messagesOnly ??= joinFrames(queue.filter((outgoing) => outgoing.id !== ''));
      wire = messagesOnly;
    } else {
      everything ??= joinFrames(queue);
      wire = everything;
    }
    if (membership.connection.write(wire, messages)) delivered += messages;
  }
  return delivered;
}

/** The frames as one buffer: a lone frame as it is, with no copy. */
function joinFrames(queue: readonly Outgoing[]): Buffer {
  return queue.length === 1 ? (queue[0] as Outgoing).wire : Buffer.concat(queue.map((outgoing) => outgoing.wire));
}

/**
 * Writes to a live member, in one write, the frames it is due: events unless it is quiet, messages
 * past its floor. Returns the messages written.
 */
function writeDue(membership: Membership, queue: readonly Outgoing[]): number {
  const due: Outgoing[] = [];
  let messages = 0;
  for (const outgoing of queue) {
    if (outgoing.id === '' ? membership.quiet : !aboveFloor(membership, outgoing.id)) continue;
    due.push(outgoing);
    if (outgoing.id !== '') messages++;
  }
  if (due.length === 0) return 0;
  return membership.connection.write(joinFrames(due), messages) ? messages : 0;
}

function queueOf(queues: Map<string, Outgoing[]>, room: string): Outgoing[] {
  let queue = queues.get(room);
  if (queue === undefined) {
    queue = [];
    queues.set(room, queue);
  }
  return queue;
}

/** True when `id` is past the member's floor, which it then clears: a room's ids only grow. */
function aboveFloor(membership: Membership, id: string): boolean {
  if (membership.floor === null) return true;
  if (compareIds(id, membership.floor) <= 0) return false;
  membership.floor = null;
  return true;
}

function hold(membership: Membership, held: Outgoing[], outgoing: Outgoing): void {
  if (held.length < MAX_HELD_FRAMES) held.push(outgoing);
  else membership.connection.terminate(); // its join cannot keep up; the client reconnects with `since`
}
