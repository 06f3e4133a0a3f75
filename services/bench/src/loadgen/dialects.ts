/**
 * How each system under test wants a chat message said. Chat, the article's port, the article's Go
 * program and the floor all take the article's frame `{"from","message"}` on /ws; Socket.IO speaks
 * Engine.IO 4 + Socket.IO 5 over its own path, with a handshake and its own heartbeat. The load
 * generator sends the same marker text through every dialect.
 *
 * The room dialects put each client in one room when it connects and send to that room: the chat's
 * `/ws?room=..&name=..` (docs/protocol.md) and Socket.IO rooms (servers/socketio.ts).
 */

export type DialectName = 'article' | 'socketio' | 'chat-rooms' | 'socketio-rooms';

/** Who a client is, as far as its dialect cares: rooms are numbered, their names come from roomName(). */
export interface ClientIdentity {
  room?: number;
  name?: string;
  /** false: the client joins its room out of presence (chat's `presence=0`). */
  presence?: boolean;
}

export interface Dialect {
  readonly name: DialectName;
  /** Request path of the WebSocket upgrade. */
  path(client: ClientIdentity): string;
  /** The frame text that carries one chat message (to the sender's room, in a room dialect). */
  message(from: string, text: string, room: number | undefined): string;
  /**
   * A control text frame from the server (anything that is not a chat message). Returns what to
   * answer (or undefined), and whether the connection is now ready for chat.
   */
  control(text: string): { reply?: string; ready?: boolean };
  /**
   * While the connection is not yet ready: the server's reason if `text` refuses it (the chat's
   * error frame answering its join), else undefined. The client then fails at once with that
   * reason, instead of waiting out its timeout.
   */
  refusal?(text: string): string | undefined;
  /** True when the connection is ready as soon as the upgrade succeeds. */
  readonly readyOnOpen: boolean;
  /**
   * Cheap check on a text frame's first bytes: might it be a chat message? Runs on every frame,
   * so it reads a byte or two and never decodes. Frames it passes are searched for the marker (and
   * counted as refusals when they are error frames).
   */
  isMessage(bytes: Uint8Array, start: number, end: number): boolean;
}

/** The name of room `index` on the wire (the chat allows letters, digits, `_`, `-`, `.`). */
export function roomName(index: number): string {
  return `bench-${index}`;
}

const OPEN_BRACE = 0x7b;

const articleDialect: Dialect = {
  name: 'article',
  path: () => '/ws',
  message: (from, text) => JSON.stringify({ from, message: text }),
  control: () => ({}),
  readyOnOpen: true,
  // The floor echoes the client's frame as is; the others send one JSON object per message.
  isMessage: (bytes, start) => bytes[start] === OPEN_BRACE,
};

/** Every frame the chat sends a room client opens with this, then the type. */
const TYPE_PREFIX = Buffer.from('{"type":"');
const TYPE_AT = TYPE_PREFIX.length;
const LETTER_J = 0x6a;
const LETTER_P = 0x70;

/**
 * The chat's room client: joins its room in the upgrade URL, and is ready once the `joined` frame
 * says the room is subscribed. It also receives `presence` frames as members come and go: those
 * are told apart by one byte (the type's first letter), so they cost nothing on the receive path.
 */
export const chatRoomsDialect: Dialect = {
  name: 'chat-rooms',
  path: (client) =>
    `/ws?room=${roomName(client.room ?? 0)}${client.name === undefined ? '' : `&name=${encodeURIComponent(client.name)}`}` +
    (client.presence === false ? '&presence=0' : ''),
  message: (from, text, room) => JSON.stringify({ type: 'message', room: roomName(room ?? 0), from, message: text }),
  control: (text) => (text.startsWith('{"type":"joined"') ? { ready: true } : {}),
  refusal(text) {
    if (!text.startsWith('{"type":"error"')) return undefined;
    return `join refused: ${/"code":"([a-z_]+)"/.exec(text)?.[1] ?? 'error'}`;
  },
  readyOnOpen: false,
  // `joined` and `presence` are not messages; anything else (message, error) is looked at.
  isMessage(bytes, start, end) {
    if (end - start <= TYPE_AT || bytes[start] !== OPEN_BRACE) return false;
    const letter = bytes[start + TYPE_AT];
    if (letter !== LETTER_J && letter !== LETTER_P) return true;
    // A j or p there by chance, in a frame of another shape, is still looked at.
    return !hasPrefix(bytes, start, TYPE_PREFIX);
  },
};

function hasPrefix(bytes: Uint8Array, start: number, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[start + i] !== prefix[i]) return false;
  return true;
}

const DIGIT_4 = 0x34;
const DIGIT_2 = 0x32;

/**
 * Engine.IO packets: 0 open, 2 ping, 3 pong, 4 message; a Socket.IO packet rides in a message:
 * 40 connect to "/", 42 event. The server opens with `0{...}`, the client joins the default
 * namespace with `40`, the server confirms with `40{"sid":...}`; the server pings (`2`) every
 * pingInterval and drops a client that does not answer `3`.
 */
export const socketIoDialect: Dialect = {
  name: 'socketio',
  path: () => '/socket.io/?EIO=4&transport=websocket',
  message: (from, text) => `42${JSON.stringify(['message', { from, message: text }])}`,
  control(text) {
    if (text === '2') return { reply: '3' };
    if (text.startsWith('0{')) return { reply: '40' };
    if (text.startsWith('40')) return { ready: true };
    return {};
  },
  readyOnOpen: false,
  isMessage: (bytes, start) => bytes[start] === DIGIT_4 && bytes[start + 1] === DIGIT_2,
};

/**
 * Socket.IO with rooms: the room rides in the handshake query, and the server joins the socket to
 * it before it confirms the connection, so `40{"sid"}` still means ready. A message names its room
 * and the server emits it to that room only.
 */
export const socketIoRoomsDialect: Dialect = {
  ...socketIoDialect,
  name: 'socketio-rooms',
  path: (client) => `${socketIoDialect.path(client)}&room=${roomName(client.room ?? 0)}`,
  message: (from, text, room) => `42${JSON.stringify(['message', { room: roomName(room ?? 0), from, message: text }])}`,
};

export const dialects: Record<DialectName, Dialect> = {
  article: articleDialect,
  socketio: socketIoDialect,
  'chat-rooms': chatRoomsDialect,
  'socketio-rooms': socketIoRoomsDialect,
};
