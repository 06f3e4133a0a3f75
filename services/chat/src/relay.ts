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
import { type ChatMessage, encodeMessageParts } from './protocol.ts';
import { textFrame } from './wire.ts';

export class Relay {
  readonly #broker: Broker;
  readonly #hub: Hub;

  constructor(options: { broker: Broker; hub: Hub }) {
    this.#broker = options.broker;
    this.#hub = options.hub;
  }

  /** Publishes a validated message; rejects with BrokerUnavailableError when the broker cannot take it. */
  async publish(message: ChatMessage): Promise<{ id: string; ts: number }> {
    const acceptedAt = nowMs();
    const ts = Math.floor(acceptedAt);
    const id = await this.#broker.append(message.room, encodeMessageParts(ts, message), acceptedAt);
    return { id, ts };
  }

  /**
   * The broker's message handler: one call per message per replica, whatever the audience. The
   * frame is framed for the wire here, once, and the hub writes those bytes to every member.
   */
  readonly deliver = (room: string, frame: Buffer, id: string, acceptedAt: number): void => {
    if (this.#hub.hasRoom(room)) this.#hub.enqueue(room, textFrame(frame), id, acceptedAt);
  };
}
