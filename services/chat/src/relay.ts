/**
 * The message path across replicas: a client message is stamped, serialized once and appended to
 * its room (history and publish in one step); what the broker delivers is written to the room's
 * local members as it arrived.
 *
 *   socket -> Connection (validate) -> Relay.publish -> broker -> Relay.deliver -> Hub -> sockets
 */
import type { Broker } from './broker/broker.ts';
import { nowMs } from './clock.ts';
import type { Hub } from './hub.ts';
import type { ChatMetrics } from './metrics.ts';
import { type ChatMessage, encodeMessageParts } from './protocol.ts';

export class Relay {
  readonly #broker: Broker;
  readonly #hub: Hub;
  readonly #metrics: ChatMetrics;

  constructor(options: { broker: Broker; hub: Hub; metrics: ChatMetrics }) {
    this.#broker = options.broker;
    this.#hub = options.hub;
    this.#metrics = options.metrics;
  }

  /** Publishes a validated message; rejects with BrokerUnavailableError when the broker cannot take it. */
  async publish(message: ChatMessage): Promise<{ id: string; ts: number }> {
    const acceptedAt = nowMs();
    const ts = Math.floor(acceptedAt);
    const id = await this.#broker.append(message.room, encodeMessageParts(ts, message), acceptedAt);
    return { id, ts };
  }

  /** The broker's message handler: one call per message per replica, whatever the audience. */
  readonly deliver = (room: string, frame: Buffer, id: string, acceptedAt: number): void => {
    if (id === '') {
      this.#hub.deliverEvent(room, frame);
      return;
    }
    const recipients = this.#hub.deliver(room, frame, id);
    if (recipients === 0) return;
    this.#metrics.messagesDelivered.inc(recipients);
    this.#metrics.deliveryLatency.observe(Math.max(0, nowMs() - acceptedAt) / 1000);
  };
}
