/**
 * What replicas put on the Redis channel: the client frame, prefixed with the time the origin
 * replica accepted it, so every replica can measure delivery latency without parsing the frame.
 *
 *   byte 0      format version (1); a JSON payload starts with '{' and is never mistaken for one
 *   bytes 1-8   acceptedAt, epoch milliseconds with a fraction, float64 little-endian
 *   bytes 9-    the frame, exactly as clients receive it
 */
const VERSION = 1;
const HEADER_BYTES = 9;

export function encodeEnvelope(payload: Buffer, acceptedAt: number): Buffer {
  const envelope = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  envelope[0] = VERSION;
  envelope.writeDoubleLE(acceptedAt, 1);
  payload.copy(envelope, HEADER_BYTES);
  return envelope;
}

/** Returns null for anything that is not a version-1 envelope. The payload shares memory with `envelope`. */
export function decodeEnvelope(envelope: Buffer): { payload: Buffer; acceptedAt: number } | null {
  if (envelope.length < HEADER_BYTES || envelope[0] !== VERSION) return null;
  return { acceptedAt: envelope.readDoubleLE(1), payload: envelope.subarray(HEADER_BYTES) };
}
