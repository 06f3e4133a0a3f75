/**
 * Redis broker: one publisher and one subscriber connection per process, whatever the number of
 * clients or rooms (a subscribed Redis connection cannot run other commands, hence two).
 *
 * Per room, under the prefix CHAT_CHANNEL (default "chat"):
 *   channel  chat:{room}            live messages and presence events, as envelopes
 *   stream   chat:{room}:history    the last HISTORY_SIZE messages (lua/append.lua)
 *   zset     chat:{room}:presence   member id -> expiry;  hash chat:{room}:members  member data
 * The braces are Redis Cluster hash tags: a room's keys live on one shard.
 *
 * Outages: neither connection queues commands while Redis is away (`enableOfflineQueue: false`),
 * so a publish fails at once and the sender is told, instead of the message sitting in memory and
 * maybe going out minutes later. ioredis reconnects with capped backoff; subscriptions are made
 * again by this class on every `ready` (not by ioredis' autoResubscribe, which reports ready
 * before the SUBSCRIBE is answered), and the broker only reports up once they are confirmed.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { FrameParts } from '../protocol.ts';
import {
  type Broker,
  type BrokerHandlers,
  BrokerUnavailableError,
  type HistoryOptions,
  type HistoryPage,
} from './broker.ts';
import { decodeEnvelope, encodeEnvelope, envelopeHeader } from './envelope.ts';
import { RedisPresence } from './redis-presence.ts';
import { defineScripts, type ScriptCaller } from './redis-scripts.ts';

export interface RedisBrokerOptions {
  url: string;
  /** Names the connections in `CLIENT LIST`, e.g. the replica id. */
  connectionName: string;
  log: Logger;
  /** Prefix of every channel and key (CHAT_CHANNEL). */
  prefix: string;
  history: HistoryOptions;
  presenceTtlMs: number;
  /** A command not answered within this is failed (default 2000 ms). */
  commandTimeoutMs?: number;
  /** Both connections are pinged this often; one that does not answer is reconnected (default 5000 ms). */
  healthCheckIntervalMs?: number;
}

/**
 * Reconnect delays: 100 ms doubling to a 2 s cap, plus up to 20% jitter so replicas do not
 * reconnect in lockstep. Redis coming back is noticed within about 2.4 s.
 */
export const RECONNECT_CAP_MS = 2000;
export function reconnectDelay(attempt: number): number {
  const base = Math.min(100 * 2 ** Math.max(0, attempt - 1), RECONNECT_CAP_MS);
  return Math.round(base * (1 + Math.random() * 0.2));
}

export class RedisBroker implements Broker {
  readonly kind = 'redis';
  readonly presence: RedisPresence;
  readonly #handlers: BrokerHandlers;
  readonly #log: Logger;
  readonly #prefix: string;
  readonly #history: HistoryOptions;
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #call: ScriptCaller;
  /** Channels this process wants, by channel name, with the room each belongs to. */
  readonly #channels = new Map<string, string>();
  readonly #healthTimer: NodeJS.Timeout;
  #pubReady = false;
  #subReady = false;
  #up = false;
  #closed = false;
  #lastError: Error | undefined;
  #outageReported = false;

  constructor(options: RedisBrokerOptions, handlers: BrokerHandlers) {
    this.#handlers = handlers;
    this.#log = options.log;
    this.#prefix = options.prefix;
    this.#history = options.history;
    const common: RedisOptions = {
      enableOfflineQueue: false,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      retryStrategy: reconnectDelay,
      connectTimeout: 5000,
      commandTimeout: options.commandTimeoutMs ?? 2000,
      lazyConnect: true,
    };
    this.#pub = new Redis(options.url, { ...common, connectionName: `${options.connectionName}:pub` });
    this.#sub = new Redis(options.url, { ...common, connectionName: `${options.connectionName}:sub` });
    this.#call = defineScripts(this.#pub);
    this.presence = new RedisPresence(
      (name, ...args) => this.#command(() => this.#call(name, ...args)),
      (room) => [`${this.#roomKey(room)}:presence`, `${this.#roomKey(room)}:members`],
      options.presenceTtlMs,
    );

    this.#pub.on('ready', () => this.#setPubReady(true));
    this.#sub.on('ready', () => void this.#resubscribe());
    for (const [name, connection] of [
      ['publisher', this.#pub],
      ['subscriber', this.#sub],
    ] as const) {
      connection.on('error', (error: Error) => this.#onError(name, error));
      connection.on('close', () => (connection === this.#pub ? this.#setPubReady(false) : this.#setSubReady(false)));
    }
    this.#sub.on('messageBuffer', (channel: Buffer, envelope: Buffer) => this.#deliver(channel, envelope));

    this.#healthTimer = setInterval(() => this.#healthCheck(), options.healthCheckIntervalMs ?? 5000);
    this.#healthTimer.unref();
    // connect() rejects when the first attempt fails, but ioredis keeps retrying on its own.
    this.#pub.connect().catch(() => {});
    this.#sub.connect().catch(() => {});
  }

  isUp(): boolean {
    return this.#up;
  }

  async subscribe(room: string): Promise<void> {
    const channel = this.#channel(room);
    this.#channels.set(channel, room);
    // While the subscriber is down, #resubscribe picks the channel up on the next ready.
    if (this.#sub.status === 'ready') await this.#subscription(() => this.#sub.subscribe(channel));
  }

  async unsubscribe(room: string): Promise<void> {
    const channel = this.#channel(room);
    this.#channels.delete(channel);
    if (this.#sub.status === 'ready') await this.#subscription(() => this.#sub.unsubscribe(channel));
  }

  async append(room: string, parts: FrameParts, acceptedAt: number): Promise<string> {
    const id = await this.#command(() =>
      this.#call(
        'chatAppend',
        `${this.#roomKey(room)}:history`,
        this.#channel(room),
        envelopeHeader(acceptedAt),
        parts.head,
        parts.body,
        this.#history.size,
        this.#history.ttlSeconds,
      ),
    );
    return String(id);
  }

  async publishEvent(room: string, frame: Buffer, acceptedAt: number): Promise<void> {
    await this.#command(() => this.#pub.publish(this.#channel(room), encodeEnvelope(frame, acceptedAt)));
  }

  async history(room: string, query: { since?: string; limit: number }): Promise<HistoryPage> {
    const reply = (await this.#command(() =>
      this.#call('chatHistory', `${this.#roomKey(room)}:history`, query.since ?? '', query.limit),
    )) as string[];
    const [position = '0-0', truncated, ...flat] = reply;
    const entries = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ id: String(flat[i]), body: String(flat[i + 1]) });
    return { entries, position: String(position), truncated: Number(truncated) === 1 };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#healthTimer);
    this.#updateStatus();
    await Promise.all([quit(this.#pub), quit(this.#sub)]);
  }

  #channel(room: string): string {
    return this.#roomKey(room);
  }

  #roomKey(room: string): string {
    return `${this.#prefix}:{${room}}`;
  }

  /** Runs a command, turning every failure (down, timeout, error reply) into BrokerUnavailableError. */
  async #command<T>(run: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new BrokerUnavailableError('the broker is closed');
    if (!this.#pubReady) throw new BrokerUnavailableError('Redis is not connected', { cause: this.#lastError });
    try {
      return await run();
    } catch (error) {
      throw new BrokerUnavailableError(`Redis did not answer: ${(error as Error).message}`, { cause: error });
    }
  }

  async #subscription(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      throw new BrokerUnavailableError(`Redis did not answer: ${(error as Error).message}`, { cause: error });
    }
  }

  async #resubscribe(): Promise<void> {
    const channels = [...this.#channels.keys()];
    try {
      if (channels.length > 0) await this.#sub.subscribe(...channels);
      this.#setSubReady(true);
    } catch (error) {
      // The connection broke again mid-way; the next `ready` retries.
      this.#onError('subscriber', error as Error);
    }
  }

  #deliver(channel: Buffer, envelope: Buffer): void {
    const name = channel.toString();
    const room = this.#channels.get(name);
    if (room === undefined) return; // unsubscribed a moment ago
    const decoded = decodeEnvelope(envelope);
    if (decoded === null) {
      this.#log.warn({ channel: name, bytes: envelope.length }, 'dropped a broker message that is not a chat envelope');
      return;
    }
    this.#handlers.onMessage(room, decoded.frame, decoded.id, decoded.acceptedAt);
  }

  #healthCheck(): void {
    // TCP keepalive takes minutes to notice a Redis host that vanished without closing the
    // connection; a PING that is not answered within the command timeout forces a reconnect.
    for (const connection of [this.#pub, this.#sub]) {
      if (connection.status !== 'ready') continue;
      connection.ping().catch((error: Error) => {
        if (this.#closed || connection.status !== 'ready') return;
        this.#onError(connection === this.#pub ? 'publisher' : 'subscriber', error);
        connection.disconnect(true);
      });
    }
  }

  #onError(connection: 'publisher' | 'subscriber', error: Error): void {
    this.#lastError = error;
    // While Redis is down ioredis reports every failed reconnect; say it once per outage.
    const level = this.#outageReported ? 'debug' : 'error';
    this.#outageReported = true;
    this.#log[level]({ err: error, connection }, 'Redis connection error');
  }

  #setPubReady(ready: boolean): void {
    this.#pubReady = ready;
    this.#updateStatus();
  }

  #setSubReady(ready: boolean): void {
    this.#subReady = ready;
    this.#updateStatus();
  }

  #updateStatus(): void {
    const up = !this.#closed && this.#pubReady && this.#subReady;
    if (up === this.#up) return;
    this.#up = up;
    if (up) {
      this.#lastError = undefined;
      this.#outageReported = false;
    }
    this.#handlers.onStatus?.(up, up ? undefined : this.#lastError);
  }
}

async function quit(connection: Redis): Promise<void> {
  try {
    if (connection.status === 'ready') await connection.quit();
    else connection.disconnect();
  } catch {
    connection.disconnect();
  }
}
