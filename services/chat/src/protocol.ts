/**
 * The wire protocol: what a client may send, what it gets back, and the error and close codes.
 * docs/protocol.md documents the same frames, with examples, for client authors.
 *
 * The article's frame `{"from":"alice","message":"hi"}` stays valid: it is a message frame with the
 * type left out, sent to the default room. Unknown fields are ignored so newer clients can talk to
 * older servers.
 */

/** WebSocket close codes this server uses (RFC 6455, section 7.4.1). */
export const CloseCode = {
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
} as const;

/** The room of untyped (article) frames, and of connections that name no room. */
export const DEFAULT_ROOM = 'general';

/** Why a client frame was not valid. */
export type FrameErrorCode =
  | 'invalid_json'
  | 'invalid_frame'
  | 'empty_message'
  | 'from_too_long'
  | 'unknown_type'
  | 'invalid_room';

/** Codes carried by `{"type":"error"}` frames; the connection stays open after each of them. */
export type ErrorCode = FrameErrorCode | 'rate_limited' | 'broker_unavailable' | 'not_in_room' | 'too_many_rooms';

export const MAX_NAME_CHARS = 64;
export const MAX_REF_CHARS = 64;
/** Room names: safe in Redis key and channel names and in URLs, without escaping. */
const ROOM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** A message id: a Redis stream id, `<milliseconds>-<sequence>`. */
const MESSAGE_ID = /^\d{1,15}-\d{1,19}$/;

/** A chat message as a client sent it, validated. */
export interface ChatMessage {
  room: string;
  from: string;
  message: string;
  /** Client-chosen correlation id: when present, the sender gets an ack or an error carrying it. */
  ref?: string;
}

export interface JoinRequest {
  room: string;
  /** The last message id the client saw: it receives exactly the messages after it. */
  since?: string;
  /** Without `since`: how many of the room's latest messages to receive first (at most HISTORY_SIZE). */
  history?: number;
  /** Shown to the room's members in presence. */
  name?: string;
  /**
   * false: the member is left out of the room's presence (neither listed nor announced) and is sent
   * none of it (no member list, no events), so a join costs the room nothing. For rooms too large
   * for a member list to mean anything: every presence join is a frame to each member who has it.
   */
  presence?: boolean;
  ref?: string;
}

export interface LeaveRequest {
  room: string;
  ref?: string;
}

export type ClientFrame =
  | { type: 'message'; message: ChatMessage; typed: boolean }
  | { type: 'join'; join: JoinRequest }
  | { type: 'leave'; leave: LeaveRequest };

export type ParseResult =
  | ({ ok: true } & ClientFrame)
  | { ok: false; code: FrameErrorCode; detail: string; ref?: string; room?: string };

type Fields = Record<string, unknown>;

const fail = (code: FrameErrorCode, detail: string, ref?: string, room?: string): ParseResult => ({
  ok: false,
  code,
  detail,
  ...(ref === undefined ? {} : { ref }),
  ...(room === undefined ? {} : { room }),
});

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
  const fields = frame as Fields;
  const { ref } = fields;
  if (ref !== undefined && (typeof ref !== 'string' || charCount(ref) > MAX_REF_CHARS)) {
    return fail('invalid_frame', `"ref" must be a string of at most ${MAX_REF_CHARS} characters`);
  }
  switch (fields.type) {
    case undefined:
      return parseMessage(fields, ref, false);
    case 'message':
      return parseMessage(fields, ref, true);
    case 'join':
      return parseJoin(fields, ref);
    case 'leave':
      return parseLeave(fields, ref);
    default:
      return fail('unknown_type', `unknown frame type ${JSON.stringify(fields.type)}`, ref);
  }
}

function parseMessage(fields: Fields, ref: string | undefined, typed: boolean): ParseResult {
  const { from, message } = fields;
  // A frame without a room (the article's, or a typed one from before rooms) goes to the default room.
  const room = fields.room ?? DEFAULT_ROOM;
  if (!isRoomName(room)) return fail('invalid_room', roomRule('"room"'), ref);
  if (typeof from !== 'string' || typeof message !== 'string') {
    return fail('invalid_frame', 'frame needs string fields "from" and "message"', ref, room);
  }
  if (charCount(from) > MAX_NAME_CHARS) {
    return fail('from_too_long', `"from" is longer than ${MAX_NAME_CHARS} characters`, ref, room);
  }
  if (message.trim() === '') return fail('empty_message', '"message" is empty', ref, room);
  return { ok: true, type: 'message', typed, message: withRef({ room, from, message }, ref) };
}

function parseJoin(fields: Fields, ref: string | undefined): ParseResult {
  const { room, since, history, name, presence } = fields;
  if (!isRoomName(room)) return fail('invalid_room', roomRule('"room"'), ref);
  if (since !== undefined && !isMessageId(since)) {
    return fail('invalid_frame', '"since" must be a message id such as "1732770000123-0"', ref, room);
  }
  if (history !== undefined && !(Number.isInteger(history) && (history as number) >= 0)) {
    return fail('invalid_frame', '"history" must be a whole number of messages', ref, room);
  }
  if (name !== undefined && (typeof name !== 'string' || charCount(name) > MAX_NAME_CHARS)) {
    return fail('invalid_frame', `"name" must be a string of at most ${MAX_NAME_CHARS} characters`, ref, room);
  }
  if (presence !== undefined && typeof presence !== 'boolean') {
    return fail('invalid_frame', '"presence" must be true or false', ref, room);
  }
  const join: JoinRequest = { room };
  if (since !== undefined) join.since = since as string;
  if (history !== undefined) join.history = history as number;
  if (name !== undefined) join.name = name as string;
  if (presence !== undefined) join.presence = presence;
  return { ok: true, type: 'join', join: withRef(join, ref) };
}

function parseLeave(fields: Fields, ref: string | undefined): ParseResult {
  const { room } = fields;
  if (!isRoomName(room)) return fail('invalid_room', roomRule('"room"'), ref);
  return { ok: true, type: 'leave', leave: withRef({ room }, ref) };
}

function withRef<T extends object>(value: T, ref: string | undefined): T & { ref?: string } {
  return ref === undefined ? value : { ...value, ref };
}

export function isRoomName(room: unknown): room is string {
  return typeof room === 'string' && ROOM_NAME.test(room);
}

export function isMessageId(id: unknown): id is string {
  return typeof id === 'string' && MESSAGE_ID.test(id);
}

export const roomRule = (what: string) => `${what} must be 1 to 64 characters: letters, digits, "_", "-" or "."`;

/** Characters as people count them (code points), not UTF-16 units. */
function charCount(text: string): number {
  if (text.length <= MAX_NAME_CHARS) return text.length;
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * A message frame in two parts around its id, which the broker assigns when it appends the message
 * to the room's history: frame = head + id + body. The head depends only on the room, so history
 * stores the body alone and rebuilds frames with `messageHead(room)`.
 */
export interface FrameParts {
  head: string;
  body: string;
}

export function messageHead(room: string): string {
  return `{"type":"message","room":${JSON.stringify(room)},"id":"`;
}

export function encodeMessageParts(ts: number, message: ChatMessage): FrameParts {
  return {
    head: messageHead(message.room),
    body: `","ts":${ts},"from":${JSON.stringify(message.from)},"message":${JSON.stringify(message.message)}}`,
  };
}

export interface Member {
  id: string;
  name: string;
}

// The encoders below leave `ref` (and `room`) out of the frame when undefined: JSON.stringify skips
// undefined values, so callers pass them as they are.

/** Sent only to the sender, and only when its frame carried a `ref`. */
export function encodeAck(ref: string, room: string, id: string, ts: number): string {
  return JSON.stringify({ type: 'ack', ref, room, id, ts });
}

/**
 * The answer to a join, before the history it announces. `position` is the room's latest message
 * id when the client joined: a client that has seen nothing newer rejoins with it as `since`.
 */
export function encodeJoined(
  room: string,
  reply: { position: string; history: number; truncated: boolean },
  ref?: string,
): string {
  return JSON.stringify({ type: 'joined', room, ...reply, ref });
}

export function encodeLeft(room: string, ref?: string): string {
  return JSON.stringify({ type: 'left', room, ref });
}

export function encodePresence(room: string, members: readonly Member[]): string {
  return JSON.stringify({ type: 'presence', room, members });
}

export function encodePresenceEvent(room: string, event: 'join' | 'leave', member: Member): string {
  return JSON.stringify({ type: 'presence', room, event, member });
}

/** Only `room` and `ref` of `context` go into the frame, so a request or message can be passed whole. */
export function encodeError(code: ErrorCode, message: string, context: { room?: string; ref?: string } = {}): string {
  return JSON.stringify({ type: 'error', code, message, room: context.room, ref: context.ref });
}
