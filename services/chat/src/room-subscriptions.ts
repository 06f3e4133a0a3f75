/**
 * Keeps this replica subscribed to exactly the rooms that have local members: subscribe on the
 * first local join, unsubscribe after the last local leave. Requests for one room are applied one
 * after another, in the order they were made, so a join racing a leave can never end with a room
 * that has members but no subscription (or the reverse).
 */
import type { Broker } from './broker/broker.ts';

interface RoomState {
  /** What the latest request asked for. */
  wanted: boolean;
  /** What was last asked of the broker (a failed subscribe still counts: it retries on reconnect). */
  subscribed: boolean;
  /** The tail of this room's queue of changes, and how many are in it. */
  queue: Promise<void>;
  queued: number;
}

export class RoomSubscriptions {
  readonly #broker: Broker;
  readonly #rooms = new Map<string, RoomState>();

  constructor(broker: Broker) {
    this.#broker = broker;
  }

  /** Rooms this replica is subscribed to (or subscribing to). */
  get count(): number {
    let count = 0;
    for (const state of this.#rooms.values()) if (state.subscribed) count++;
    return count;
  }

  /** Rooms wanted without a member to want them (a warm-up for a client that never came). */
  orphans(hasMembers: (room: string) => boolean): string[] {
    return [...this.#rooms].filter(([room, state]) => state.wanted && !hasMembers(room)).map(([room]) => room);
  }

  /**
   * Records whether the room is wanted and resolves once the broker matches that request (or the
   * broker failed to, which rejects; a later request or the reconnect puts it right).
   */
  want(room: string, wanted: boolean): Promise<void> {
    let state = this.#rooms.get(room);
    if (state === undefined) {
      state = { wanted, subscribed: false, queue: Promise.resolve(), queued: 0 };
      this.#rooms.set(room, state);
    }
    state.wanted = wanted;
    state.queued++;
    const current = state;
    const step = current.queue.then(() => this.#apply(room, current)).finally(() => this.#settle(room, current));
    current.queue = step.catch(() => {});
    return step;
  }

  async #apply(room: string, state: RoomState): Promise<void> {
    if (state.wanted && !state.subscribed) {
      state.subscribed = true;
      await this.#broker.subscribe(room);
    } else if (!state.wanted && state.subscribed) {
      state.subscribed = false;
      await this.#broker.unsubscribe(room);
    }
    // A failed subscribe leaves `subscribed` set: the broker keeps the room and resubscribes it
    // when it reconnects, and the caller (a join) is told through the rejection.
  }

  /** Forgets a room nobody wants once no change is queued for it, so the map does not grow forever. */
  #settle(room: string, state: RoomState): void {
    state.queued--;
    if (state.queued === 0 && !state.wanted && !state.subscribed) this.#rooms.delete(room);
  }
}
