/**
 * In-process broker: one instance, no Redis. Used when no Redis is configured, so that
 * `npm start` alone gives a working chat, and as the reference the Redis broker is tested against.
 */
import { type Broker, type BrokerHandlers, BrokerUnavailableError } from './broker.ts';

export class MemoryBroker implements Broker {
  readonly kind = 'memory';
  readonly #handlers: BrokerHandlers;
  readonly #channels = new Set<string>();
  #closed = false;

  constructor(handlers: BrokerHandlers) {
    this.#handlers = handlers;
  }

  isUp(): boolean {
    return !this.#closed;
  }

  async subscribe(channel: string): Promise<void> {
    this.#channels.add(channel);
  }

  async unsubscribe(channel: string): Promise<void> {
    this.#channels.delete(channel);
  }

  async publish(channel: string, payload: Buffer, acceptedAt: number): Promise<void> {
    if (this.#closed) throw new BrokerUnavailableError('the in-process broker is closed');
    if (!this.#channels.has(channel)) return;
    // Delivered on a later microtask, never inside the publisher's call stack, the way a remote
    // broker would; microtasks run in FIFO order, so publish order is kept.
    queueMicrotask(() => {
      if (!this.#closed && this.#channels.has(channel)) this.#handlers.onMessage(channel, payload, acceptedAt);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#channels.clear();
  }
}
