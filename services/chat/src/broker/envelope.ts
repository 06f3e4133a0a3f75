/**
 * What replicas put on a room's Redis channel: the client frame, prefixed with the time the origin
 * replica accepted it and the message's history id, so every replica can measure delivery latency
 * and de-duplicate against history without parsing the frame.
 *
 *   byte 0       format version (2); a JSON payload starts with '{' and is never mistaken for one
 *   bytes 1-8    acceptedAt, epoch milliseconds with a fraction, float64 little-endian
 *   byte 9       length L of the id (0 for events that are not kept in history)
 *   bytes 10-    the id (ASCII, L bytes), then the frame exactly as clients receive it
 *
 * The Redis append script (lua/append.lua) assembles the same layout from `envelopeHeader` and
 * the id Redis assigns, which is why the header is a separate piece.
 */
const VERSION = 2;
const HEADER_BYTES = 9;

/** Version and accept time: the first nine bytes of every envelope. */
export function envelopeHeader(acceptedAt: number): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header[0] = VERSION;
  header.writeDoubleLE(acceptedAt, 1);
  return header;
}

export function encodeEnvelope(frame: Buffer, acceptedAt: number, id = ''): Buffer {
  const idLength = Buffer.byteLength(id, 'latin1');
  const envelope = Buffer.allocUnsafe(HEADER_BYTES + 1 + idLength + frame.length);
  envelopeHeader(acceptedAt).copy(envelope, 0);
  envelope[HEADER_BYTES] = idLength;
  envelope.write(id, HEADER_BYTES + 1, 'latin1');
  frame.copy(envelope, HEADER_BYTES + 1 + idLength);
  return envelope;
}

export interface Envelope {
  acceptedAt: number;
  id: string;
  /** Shares memory with the envelope: no copy per message. */
  frame: Buffer;
}

/** Returns null for anything that is not a version-2 envelope. */
export function decodeEnvelope(envelope: Buffer): Envelope | null {
  if (envelope.length < HEADER_BYTES + 1 || envelope[0] !== VERSION) return null;
  const idEnd = HEADER_BYTES + 1 + (envelope[HEADER_BYTES] ?? 0);
  if (idEnd > envelope.length) return null;
  return {
    acceptedAt: envelope.readDoubleLE(1),
    id: envelope.toString('latin1', HEADER_BYTES + 1, idEnd),
    frame: envelope.subarray(idEnd),
  };
}
