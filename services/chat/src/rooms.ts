/**
 * Joining and leaving rooms, and presence. A join is where recovery happens, in this order:
 *
 *   1. the member is added locally, holding live frames back;
 *   2. the replica's subscription to the room is confirmed (so nothing published from now on can
 *      be missed);
 *   3. the member is announced in presence, then history and the member list are read (a member
 *      that joins with `presence: false` is neither announced nor sent the list);
 *   4. the client gets `joined`, the history, the member list, then the held frames newer than the
 *      last message it has, and goes live; frames up to that message that reach the replica
 *      later (they were in flight while the history was read) are dropped too.
 *
 * So a client rejoining with the last id it saw gets exactly what it missed, then live messages:
 * no gap and no duplicate, even while messages keep arriving during the join.
 */
import { type Broker, BrokerUnavailableError, type HistoryEntry } from './broker/broker.ts';
import { nowMs } from './clock.ts';
import type { Connection } from './connection.ts';
import type { Hub, Membership } from './hub.ts';
import { JoinGate } from './join-gate.ts';
import type { Logger } from './log.ts';
import { SharedMemberReads } from './member-reads.ts';
import type { ChatMetrics } from './metrics.ts';
import {
  encodeError,
  encodeJoined,
  encodeLeft,
  encodePresence,
  encodePresenceEvent,
  type JoinRequest,
  type LeaveRequest,
  type Member,
  messageHead,
} from './protocol.ts';
import { textFrame } from './wire.ts';

export interface RoomsOptions {
  hub: Hub;
  broker: Broker;
  metrics: ChatMetrics;
  log: Logger;
  maxRoomsPerConnection: number;
  historySize: number;
  presenceTtlMs: number;
}

/**
 * Joins of one replica that talk to Redis at once (join-gate.ts). In a storm of 3,000 joins into one
 * room over 3 replicas, 64 and 16 did the same, and both better than no limit (BENCHMARKS.md).
 */
const MAX_JOINS_IN_FLIGHT = 64;

export class Rooms {
  readonly #hub: Hub;
  readonly #broker: Broker;
  readonly #metrics: ChatMetrics;
  readonly #log: Logger;
  readonly #options: RoomsOptions;
  #presenceTimer: NodeJS.Timeout | undefined;
  readonly #departures = new Set<Promise<unknown>>();
  readonly #memberReads: SharedMemberReads;
  readonly #joinGate = new JoinGate(MAX_JOINS_IN_FLIGHT);
  /** Member-list frames by the list read: the joins that shared a read share its frame too. */
  readonly #memberListFrames = new WeakMap<readonly Member[], Buffer>();

  constructor(options: RoomsOptions) {
    this.#hub = options.hub;
    this.#broker = options.broker;
    this.#metrics = options.metrics;
    this.#log = options.log;
    this.#options = options;
    this.#memberReads = new SharedMemberReads((room) => options.broker.presence.members(room));
  }

  /**
   * Joins a room; `quiet` is the implicit default-room join of a client that speaks the article's
   * protocol: it gets the room's messages and nothing else.
   */
  async join(connection: Connection, request: JoinRequest, quiet = false): Promise<void> {
    const { room } = request;
    const existing = this.#hub.membership(connection, room);
    if (existing !== undefined) return this.#rejoin(existing, request);
    const max = this.#options.maxRoomsPerConnection;
    if (this.#hub.membershipsOf(connection).length >= max) {
      connection.send(encodeError('too_many_rooms', `a connection may be in ${max} rooms at most`, request));
      return;
    }
    const member: Member = { id: connection.info.id, name: request.name ?? connection.info.name };
    const listed = !quiet && request.presence !== false;
    let membership: Membership | undefined;
    try {
      membership = await this.#hub.addMember(connection, room, member, !listed);
      if (quiet) {
        // An article client: no history, no presence (it sees neither, and never named itself),
        // only the room's messages from the moment its subscription is confirmed.
        this.#metrics.joins.inc();
        this.#metrics.messagesDelivered.inc(this.#hub.release(membership, undefined));
        return;
      }
      const joining = membership;
      await this.#joinGate.run(() => this.#enter(joining, request, listed));
    } catch (error) {
      if (membership !== undefined && this.#hub.removeMember(membership) && listed) {
        this.#broker.presence.remove(room, member.id).catch(() => {});
      }
      this.#metrics.joinErrors.inc();
      const expected = error instanceof BrokerUnavailableError;
      this.#log[expected ? 'debug' : 'error']({ err: error, room, conn: connection.info.id }, 'join failed');
      connection.send(joinFailed(request));
    }
  }

  /**
   * The part of a join that talks to Redis, once the gate lets it: presence, then history and the
   * member list, then the answer and the held frames.
   */
  async #enter(membership: Membership, request: JoinRequest, listed: boolean): Promise<void> {
    if (!this.#hub.isMember(membership)) return; // left or closed while it waited
    const { connection, room, member } = membership;
    const { ref } = request;
    if (listed) await this.#addToPresence(room, member);
    // `history` is bounded here, whichever way the join came (URL or frame), by what a room keeps.
    // After `since`, everything the stream can hold: lua/append.lua lets it run a tenth over
    // HISTORY_SIZE before trimming, and a shorter read would leave a silent hole before the floor.
    const { historySize } = this.#options;
    const limit = request.since === undefined ? Math.min(request.history ?? 0, historySize) : 2 * historySize + 1;
    const [page, members] = await Promise.all([
      this.#broker.history(room, { ...(request.since === undefined ? {} : { since: request.since }), limit }),
      listed ? this.#memberReads.members(room) : undefined,
    ]);
    if (!this.#hub.isMember(membership)) return; // left or closed meanwhile
    this.#metrics.joins.inc();
    if (page.truncated) this.#metrics.historyTruncated.inc();
    this.#metrics.historyMessagesSent.inc(page.entries.length);
    const reply = { position: page.position, history: page.entries.length, truncated: page.truncated };
    connection.send(encodeJoined(room, reply, ref));
    sendHistory(connection, room, page.entries);
    if (members !== undefined) connection.write(this.#memberList(room, members), 0);
    // Frames held, or still on their way from Redis (the history was read over another
    // connection, which may answer first), up to the last message this client has are
    // duplicates: the hub drops them.
    // Live messages that waited for the join count as delivered, like those that did not.
    this.#metrics.messagesDelivered.inc(this.#hub.release(membership, page.entries.at(-1)?.id ?? request.since));
  }

  async leave(connection: Connection, request: LeaveRequest): Promise<void> {
    const { room, ref } = request;
    const membership = this.#hub.membership(connection, room);
    if (membership === undefined) {
      connection.send(encodeError('not_in_room', `not in room "${room}"`, request));
      return;
    }
    this.#hub.removeMember(membership);
    connection.send(encodeLeft(room, ref));
    await this.#depart(membership);
  }

  /** A connection is gone: announces that it left the rooms the hub removed it from. */
  async departAll(memberships: readonly Membership[]): Promise<void> {
    const departures = Promise.all(memberships.map((membership) => this.#depart(membership)));
    this.#departures.add(departures);
    await departures;
    this.#departures.delete(departures);
  }

  /** Resolves once the departures under way are announced, or at `deadline` (epoch ms). */
  async settled(deadline: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.#departures),
      new Promise((resolve) => {
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      }),
    ]);
    clearTimeout(timer);
  }

  /**
   * Keeps this replica's members alive in presence, and removes members whose replica stopped
   * doing so (it crashed, or lost Redis): they expire after the TTL and the first replica with
   * members in that room to notice announces them as gone. Runs every third of the TTL, so a
   * crashed replica's members are gone within 1⅓ TTL.
   */
  startPresence(): void {
    const interval = Math.max(100, Math.floor(this.#options.presenceTtlMs / 3));
    this.#presenceTimer = setInterval(() => void this.#presenceTick(), interval);
    this.#presenceTimer.unref();
  }

  stopPresence(): void {
    clearInterval(this.#presenceTimer);
  }

  async #presenceTick(): Promise<void> {
    this.#hub.dropOrphanSubscriptions();
    if (!this.#broker.isUp()) return;
    try {
      const entries = [];
      for (const m of this.#hub.memberships()) if (!m.quiet) entries.push({ room: m.room, memberId: m.member.id });
      if (entries.length > 0) await this.#broker.presence.refresh(entries);
      // Every room at once: one round of Redis calls per tick, not one round trip per room.
      await Promise.all(this.#hub.roomNames().map((room) => this.#reap(room)));
    } catch (error) {
      this.#log.debug({ err: error }, 'presence heartbeat failed; retrying next interval');
    }
  }

  /** Announces the room's members whose replica stopped refreshing them, in the order reaped. */
  async #reap(room: string): Promise<void> {
    for (const member of await this.#broker.presence.reap(room)) {
      this.#metrics.presenceReaped.inc();
      await this.#announce(room, 'leave', member);
    }
  }

  /**
   * A second join of a room the connection is in: no history, a fresh member list, maybe a new name,
   * and in or out of presence as it now asks (an article client that speaks rooms now comes in).
   */
  async #rejoin(membership: Membership, request: JoinRequest): Promise<void> {
    const { room, ref } = request;
    try {
      const listed = request.presence !== false;
      const entering = listed && membership.quiet;
      const leaving = !listed && !membership.quiet;
      // Out of presence first, so a member that leaves it is not sent its own departure.
      membership.quiet = !listed;
      const renamed = request.name !== undefined && request.name !== membership.member.name;
      if (renamed) membership.member = { ...membership.member, name: request.name ?? '' };
      if (entering || (renamed && listed)) await this.#addToPresence(room, membership.member);
      if (leaving) await this.#removeFromPresence(room, membership.member.id);
      const [page, members] = await Promise.all([
        this.#broker.history(room, { limit: 0 }),
        listed ? this.#memberReads.members(room) : undefined,
      ]);
      const { connection } = membership;
      connection.send(encodeJoined(room, { position: page.position, history: 0, truncated: false }, ref));
      if (members !== undefined) connection.write(this.#memberList(room, members), 0);
    } catch {
      membership.connection.send(joinFailed(request));
    }
  }

  async #depart(membership: Membership): Promise<void> {
    if (membership.quiet) return; // never in presence
    try {
      await this.#removeFromPresence(membership.room, membership.member.id);
    } catch (error) {
      // Redis is away: the member expires from presence and a reaper announces it.
      this.#log.debug({ err: error, room: membership.room }, 'presence removal failed; it will expire');
    }
  }

  /** Adds (or renames) the member in presence and announces it to the room. */
  async #addToPresence(room: string, member: Member): Promise<void> {
    await this.#broker.presence.add(room, member);
    await this.#announce(room, 'join', member);
  }

  async #removeFromPresence(room: string, memberId: string): Promise<void> {
    const removed = await this.#broker.presence.remove(room, memberId);
    if (removed !== null) await this.#announce(room, 'leave', removed);
  }

  /** The `presence` frame listing `members`, framed for the wire once per read. */
  #memberList(room: string, members: readonly Member[]): Buffer {
    let frame = this.#memberListFrames.get(members);
    if (frame === undefined) {
      frame = textFrame(Buffer.from(encodePresence(room, members)));
      this.#memberListFrames.set(members, frame);
    }
    return frame;
  }

  async #announce(room: string, event: 'join' | 'leave', member: Member): Promise<void> {
    await this.#broker.publishEvent(room, Buffer.from(encodePresenceEvent(room, event, member)), nowMs());
  }
}

/** The error answering a join that the broker could not complete. */
function joinFailed(request: JoinRequest): string {
  const message = `could not join "${request.room}": the message broker is unavailable, try again`;
  return encodeError('broker_unavailable', message, request);
}

/**
 * Writes a join's history as one buffer of frames, so a recovering client costs one socket write
 * however many messages it missed (a write is most of what a delivery costs).
 */
function sendHistory(connection: Connection, room: string, entries: readonly HistoryEntry[]): void {
  if (entries.length === 0) return;
  const head = messageHead(room);
  const frames = entries.map((entry) => textFrame(Buffer.from(head + entry.id + entry.body)));
  connection.write(Buffer.concat(frames), entries.length);
}
