/**
 * The client side of RFC 6455, reduced to what the load generator needs: the upgrade request, a
 * masked frame to send, and a parser for the unmasked frames servers send. A full client (`ws`)
 * costs several times more CPU per received frame (a stream, events, per-frame buffers, UTF-8
 * validation), and with hundreds of thousands of frames a second on two cores the generator would
 * be what the benchmark measures.
 */
import { randomBytes, randomFillSync } from 'node:crypto';

export const Opcode = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** The HTTP/1.1 upgrade request for `path` on `host:port`. */
export function upgradeRequest(host: string, port: number, path: string): string {
  return [
    `GET ${path} HTTP/1.1`,
    `Host: ${host}:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    '',
    '',
  ].join('\r\n');
}

/** Mask keys come from a pool refilled now and then: one randomFillSync per 4096 frames. */
const maskPool = Buffer.alloc(16_384);
let maskAt = maskPool.length;

/** One masked client frame (clients must mask; a server closes the connection otherwise). */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const header = 2 + lengthBytes + 4;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x80 | opcode;
  if (lengthBytes === 0) frame[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  if (maskAt === maskPool.length) {
    randomFillSync(maskPool);
    maskAt = 0;
  }
  const key = maskPool.subarray(maskAt, maskAt + 4);
  maskAt += 4;
  key.copy(frame, 2 + lengthBytes);
  for (let i = 0; i < length; i++) frame[header + i] = (payload[i] as number) ^ (key[i & 3] as number);
  return frame;
}

export interface FrameSink {
  /** A complete frame: its payload is bytes[start, end). The bytes are only valid during the call. */
  frame(opcode: number, bytes: Buffer, start: number, end: number): void;
  /** The stream broke the protocol (a masked or fragmented server frame). */
  error(message: string): void;
}

/**
 * Splits the server's byte stream into frames. Several frames usually arrive in one read, and a
 * frame may straddle two; only that straddling remainder is ever copied. Chunks may live in a read
 * buffer that is reused after push() returns, so nothing keeps a reference to them.
 */
export class FrameParser {
  #rest: Buffer | undefined;
  readonly #sink: FrameSink;

  constructor(sink: FrameSink) {
    this.#sink = sink;
  }

  push(chunk: Buffer): void {
    let bytes = chunk;
    if (this.#rest !== undefined) {
      bytes = Buffer.concat([this.#rest, chunk]);
      this.#rest = undefined;
    }
    const end = bytes.length;
    let at = 0;
    while (end - at >= 2) {
      const b0 = bytes[at] as number;
      const b1 = bytes[at + 1] as number;
      if ((b1 & 0x80) !== 0 || (b0 & 0x80) === 0) {
        this.#sink.error((b1 & 0x80) !== 0 ? 'server sent a masked frame' : 'server sent a fragmented message');
        return;
      }
      let length = b1 & 0x7f;
      let header = 2;
      if (length === 126) {
        if (end - at < 4) break;
        length = bytes.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (end - at < 10) break;
        length = bytes.readUInt32BE(at + 2) * 2 ** 32 + bytes.readUInt32BE(at + 6);
        header = 10;
      }
      if (end - at < header + length) break;
      this.#sink.frame(b0 & 0x0f, bytes, at + header, at + header + length);
      at += header + length;
    }
    if (at < end) this.#rest = Buffer.from(bytes.subarray(at));
  }
}
