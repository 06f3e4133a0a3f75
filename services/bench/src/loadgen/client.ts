/**
 * One simulated chat user: a WebSocket over a plain TCP socket, speaking one dialect. It answers
 * pings (WebSocket and Socket.IO), sends chat frames, and hands every received chat frame to the
 * generator's tally with the time its bytes were read. One clock read per read, not per frame.
 *
 * Reads use net's `onread`: libuv reads into one buffer shared by every socket of the process and
 * the callback parses it at once, with no stream, no 'data' event and no Buffer per read. That
 * halves the generator's cost per delivery, which is what lets it keep up with the servers.
 */
import { connect, type Socket } from 'node:net';
import type { ClientIdentity, Dialect } from './dialects.ts';
import { monoUs } from './marker.ts';
import { clientFrame, FrameParser, Opcode, upgradeRequest } from './wire.ts';

export interface ClientTarget extends ClientIdentity {
  host: string;
  port: number;
  /** Source address (127.0.0.x), for more than one address's worth of ephemeral ports. */
  localAddress?: string;
}

export interface ClientHandlers {
  /** A chat frame: its text is bytes[start, end), read at `recvUs` (monotonic µs). */
  message(client: BenchClient, bytes: Buffer, start: number, end: number, recvUs: number): void;
  /** The connection ended after it had opened. */
  closed(client: BenchClient, reason: string): void;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** Every socket of the process reads into this; its contents are valid only during the callback. */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

export class BenchClient {
  /** Position among this generator process's clients. */
  readonly slot: number;
  readonly dialect: Dialect;
  /** The room it joined at connect (room dialects), which its messages go to. */
  room: number | undefined;
  state: 'connecting' | 'open' | 'closed' = 'connecting';
  #socket: Socket | undefined;
  readonly #handlers: ClientHandlers;
  readonly #parser: FrameParser;
  #head: Buffer | undefined;
  #recvUs = 0;
  #ready: (() => void) | undefined;
  #fail: ((error: Error) => void) | undefined;

  constructor(slot: number, dialect: Dialect, handlers: ClientHandlers) {
    this.slot = slot;
    this.dialect = dialect;
    this.#handlers = handlers;
    this.#parser = new FrameParser({
      frame: (opcode, bytes, start, end) => this.#frame(opcode, bytes, start, end),
      error: (message) => this.#end(`protocol error: ${message}`),
    });
  }

  /** Connects and resolves once the server takes chat messages; rejects on refusal or after `timeoutMs`. */
  open(target: ClientTarget, timeoutMs: number): Promise<void> {
    this.room = target.room;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#end(`not ready after ${timeoutMs} ms`), timeoutMs);
      this.#ready = () => {
        clearTimeout(timer);
        this.#ready = undefined;
        this.#fail = undefined;
        resolve();
      };
      this.#fail = (error) => {
        clearTimeout(timer);
        this.#ready = undefined;
        this.#fail = undefined;
        reject(error);
      };
      const socket = connect({
        host: target.host,
        port: target.port,
        localAddress: target.localAddress,
        onread: {
          buffer: READ_BUFFER,
          callback: (bytes: number, buffer: Uint8Array) => {
            this.#data(buffer as Buffer, bytes);
            return true;
          },
        },
      });
      this.#socket = socket;
      socket.setNoDelay(true);
      socket.once('connect', () => socket.write(upgradeRequest(target.host, target.port, this.dialect.path(target))));
      socket.on('error', (error) => this.#end(error.message));
      socket.on('close', () => this.#end('connection closed by the server'));
    });
  }

  /** Sends one text frame. */
  send(text: string): void {
    if (this.state === 'open') this.#socket?.write(clientFrame(Opcode.text, Buffer.from(text)));
  }

  /** Closes without a closing handshake: the benchmark is over, nothing is in flight. */
  destroy(): void {
    this.state = 'closed';
    this.#socket?.destroy();
  }

  #data(buffer: Buffer, length: number): void {
    const chunk = buffer.subarray(0, length);
    if (this.#head !== undefined || this.state === 'connecting') {
      this.#handshake(Buffer.from(chunk));
      return;
    }
    this.#recvUs = monoUs();
    this.#parser.push(chunk);
  }

  /** Consumes the HTTP response, then hands whatever follows it to the frame parser. */
  #handshake(chunk: Buffer): void {
    const head = this.#head === undefined ? chunk : Buffer.concat([this.#head, chunk]);
    const end = head.indexOf(CRLF2);
    if (end === -1) {
      this.#head = head;
      return;
    }
    this.#head = undefined;
    const status = head.toString('latin1', 0, head.indexOf('\r\n'));
    if (!status.startsWith('HTTP/1.1 101')) {
      this.#end(`upgrade refused: ${status}`);
      return;
    }
    this.state = 'open';
    if (this.dialect.readyOnOpen) this.#ready?.();
    const rest = head.subarray(end + 4);
    if (rest.length > 0) {
      this.#recvUs = monoUs();
      this.#parser.push(rest);
    }
  }

  #frame(opcode: number, bytes: Buffer, start: number, end: number): void {
    if (opcode === Opcode.text) {
      const refusal =
        this.#ready === undefined ? undefined : this.dialect.refusal?.(bytes.toString('utf8', start, end));
      if (refusal !== undefined) {
        this.#end(refusal);
        return;
      }
      if (this.dialect.isMessage(bytes, start, end)) {
        this.#handlers.message(this, bytes, start, end, this.#recvUs);
        return;
      }
      const { reply, ready } = this.dialect.control(bytes.toString('utf8', start, end));
      if (reply !== undefined) this.send(reply);
      if (ready === true) this.#ready?.();
    } else if (opcode === Opcode.ping) {
      this.#socket?.write(clientFrame(Opcode.pong, bytes.subarray(start, end)));
    } else if (opcode === Opcode.close) {
      const code = end - start >= 2 ? bytes.readUInt16BE(start) : 1005;
      this.#end(`closed by the server with ${code} ${bytes.toString('utf8', start + 2, end)}`);
    }
  }

  #end(reason: string): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open' && this.#ready === undefined;
    this.state = 'closed';
    this.#socket?.destroy();
    if (this.#fail !== undefined) this.#fail(new Error(reason));
    else if (wasOpen) this.#handlers.closed(this, reason);
  }
}
