/**
 * The text every benchmark message carries: `#<run>.<sender>.<seq>.<sentUs>#`, where sentUs is the
 * sender's CLOCK_MONOTONIC in microseconds. Linux has one monotonic clock for the whole machine, so
 * a receiver in another generator process subtracts it from its own clock to get the end-to-end
 * latency. Every system under test passes the text through unchanged (inside JSON, a Socket.IO
 * event or a raw frame), and none of '#', '.' or digits is ever escaped, so the receiver finds it
 * in the raw frame bytes without parsing JSON.
 */

const HASH = 0x23;
const DOT = 0x2e;
const ZERO = 0x30;

/** Microseconds on CLOCK_MONOTONIC (process.hrtime), the clock every process on the machine shares. */
export function monoUs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e6 + nanoseconds / 1e3;
}

export function encodeMarker(run: number, sender: number, seq: number, sentUs: number): string {
  return `#${run}.${sender}.${seq}.${Math.round(sentUs)}#`;
}

/**
 * The fields of the last marker parsed by `parseMarker`. One shared object, overwritten on each
 * call, so the receive path allocates nothing per frame.
 */
export const parsed = { run: 0, sender: 0, seq: 0, sentUs: 0 };

/**
 * Finds the marker in `bytes[start, end)` and fills `parsed`. Returns false when the frame holds
 * no well-formed marker (a control frame, or a message from something else).
 */
export function parseMarker(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end && bytes[i] !== HASH) i++;
  i++;
  const fields = [0, 0, 0, 0];
  for (let field = 0; field < 4; field++) {
    let value = 0;
    let digits = 0;
    for (; i < end; i++) {
      const digit = (bytes[i] as number) - ZERO;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
      digits++;
    }
    const separator = field === 3 ? HASH : DOT;
    if (digits === 0 || i >= end || bytes[i] !== separator) return false;
    fields[field] = value;
    i++;
  }
  parsed.run = fields[0] as number;
  parsed.sender = fields[1] as number;
  parsed.seq = fields[2] as number;
  parsed.sentUs = fields[3] as number;
  return true;
}
