/**
 * The message path across replicas: a client message is stamped (id, ts), serialized once and
 * published once; what the broker delivers is written to every local socket as it arrived.
 *
 *   socket -> Connection (validate) -> Relay.publish -> broker -> Relay.deliver -> Hub -> sockets
 */
import type { Broker } from './broker/broker.ts';
import { nowMs } from './clock.ts';
import type { Hub } from './hub.ts';
import type { ChatMetrics } from './metrics.ts';
import { type ChatMessage, encodeMessage } from './protocol.ts';

export class Relay {
  readonly #broker: Broker;
  readonly #hub: Hub;
  readonly #channel: string;
  readonly #metrics: ChatMetrics;
  readonly #nextId: () => string;

  constructor(options: { broker: Broker; hub: Hub; channel: string; metrics: ChatMetrics; nextId: () => string }) {
    this.#broker = options.broker;
    this.#hub = options.hub;
    this.#channel = options.channel;
    this.#metrics = options.metrics;
    this.#nextId = options.nextId;
  }

  /** Publishes a validated message; rejects with BrokerUnavailableError when the broker cannot take it. */
  async publish(message: ChatMessage): Promise<{ id: string; ts: number }> {
    const acceptedAt = nowMs();
    const ts = Math.floor(acceptedAt);
    const id = this.#nextId();
    await this.#broker.publish(this.#channel, Buffer.from(encodeMessage(id, ts, message)), acceptedAt);
    return { id, ts };
  }

  /** The broker's message handler: one call per message per replica, whatever the audience. */
  readonly deliver = (_channel: string, frame: Buffer, acceptedAt: number): void => {
    const recipients = this.#hub.broadcast(frame);
    if (recipients === 0) return;
    this.#metrics.messagesDelivered.inc(recipients);
    this.#metrics.deliveryLatency.observe(Math.max(0, nowMs() - acceptedAt) / 1000);
  };
}
