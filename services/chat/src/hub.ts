/**
 * The local sockets of this replica and the rooms they are in: fan-out of broker messages to a
 * room's members, the heartbeat, and closing everything at shutdown. The broker subscription of a
 * room follows its local membership (room-subscriptions.ts).
 */
import { compareIds } from './broker/broker.ts';
import type { Connection } from './connection.ts';
import type { Member } from './protocol.ts';
import type { RoomSubscriptions } from './room-subscriptions.ts';

/** A frame that reached a joining member before its history was sent; `id` is '' for events. */
interface Held {
  frame: Buffer;
  id: string;
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
  held: Held[] | null;
  /**
   * Just after joining: the last message id the client has. Frames up to it may still arrive
   * (published before the history read, but slower through the subscriber connection than the
   * read's answer) and are dropped; the first newer frame clears it, since a room's order holds.
   */
  floor: string | null;
}

/** Held frames per joining member; a join that falls this far behind fails instead of growing. */
export const MAX_HELD_FRAMES = 10_000;

export class Hub {
  readonly subscriptions: RoomSubscriptions;
  readonly #connections = new Set<Connection>();
  readonly #rooms = new Map<string, Map<Connection, Membership>>();
  #heartbeat: NodeJS.Timeout | undefined;
  #onEmpty: (() => void) | undefined;

  constructor(subscriptions: RoomSubscriptions) {
    this.subscriptions = subscriptions;
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

  /** Forgets the connection; its memberships must have been removed (or are removed here). */
  remove(connection: Connection): void {
    for (const membership of this.membershipsOf(connection)) this.removeMember(membership);
    this.#connections.delete(connection);
    if (this.#connections.size === 0) this.#onEmpty?.();
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
    for (const { frame, id } of held) {
      if (id === '') {
        if (!membership.quiet) membership.connection.deliver(frame);
      } else if (aboveFloor(membership, id) && membership.connection.deliver(frame)) {
        messages++;
      }
    }
    return messages;
  }

  /**
   * Writes one message frame to every local member of the room, as is; returns how many received
   * it. This is the per-message fan-out: one map lookup, then one write per member.
   */
  deliver(room: string, frame: Buffer, id: string): number {
    const members = this.#rooms.get(room);
    if (members === undefined) return 0;
    let delivered = 0;
    for (const membership of members.values()) {
      if (membership.held !== null) hold(membership, frame, id);
      else if (membership.floor !== null && !aboveFloor(membership, id)) continue;
      else if (membership.connection.deliver(frame)) delivered++;
    }
    return delivered;
  }

  /** Writes an event (presence) to the room's members that want events. */
  deliverEvent(room: string, frame: Buffer): void {
    const members = this.#rooms.get(room);
    if (members === undefined) return;
    for (const membership of members.values()) {
      if (membership.held !== null) hold(membership, frame, '');
      else if (!membership.quiet) membership.connection.deliver(frame);
    }
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

/** True when `id` is past the member's floor, which it then clears: a room's ids only grow. */
function aboveFloor(membership: Membership, id: string): boolean {
  if (membership.floor === null) return true;
  if (compareIds(id, membership.floor) <= 0) return false;
  membership.floor = null;
  return true;
}

function hold(membership: Membership, frame: Buffer, id: string): void {
  const held = membership.held as Held[];
  if (held.length < MAX_HELD_FRAMES) held.push({ frame, id });
  else membership.connection.terminate(); // its join cannot keep up; the client reconnects with `since`
}
