/**
 * One client's WebSocket: turns its frames into messages, joins and leaves, answers bad input, and
 * writes broadcasts to it. Everything that can go wrong with one client is handled here, so a
 * fault in one connection never reaches another.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { BrokerUnavailableError } from './broker/broker.ts';
import { descriptorOf, writeToKernel } from './direct-write.ts';
import type { Logger } from './log.ts';
import type { ChatMetrics, RejectReason } from './metrics.ts';
import {
  type ChatMessage,
  CloseCode,
  type ErrorCode,
  encodeAck,
  encodeError,
  type JoinRequest,
  type LeaveRequest,
  parseClientFrame,
} from './protocol.ts';
import { RateLimiter } from './rate-limit.ts';

/** What a connection needs from the rest of the server. */
export interface ConnectionContext {
  metrics: ChatMetrics;
  log: Logger;
  rateLimit: number;
  maxBufferedBytes: number;
  /** Hands a valid message to the broker; rejects with BrokerUnavailableError if it cannot. */
  publish(message: ChatMessage): Promise<{ id: string; ts: number }>;
  /** Whether the connection is in the room (sending to a room takes membership). */
  isMember(connection: Connection, room: string): boolean;
  join(connection: Connection, request: JoinRequest): Promise<void>;
  leave(connection: Connection, request: LeaveRequest): Promise<void>;
  /** The socket closed: the server forgets the connection. */
  onClose(connection: Connection, code: number, reason: string): void;
}

export interface ConnectionInfo {
  id: string;
  /** Client address: the first X-Forwarded-For entry when behind a proxy, else the peer address. */
  ip: string;
  /** The TCP peer (the proxy, when there is one). */
  peer: string;
  /** The name given at connect (`?name=`), shown in presence when a join names none. */
  name: string;
}

/** Refused frames in a row that close a connection, whatever the rate limit. */
const MIN_STRIKES = 10;

/**
 * Where a socket's shared event handlers find their connection. One set of handlers serves every
 * socket, with the socket as `this`, instead of four closures per connection (320 bytes of each
 * idle connection's heap, by heap snapshot).
 */
const CONNECTION = Symbol('connection');
type OwnedSocket = WebSocket & { [CONNECTION]: Connection };

function ownerOf(ws: WebSocket): Connection {
  return (ws as OwnedSocket)[CONNECTION];
}

/** ws error codes for frames it refused itself, before they reached us. */
const WS_REJECTIONS: Record<string, RejectReason> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 'too_large',
  WS_ERR_INVALID_UTF8: 'invalid_utf8',
};

export class Connection {
  readonly info: ConnectionInfo;
  /** Set by every pong; the heartbeat clears it with each ping. */
  alive = true;
  readonly #ws: WebSocket;
  readonly #socket: Socket;
  /** The socket's file descriptor, for writes that skip Node's stream machinery; -1 if there is none. */
  readonly #fd: number;
  readonly #context: ConnectionContext;
  readonly #limiter: RateLimiter;
  readonly #openedAt = Date.now();
  #received = 0;
  #delivered = 0;
  /** Frames refused in a row for going over the rate limit. */
  #strikes = 0;
  #dropReason: string | undefined;

  constructor(ws: WebSocket, info: ConnectionInfo, context: ConnectionContext) {
    this.#ws = ws;
    // Broadcast frames are written to ws's socket directly (ws keeps it as _socket): ws.send
    // would frame the same payload again for every socket, with an options object, a header
    // buffer and two writes each. Safe because every write is a whole frame, and with
    // perMessageDeflate off ws never holds frames of its own back in a queue.
    this.#socket = (ws as unknown as { _socket: Socket })._socket;
    this.#fd = descriptorOf(this.#socket);
    this.info = info;
    this.#context = context;
    this.#limiter = new RateLimiter(context.rateLimit);
    (ws as OwnedSocket)[CONNECTION] = this;
    ws.on('pong', Connection.#onPong);
    ws.on('message', Connection.#onMessage);
    ws.on('close', Connection.#onClose);
    ws.on('error', Connection.#onError);
  }

  /**
   * Leaves this connection the only listener of its socket's events. The upgrade helper of
   * @hono/node-server attaches listeners of its own right after the socket opens, whose closures
   * keep the upgrade's whole Hono context (request, headers, response objects: about half of a
   * connection's memory) alive for as long as the socket lives. Run it once those are attached
   * (a microtask after open); from then on this class handles the socket's events itself.
   */
  claimSocket(): void {
    const own: Record<string, (...args: never[]) => void> = {
      message: Connection.#onMessage,
      close: Connection.#onClose,
      error: Connection.#onError,
    };
    for (const [event, listener] of Object.entries(own)) {
      for (const other of this.#ws.listeners(event)) {
        if (other !== listener) this.#ws.off(event, other as (...args: unknown[]) => void);
      }
    }
  }

  // The handlers every socket shares, with the socket as `this` (see CONNECTION).
  static readonly #onPong = function (this: WebSocket): void {
    ownerOf(this).alive = true;
  };

  static readonly #onMessage = function (this: WebSocket, data: Buffer, isBinary: boolean): void {
    // ws has validated text frames as UTF-8 already (it closes with 1007 otherwise).
    ownerOf(this).receive(isBinary ? null : data.toString());
  };

  static readonly #onClose = function (this: WebSocket, code: number, reason: Buffer): void {
    const connection = ownerOf(this);
    connection.#context.onClose(connection, code, reason.toString());
  };

  static readonly #onError = function (this: WebSocket, error: Error): void {
    ownerOf(this).failed(error);
  };

  /** One frame from the client: its text, or null for a binary frame. */
  receive(data: string | null): void {
    this.#received++;
    this.#context.metrics.messagesReceived.inc();
    if (data === null) {
      this.#reject('binary');
      this.#ws.close(CloseCode.unsupportedData, 'binary frames are not supported; send JSON text');
      return;
    }
    if (!this.#limiter.take()) {
      this.#overRateLimit();
      return;
    }
    this.#strikes = 0;
    const parsed = parseClientFrame(data);
    if (!parsed.ok) {
      this.#reject(parsed.code);
      this.#sendError(parsed.code, parsed.detail, parsed);
      return;
    }
    switch (parsed.type) {
      case 'message':
        if (!this.#context.isMember(this, parsed.message.room)) {
          this.#reject('not_in_room');
          const { room } = parsed.message;
          this.#sendError('not_in_room', `join room "${room}" before sending to it`, parsed.message);
          return;
        }
        this.#publish(parsed.message);
        return;
      case 'join':
        void this.#context.join(this, parsed.join);
        return;
      case 'leave':
        void this.#context.leave(this, parsed.leave);
        return;
    }
  }

  /** Sends a control frame (joined, presence, error...) to this client. */
  send(frame: string): void {
    if (this.#ws.readyState === 1) this.#ws.send(frame);
  }

  /**
   * Writes prebuilt WebSocket frames (wire.ts), one or several back to back, holding `messages`
   * messages. This is the per-recipient hot path: the same bytes go to every socket, with nothing
   * parsed, copied or allocated here. Returns false when nothing was written.
   */
  write(wire: Buffer, messages = 1): boolean {
    if (this.#ws.readyState !== 1) return false;
    const socket = this.#socket;
    const queued = socket.writableLength;
    if (queued > this.#context.maxBufferedBytes) {
      this.#dropSlowConsumer();
      return false;
    }
    // With nothing queued, the bytes go straight to the kernel: one write(2), without the stream's
    // bookkeeping, write request and after-write tick that socket.write costs for every recipient.
    // `writable` is false from the moment the socket is ended or destroyed, before its descriptor
    // is closed (and could be another connection's). What the kernel does not take, the stream
    // queues and writes in order, as it would have all along.
    const written = queued === 0 && this.#fd >= 0 && socket.writable ? writeToKernel(this.#fd, wire) : 0;
    if (written < wire.length) socket.write(written === 0 ? wire : wire.subarray(written));
    this.#delivered += messages;
    return true;
  }

  /** One heartbeat tick: false (and the socket dropped) if the last ping was never answered. */
  heartbeat(): boolean {
    if (!this.alive) {
      this.#drop('heartbeat timeout');
      this.#context.metrics.heartbeatTimeouts.inc();
      return false;
    }
    this.alive = false;
    if (this.#ws.readyState === 1) this.#ws.ping();
    return true;
  }

  close(code: number, reason: string): void {
    if (this.#ws.readyState <= 1) this.#ws.close(code, reason);
  }

  /** Destroys the socket without a closing handshake (the peer is gone or not reading). */
  terminate(): void {
    this.#ws.terminate();
  }

  /** ws reported a protocol error; it closes the socket itself with the matching code. */
  failed(error: unknown): void {
    const code = (error as { code?: string } | undefined)?.code;
    const reason = code === undefined ? undefined : WS_REJECTIONS[code];
    if (reason !== undefined) this.#reject(reason);
    this.#context.log.warn({ conn: this.info.id, ip: this.info.ip, err: error }, 'connection error');
  }

  /** Called once the socket has closed, for the close log line. */
  closed(code: number, reason: string): void {
    this.#context.log.info(
      {
        conn: this.info.id,
        ip: this.info.ip,
        code,
        reason: this.#dropReason ?? reason,
        durationMs: Date.now() - this.#openedAt,
        received: this.#received,
        delivered: this.#delivered,
      },
      'connection closed',
    );
  }

  #publish(message: ChatMessage): void {
    const { ref, room } = message;
    this.#context.publish(message).then(
      ({ id, ts }) => {
        this.#context.metrics.messagesPublished.inc();
        if (ref !== undefined) this.send(encodeAck(ref, room, id, ts));
      },
      (error: unknown) => {
        this.#context.metrics.publishErrors.inc();
        const broker = error instanceof BrokerUnavailableError;
        if (!broker) this.#context.log.error({ conn: this.info.id, err: error }, 'publish failed');
        this.#sendError(
          'broker_unavailable',
          'the message was not sent: the message broker is unavailable, try again shortly',
          message,
        );
      },
    );
  }

  #overRateLimit(): void {
    this.#reject('rate_limited');
    this.#strikes++;
    // A second's worth of refused frames in a row (at least 10, so a low limit does not close on
    // the first slip) means the client ignores the errors.
    if (this.#strikes >= Math.max(this.#context.rateLimit, MIN_STRIKES)) {
      this.#dropReason = 'rate limit exceeded';
      this.#ws.close(CloseCode.policyViolation, 'rate limit exceeded');
      return;
    }
    this.#sendError('rate_limited', `more than ${this.#context.rateLimit} frames a second; this one was dropped`);
  }

  #dropSlowConsumer(): void {
    this.#context.metrics.slowConsumerDisconnects.inc();
    this.#drop(`send buffer over ${this.#context.maxBufferedBytes} bytes (client not reading)`);
  }

  #drop(reason: string): void {
    this.#dropReason = reason;
    this.#context.log.warn({ conn: this.info.id, ip: this.info.ip, reason }, 'dropping connection');
    this.#ws.terminate();
  }

  #reject(reason: RejectReason): void {
    this.#context.metrics.rejected[reason].inc();
  }

  #sendError(code: ErrorCode, message: string, context: { room?: string; ref?: string } = {}): void {
    this.send(encodeError(code, message, context));
  }
}
