/**
 * The wire protocol: what a client may send, what it gets back, and the error and close codes.
 * README.md ("Protocol") documents the same frames for client authors.
 *
 * The article's frame `{"from":"alice","message":"hi"}` stays valid: it is a message frame with the
 * type left out. Unknown fields are ignored so newer clients can talk to older servers.
 */

/** WebSocket close codes this server uses (RFC 6455, section 7.4.1). */
export const CloseCode = {
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
} as const;

/** Why a client frame was not a valid message. */
export type FrameErrorCode = 'invalid_json' | 'invalid_frame' | 'empty_message' | 'from_too_long' | 'unknown_type';

/** Codes carried by `{"type":"error"}` frames; the connection stays open after each of them. */
export type ErrorCode = FrameErrorCode | 'rate_limited' | 'broker_unavailable';

export const MAX_FROM_CHARS = 64;
export const MAX_REF_CHARS = 64;

/** A chat message as a client sent it, validated. */
export interface ChatMessage {
  from: string;
  message: string;
  /** Client-chosen correlation id: when present, the sender gets an ack or an error carrying it. */
  ref?: string;
}

export type ParseResult =
  | { ok: true; message: ChatMessage }
  | { ok: false; code: FrameErrorCode; detail: string; ref?: string };

const fail = (code: FrameErrorCode, detail: string, ref?: string): ParseResult =>
  ref === undefined ? { ok: false, code, detail } : { ok: false, code, detail, ref };

/** Validates one text frame from a client. Never throws. */
export function parseClientFrame(text: string): ParseResult {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return fail('invalid_json', 'frame is not valid JSON');
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    return fail('invalid_frame', 'frame must be a JSON object');
  }
  const { type, from, message, ref } = frame as Record<string, unknown>;
  if (ref !== undefined && (typeof ref !== 'string' || charCount(ref) > MAX_REF_CHARS)) {
    return fail('invalid_frame', `"ref" must be a string of at most ${MAX_REF_CHARS} characters`);
  }
  if (type !== undefined && type !== 'message') {
    return fail('unknown_type', `unknown frame type ${JSON.stringify(type)}; expected "message"`, ref);
  }
  if (typeof from !== 'string' || typeof message !== 'string') {
    return fail('invalid_frame', 'frame needs string fields "from" and "message"', ref);
  }
  if (charCount(from) > MAX_FROM_CHARS) {
    return fail('from_too_long', `"from" is longer than ${MAX_FROM_CHARS} characters`, ref);
  }
  if (message.trim() === '') {
    return fail('empty_message', '"message" is empty', ref);
  }
  return { ok: true, message: ref === undefined ? { from, message } : { from, message, ref } };
}

/** Characters as people count them (code points), not UTF-16 units. */
function charCount(text: string): number {
  if (text.length <= MAX_FROM_CHARS) return text.length;
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * The frame every client receives for a message. Built by hand rather than from an object so the
 * field order is fixed: `ts` always comes first after the type and id, which tools can rely on.
 */
export function encodeMessage(id: string, ts: number, message: ChatMessage): string {
  return `{"type":"message","id":${JSON.stringify(id)},"ts":${ts},"from":${JSON.stringify(message.from)},"message":${JSON.stringify(message.message)}}`;
}

/** Sent only to the sender, and only when its frame carried a `ref`. */
export function encodeAck(ref: string, id: string, ts: number): string {
  return JSON.stringify({ type: 'ack', ref, id, ts });
}

export function encodeError(code: ErrorCode, message: string, ref?: string): string {
  return JSON.stringify(ref === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref });
}
