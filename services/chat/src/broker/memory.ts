/**
 * In-process broker: one instance, no Redis. Used when no Redis is configured, so that
 * `npm start` alone gives a working chat, and as the reference the Redis broker is tested against.
 */
import type { FrameParts, Member } from '../protocol.ts';
import {
  type Broker,
  type BrokerHandlers,
  BrokerUnavailableError,
  compareIds,
  type HistoryEntry,
  type HistoryOptions,
  type HistoryPage,
  type PresenceStore,
} from './broker.ts';

interface RoomHistory {
  entries: HistoryEntry[];
  lastId: string;
  /** Newest id trimmed away, for telling a client its `since` is older than history. */
  maxDeletedId: string;
  expiresAt: number;
}

export class MemoryBroker implements Broker {
  readonly kind = 'memory';
  readonly presence: MemoryPresence;
  readonly #handlers: BrokerHandlers;
  readonly #history: HistoryOptions;
  readonly #rooms = new Set<string>();
  readonly #histories = new Map<string, RoomHistory>();
  #closed = false;

  constructor(handlers: BrokerHandlers, options: { history: HistoryOptions; presenceTtlMs: number }) {
    this.#handlers = handlers;
    this.#history = options.history;
    this.presence = new MemoryPresence(options.presenceTtlMs);
  }

  isUp(): boolean {
    return !this.#closed;
  }

  async subscribe(room: string): Promise<void> {
    this.#rooms.add(room);
  }

  async unsubscribe(room: string): Promise<void> {
    this.#rooms.delete(room);
  }

  async append(room: string, parts: FrameParts, acceptedAt: number): Promise<string> {
    this.#assertOpen();
    const history = this.#roomHistory(room);
    const id = nextId(history.lastId);
    history.lastId = id;
    history.entries.push({ id, body: parts.body });
    while (history.entries.length > this.#history.size) {
      history.maxDeletedId = history.entries.shift()?.id ?? history.maxDeletedId;
    }
    history.expiresAt = this.#history.ttlSeconds > 0 ? Date.now() + this.#history.ttlSeconds * 1000 : Infinity;
    this.#deliver(room, Buffer.from(parts.head + id + parts.body), id, acceptedAt);
    return id;
  }

  async publishEvent(room: string, frame: Buffer, acceptedAt: number): Promise<void> {
    this.#assertOpen();
    this.#deliver(room, frame, '', acceptedAt);
  }

  async history(room: string, query: { since?: string; limit: number }): Promise<HistoryPage> {
    this.#assertOpen();
    const history = this.#live(room);
    // No history at all: a client that had seen a message has missed whatever expired with it.
    if (history === undefined) return { entries: [], position: '0-0', truncated: isAfterStart(query.since) };
    const { since } = query;
    const entries =
      since === undefined
        ? history.entries.slice(Math.max(0, history.entries.length - query.limit))
        : history.entries.filter((entry) => compareIds(entry.id, since) > 0).slice(0, query.limit);
    const truncated = since !== undefined && compareIds(history.maxDeletedId, since) > 0;
    return { entries, position: history.lastId, truncated };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#rooms.clear();
  }

  #deliver(room: string, frame: Buffer, id: string, acceptedAt: number): void {
    // Delivered on a later microtask, never inside the publisher's call stack, the way a remote
    // broker would; microtasks run in FIFO order, so publish order is kept.
    queueMicrotask(() => {
      if (!this.#closed && this.#rooms.has(room)) this.#handlers.onMessage(room, frame, id, acceptedAt);
    });
  }

  #live(room: string): RoomHistory | undefined {
    const history = this.#histories.get(room);
    if (history !== undefined && history.expiresAt <= Date.now()) {
      this.#histories.delete(room);
      return undefined;
    }
    return history;
  }

  #roomHistory(room: string): RoomHistory {
    let history = this.#live(room);
    if (history === undefined) {
      history = { entries: [], lastId: '0-0', maxDeletedId: '0-0', expiresAt: Infinity };
      this.#histories.set(room, history);
    }
    return history;
  }

  #assertOpen(): void {
    if (this.#closed) throw new BrokerUnavailableError('the in-process broker is closed');
  }
}

const isAfterStart = (since: string | undefined) => since !== undefined && compareIds(since, '0-0') > 0;

/** Redis stream ids: the current millisecond, or the next sequence number when time has not moved. */
function nextId(lastId: string): string {
  const [lastMs = 0, lastSeq = 0] = lastId.split('-').map(Number);
  const now = Date.now();
  return now > lastMs ? `${now}-0` : `${lastMs}-${lastSeq + 1}`;
}

class MemoryPresence implements PresenceStore {
  readonly #ttlMs: number;
  readonly #rooms = new Map<string, Map<string, { member: Member; expiresAt: number }>>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  async add(room: string, member: Member): Promise<void> {
    let members = this.#rooms.get(room);
    if (members === undefined) {
      members = new Map();
      this.#rooms.set(room, members);
    }
    members.set(member.id, { member, expiresAt: Date.now() + this.#ttlMs });
  }

  async remove(room: string, memberId: string): Promise<Member | null> {
    const members = this.#rooms.get(room);
    const entry = members?.get(memberId);
    if (members === undefined || entry === undefined) return null;
    members.delete(memberId);
    if (members.size === 0) this.#rooms.delete(room);
    return entry.member;
  }

  async members(room: string): Promise<Member[]> {
    const now = Date.now();
    return [...(this.#rooms.get(room)?.values() ?? [])].filter((e) => e.expiresAt > now).map((e) => e.member);
  }

  async refresh(entries: readonly { room: string; memberId: string }[]): Promise<void> {
    const expiresAt = Date.now() + this.#ttlMs;
    for (const { room, memberId } of entries) {
      const entry = this.#rooms.get(room)?.get(memberId);
      if (entry !== undefined) entry.expiresAt = expiresAt;
    }
  }

  async reap(room: string): Promise<Member[]> {
    const members = this.#rooms.get(room);
    if (members === undefined) return [];
    const now = Date.now();
    const expired: Member[] = [];
    for (const [id, entry] of members) {
      if (entry.expiresAt > now) continue;
      members.delete(id);
      expired.push(entry.member);
    }
    return expired;
  }
}
