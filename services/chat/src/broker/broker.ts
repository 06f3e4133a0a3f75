/**
 * The broker carries messages between replicas. Everything above it (hub, sockets, protocol) only
 * sees this interface, so a Redis Cluster or NATS broker can be added without touching them.
 *
 * Guarantees every implementation keeps:
 * - Delivery is at most once. A message published while the broker is down is never queued for
 *   later: `publish` rejects with BrokerUnavailableError, so the sender can be told.
 * - Order: messages published on one channel by one process, one after another, reach every
 *   subscriber in that order. Nothing is promised across channels or across publishers.
 * - Payloads are opaque bytes, delivered exactly as published: subscribers may write them to
 *   sockets without parsing them.
 * - Subscriptions outlive outages: after the broker reconnects, every channel subscribed before is
 *   subscribed again before `isUp()` turns true.
 */

/** Called once per message per process, with the publisher's accept time (epoch ms, sub-ms). */
export type MessageHandler = (channel: string, payload: Buffer, acceptedAt: number) => void;

/** Called on every change between up (can publish and receive) and down. */
export type StatusHandler = (up: boolean, cause?: Error) => void;

export interface BrokerHandlers {
  onMessage: MessageHandler;
  onStatus?: StatusHandler;
}

export interface Broker {
  /** Short name for logs and readiness output, e.g. "memory" or "redis". */
  readonly kind: string;
  /** True while messages can be both published and received. */
  isUp(): boolean;
  /** Receive messages published on `channel` from now on. */
  subscribe(channel: string): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  /** Resolves once the broker has taken the message; rejects with BrokerUnavailableError if it cannot. */
  publish(channel: string, payload: Buffer, acceptedAt: number): Promise<void>;
  /** Releases connections; no handler is called afterwards. */
  close(): Promise<void>;
}

/** The broker could not take a message: it is down, or did not answer in time. */
export class BrokerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrokerUnavailableError';
  }
}
