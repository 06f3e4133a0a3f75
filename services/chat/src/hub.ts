/**
 * The local sockets of this replica: fan-out of broker messages to them, the heartbeat, and
 * closing them all at shutdown.
 */
import type { Connection } from './connection.ts';

export class Hub {
  readonly #connections = new Set<Connection>();
  #heartbeat: NodeJS.Timeout | undefined;
  #onEmpty: (() => void) | undefined;

  get size(): number {
    return this.#connections.size;
  }

  add(connection: Connection): void {
    this.#connections.add(connection);
  }

  remove(connection: Connection): void {
    this.#connections.delete(connection);
    if (this.#connections.size === 0) this.#onEmpty?.();
  }

  /** Writes one frame to every local socket, as is; returns how many received it. */
  broadcast(frame: Buffer): number {
    let delivered = 0;
    for (const connection of this.#connections) {
      if (connection.deliver(frame)) delivered++;
    }
    return delivered;
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
