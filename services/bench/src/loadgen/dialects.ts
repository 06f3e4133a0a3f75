/**
 * How each system under test wants a chat message said. Chat, the article's port, the article's Go
 * program and the floor all take the article's frame `{"from","message"}` on /ws; Socket.IO speaks
 * Engine.IO 4 + Socket.IO 5 over its own path, with a handshake and its own heartbeat. The load
 * generator sends the same marker text through every dialect.
 */

export type DialectName = 'article' | 'socketio';

export interface Dialect {
  readonly name: DialectName;
  /** Request path of the WebSocket upgrade. */
  readonly path: string;
  /** The frame text that carries one chat message. */
  message(from: string, text: string): string;
  /**
   * A control text frame from the server (anything that is not a chat message). Returns what to
   * answer (or undefined), and whether the connection is now ready for chat.
   */
  control(text: string): { reply?: string; ready?: boolean };
  /** True when the connection is ready as soon as the upgrade succeeds. */
  readonly readyOnOpen: boolean;
  /** Cheap check on the first byte(s) of a text frame: might it be a chat message? */
  isMessage(first: number, second: number): boolean;
}

const OPEN_BRACE = 0x7b;

export const articleDialect: Dialect = {
  name: 'article',
  path: '/ws',
  message: (from, text) => JSON.stringify({ from, message: text }),
  control: () => ({}),
  readyOnOpen: true,
  // The floor echoes the client's frame as is; the others send one JSON object per message.
  isMessage: (first) => first === OPEN_BRACE,
};

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
  path: '/socket.io/?EIO=4&transport=websocket',
  message: (from, text) => `42${JSON.stringify(['message', { from, message: text }])}`,
  control(text) {
    if (text === '2') return { reply: '3' };
    if (text.startsWith('0{')) return { reply: '40' };
    if (text.startsWith('40')) return { ready: true };
    return {};
  },
  readyOnOpen: false,
  isMessage: (first, second) => first === DIGIT_4 && second === DIGIT_2,
};

export const dialects: Record<DialectName, Dialect> = { article: articleDialect, socketio: socketIoDialect };
