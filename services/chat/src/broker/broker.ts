/**
 * The broker carries messages between replicas and keeps each room's recent history and presence.
 * Everything above it (hub, sockets, protocol) only sees these interfaces, so a Redis Cluster or
 * NATS broker can be added without touching them.
 *
 * Guarantees every implementation keeps:
 * - Live delivery is at most once. Nothing is queued while the broker is down: `append` and
 *   `publishEvent` reject with BrokerUnavailableError, so the sender can be told.
 * - A message is appended to its room's history and published in one atomic step: history order
 *   and live order are the same, and ids (`<ms>-<seq>`) grow with that order within a room.
 * - Order: messages appended to one room by one process, one after another, reach every
 *   subscriber in that order. Nothing is promised across rooms.
 * - Payloads are opaque bytes, delivered exactly as published: subscribers may write them to
 *   sockets without parsing them.
 * - Subscriptions outlive outages: after a reconnect, every room subscribed before is subscribed
 *   again before `isUp()` turns true. `subscribe` resolves once messages of the room will arrive.
 */
import type { FrameParts, Member } from '../protocol.ts';

/**
 * Called once per message per process. `id` is the message's history id, or '' for an event that
 * is not kept in history (presence). `acceptedAt` is the publisher's accept time (epoch ms).
 */
export type MessageHandler = (room: string, frame: Buffer, id: string, acceptedAt: number) => void;

/** Called on every change between up (can publish and receive) and down. */
export type StatusHandler = (up: boolean, cause?: Error) => void;

export interface BrokerHandlers {
  onMessage: MessageHandler;
  onStatus?: StatusHandler;
}

export interface HistoryOptions {
  /** Messages kept per room (the oldest are trimmed); 0 keeps none but ids still grow. */
  size: number;
  /** A room's history is dropped after this many seconds without a message; 0 keeps it. */
  ttlSeconds: number;
}

/** One stored message: the frame is `messageHead(room) + id + body`. */
export interface HistoryEntry {
  id: string;
  body: string;
}

export interface HistoryPage {
  /** Oldest first. */
  entries: HistoryEntry[];
  /** The room's latest message id when read ("0-0" for a room without messages). */
  position: string;
  /** True when messages after `since` were trimmed (or expired), so `entries` has a gap before it. */
  truncated: boolean;
}

export interface Broker {
  /** Short name for logs and readiness output, e.g. "memory" or "redis". */
  readonly kind: string;
  readonly presence: PresenceStore;
  /** True while messages can be both published and received. */
  isUp(): boolean;
  /** Receive the room's messages from now on; resolves once they will arrive. */
  subscribe(room: string): Promise<void>;
  unsubscribe(room: string): Promise<void>;
  /** Appends a message to the room's history and publishes it; resolves with its id. */
  append(room: string, parts: FrameParts, acceptedAt: number): Promise<string>;
  /** Publishes a frame to the room's subscribers without keeping it (presence events). */
  publishEvent(room: string, frame: Buffer, acceptedAt: number): Promise<void>;
  /** The messages after `since`, or the latest `limit` when there is no `since`. */
  history(room: string, query: { since?: string; limit: number }): Promise<HistoryPage>;
  /** Releases connections; no handler is called afterwards. */
  close(): Promise<void>;
}

/**
 * Who is in each room, across replicas. Each entry lives for the store's TTL unless refreshed, so
 * the members of a replica that died without saying goodbye disappear by themselves.
 */
export interface PresenceStore {
  /** Adds a member, or renames it; refreshes its expiry. */
  add(room: string, member: Member): Promise<void>;
  /** Removes a member; resolves with it when it was there (so exactly one caller announces it). */
  remove(room: string, memberId: string): Promise<Member | null>;
  /** Current members that have not expired. */
  members(room: string): Promise<Member[]>;
  /** Extends the expiry of members that are still present; a removed member stays removed. */
  refresh(entries: readonly { room: string; memberId: string }[]): Promise<void>;
  /** Removes the room's expired members and resolves with them (each one to one caller only). */
  reap(room: string): Promise<Member[]>;
}

/** The broker could not take a message: it is down, or did not answer in time. */
export class BrokerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrokerUnavailableError';
  }
}

/** Compares two message ids (`<ms>-<seq>`) by their order in a room. */
export function compareIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}
