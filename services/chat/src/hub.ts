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
   * Receives messages only, no presence or join frames: the implicit default-room membership of a
   * client that speaks the article's protocol and would show any other frame as a message.
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

/** Held frames per joining member; a join that falls this far behind fails instead of growing. */
const MAX_HELD_FRAMES = 10_000;

export class Hub {
  readonly subscriptions: RoomSubscriptions;
  readonly #connections = new Set<Connection>();
  readonly #rooms = new Map<string, Map<Connection, Membership>>();
  readonly #observer: DeliveryObserver;
  /** Frames queued in this tick, per room, in arrival order. */
  readonly #outbox = new Map<string, Outgoing[]>();
  #flushScheduled = false;
  /** Least time between two writes to a room's sockets; 0 writes at the end of every tick. */
  readonly #writeIntervalMs: number;
  /** When each room's sockets were last written (nowMs), while a write interval is set. */
  readonly #lastWrite = new Map<string, number>();
  /** The timer of the earliest room whose interval has not run out, and when it is due. */
  #writeTimer: NodeJS.Timeout | undefined;
  #writeTimerDue = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #onEmpty: (() => void) | undefined;

  constructor(subscriptions: RoomSubscriptions, observer: DeliveryObserver, writeIntervalMs = 0) {
    this.subscriptions = subscriptions;
    this.#observer = observer;
    this.#writeIntervalMs = writeIntervalMs;
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
    this.#connections.add(connection);
  }

  /** Forgets the connection and the rooms it was in; returns those memberships, for presence. */
  remove(connection: Connection): Membership[] {
    const memberships = this.membershipsOf(connection);
    for (const membership of memberships) this.removeMember(membership);
    this.#connections.delete(connection);
    if (this.#connections.size === 0) this.#onEmpty?.();
    return memberships;
  }

  membership(connection: Connection, room: string): Membership | undefined {
    return this.#rooms.get(room)?.get(connection);
  }

  membershipsOf(connection: Connection): Membership[] {
    const found: Membership[] = [];
    for (const members of this.#rooms.values()) {
      const membership = members.get(connection);
      if (membership !== undefined) found.push(membership);
    }
    return found;
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
    await this.subscriptions.want(room, true);
    return membership;
  }

  /** Removes a member; the room's subscription ends with its last local member. */
  removeMember(membership: Membership): boolean {
    const members = this.#rooms.get(membership.room);
    if (members?.get(membership.connection) !== membership) return false;
    members.delete(membership.connection);
    if (members.size === 0) {
      this.#rooms.delete(membership.room);
      this.#lastWrite.delete(membership.room);
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
    let messages = 0;
    for (const outgoing of held) messages += writeOne(membership, outgoing);
    return messages;
  }

  /**
   * Queues a framed message (id '' for an event) for the room's local members; whatever is queued
   * in this tick is written when the tick ends, or when the room's write interval runs out.
   */
  enqueue(room: string, wire: Buffer, id: string, acceptedAt: number): void {
    let queue = this.#outbox.get(room);
    if (queue === undefined) {
      queue = [];
      this.#outbox.set(room, queue);
    }
    queue.push({ wire, id, acceptedAt });
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flush);
    }
  }

  /** Writes every queued frame now, intervals or not: before the sockets close. */
  flushAll(): void {
    clearTimeout(this.#writeTimer);
    this.#writeTimer = undefined;
    this.#write(nowMs(), true);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    this.#write(nowMs());
  };

  readonly #onWriteTimer = (): void => {
    this.#writeTimer = undefined;
    this.#write(nowMs());
  };

  /** Writes the queued frames of every room whose interval has run out by `now` (all when `force`); the rest wait. */
  #write(now: number, force = false): void {
    let delivered = 0;
    let nextDue = Number.POSITIVE_INFINITY;
    for (const [room, queue] of this.#outbox) {
      if (this.#writeIntervalMs > 0) {
        const due = (this.#lastWrite.get(room) ?? 0) + this.#writeIntervalMs;
        // Timers fire on whole milliseconds: a room due within the next one is due now.
        if (due > now + 1 && !force) {
          nextDue = Math.min(nextDue, due);
          continue;
        }
      }
      this.#outbox.delete(room);
      const members = this.#rooms.get(room);
      if (members === undefined) continue;
      if (this.#writeIntervalMs > 0) this.#lastWrite.set(room, now);
      delivered += writeRoom(members, queue);
      const writtenAt = nowMs();
      for (const { id, acceptedAt } of queue) if (id !== '') this.#observer.latency(writtenAt - acceptedAt);
    }
    if (delivered > 0) this.#observer.delivered(delivered);
    if (nextDue !== Number.POSITIVE_INFINITY) this.#armWriteTimer(nextDue, now);
  }

  #armWriteTimer(due: number, now: number): void {
    if (this.#writeTimer !== undefined && this.#writeTimerDue <= due) return;
    clearTimeout(this.#writeTimer);
    this.#writeTimerDue = due;
    this.#writeTimer = setTimeout(this.#onWriteTimer, Math.max(1, Math.ceil(due - now)));
  }

  /**
   * Pings every socket each interval and drops those that did not answer the previous ping, so a
   * dead peer is gone within two intervals, and proxies see traffic on idle chats.
   */
  startHeartbeat(intervalMs: number): void {
    this.stopHeartbeat();
    this.#heartbeat = setInterval(() => {
      for (const connection of this.#connections) connection.heartbeat();
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
    for (const connection of this.#connections) connection.close(code, reason);
    if (this.#connections.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#onEmpty = resolve;
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
      clearTimeout(timer);
      this.#onEmpty = undefined;
    }
    for (const connection of this.#connections) connection.terminate();
  }
}

/**
 * Writes one tick's frames of a room to its members: the same buffer to every member that is live
 * and past its floor (the frames joined into one when there are several), frame by frame to the
 * others (joining, just joined, or quiet members when the batch has events).
 */
function writeRoom(members: Map<Connection, Membership>, queue: readonly Outgoing[]): number {
  const onlyMessages = queue.every((outgoing) => outgoing.id !== '');
  let batch: Buffer | undefined;
  let delivered = 0;
  for (const membership of members.values()) {
    if (membership.held !== null || membership.floor !== null || !onlyMessages) {
      delivered += writeEach(membership, queue);
      continue;
    }
    batch ??= queue.length === 1 ? (queue[0] as Outgoing).wire : Buffer.concat(queue.map((outgoing) => outgoing.wire));
    if (membership.connection.write(batch, queue.length)) delivered += queue.length;
  }
  return delivered;
}

function writeEach(membership: Membership, queue: readonly Outgoing[]): number {
  let delivered = 0;
  for (const outgoing of queue) {
    if (membership.held !== null) hold(membership, membership.held, outgoing);
    else delivered += writeOne(membership, outgoing);
  }
  return delivered;
}

/** One frame to a live member: an event unless it is quiet, a message past its floor. Returns messages written. */
function writeOne(membership: Membership, { wire, id }: Outgoing): number {
  if (id === '') {
    if (!membership.quiet) membership.connection.write(wire, 0);
    return 0;
  }
  return aboveFloor(membership, id) && membership.connection.write(wire) ? 1 : 0;
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
