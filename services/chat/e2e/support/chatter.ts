/**
 * A chat client for fault drills: it reconnects by itself through nginx whenever its connection
 * ends (as the page does), sends numbered messages with a `ref`, and records everything needed to
 * account for each message afterwards: its sessions (which replica, open from when to when), what
 * it sent and how the server answered (ack, error, or nothing), and what it received when.
 * Times are Date.now(), the clock of the replicas' log lines too.
 */
import WebSocket from 'ws';

export interface Session {
  replica: string;
  openedAt: number;
  closedAt?: number;
  closeCode?: number;
}

export interface SentMessage {
  sender: string;
  text: string;
  ref: string;
  sentAt: number;
  ackAt?: number;
  /** Error code when the server refused it (e.g. broker_unavailable). */
  error?: string;
}

export interface ChatterOptions {
  /** Wait before reconnecting, chosen at random in [min, max] ms (jitter, as the page does). */
  reconnectDelayMs?: readonly [number, number];
  /** Connection attempts after which it gives up: keeps a broken drill from looping forever. */
  maxAttempts?: number;
}

export class Chatter {
  readonly name: string;
  readonly url: string;
  readonly sessions: Session[] = [];
  readonly sent: SentMessage[] = [];
  /** First arrival of each message text. */
  readonly received = new Map<string, number>();
  /** Message texts in arrival order (to check per-sender order). */
  readonly arrivals: string[] = [];
  duplicates = 0;
  /** Handshakes that failed (refused with an HTTP status, reset, timed out). */
  readonly failedAttempts: string[] = [];
  readonly #options: Required<ChatterOptions>;
  readonly #byRef = new Map<string, SentMessage>();
  #ws: WebSocket | undefined;
  #attempts = 0;
  #seq = 0;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(name: string, url: string, options: ChatterOptions = {}) {
    this.name = name;
    this.url = url;
    this.#options = { reconnectDelayMs: [50, 250], maxAttempts: 200, ...options };
  }

  /** Connects for the first time; resolves once open. */
  async start(timeoutMs = 30_000): Promise<void> {
    this.#connect();
    const deadline = Date.now() + timeoutMs;
    while (!this.isOpen) {
      if (Date.now() > deadline || this.#attempts >= this.#options.maxAttempts) {
        throw new Error(`${this.name} did not connect: ${this.failedAttempts.join('; ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  get isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  get current(): Session | undefined {
    return this.sessions.at(-1);
  }

  /** Sends the next numbered message if connected; returns it, or undefined when not connected. */
  send(): SentMessage | undefined {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN) return undefined;
    const seq = ++this.#seq;
    const message: SentMessage = { sender: this.name, text: `${this.name}#${seq}`, ref: `${seq}`, sentAt: Date.now() };
    ws.send(JSON.stringify({ type: 'message', from: this.name, message: message.text, ref: message.ref }));
    this.sent.push(message);
    this.#byRef.set(message.ref, message);
    return message;
  }

  /** Ends for good: no more reconnects; resolves when the socket is closed (or destroyed after 2 s). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const ws = this.#ws;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.close();
    const timer = setTimeout(() => ws.terminate(), 2_000);
    await closed;
    clearTimeout(timer);
  }

  #connect(): void {
    if (this.#stopped || this.#attempts >= this.#options.maxAttempts) return;
    this.#attempts++;
    const ws = new WebSocket(this.url, { handshakeTimeout: 10_000, perMessageDeflate: false });
    this.#ws = ws;
    let replica = '?';
    let session: Session | undefined;
    ws.on('upgrade', (response) => {
      replica = String(response.headers['x-chat-replica'] ?? '?');
    });
    ws.on('open', () => {
      session = { replica, openedAt: Date.now() };
      this.sessions.push(session);
    });
    let failure: string | undefined;
    ws.on('unexpected-response', (_request, response) => {
      failure = `HTTP ${response.statusCode}`;
      this.failedAttempts.push(failure);
      ws.terminate(); // which also reports an error, already counted
    });
    ws.on('error', (error) => {
      if (session === undefined && failure === undefined) {
        failure = error.message;
        this.failedAttempts.push(failure);
      }
    });
    ws.on('message', (data) => this.#onFrame(data.toString()));
    ws.on('close', (code) => {
      if (session !== undefined) {
        session.closedAt = Date.now();
        session.closeCode = code;
      }
      if (this.#stopped) return;
      const [min, max] = this.#options.reconnectDelayMs;
      this.#timer = setTimeout(() => this.#connect(), min + Math.random() * (max - min));
    });
  }

  #onFrame(text: string): void {
    const frame = JSON.parse(text) as { type?: string; message?: string; ref?: string; code?: string };
    if (frame.type === 'message' && frame.message !== undefined) {
      if (this.received.has(frame.message)) this.duplicates++;
      else this.received.set(frame.message, Date.now());
      this.arrivals.push(frame.message);
      return;
    }
    const sent = frame.ref === undefined ? undefined : this.#byRef.get(frame.ref);
    if (sent === undefined) return;
    if (frame.type === 'ack') sent.ackAt = Date.now();
    else if (frame.type === 'error') sent.error = frame.code;
  }
}

/** Every `intervalMs`, each chatter sends a message if it is connected; returns a stop function. */
export function keepChatting(chatters: readonly Chatter[], intervalMs: number): () => void {
  // Staggered starts, so the messages do not all leave in the same millisecond.
  const timers = chatters.map((chatter, i) => {
    const start = setTimeout(
      () => {
        chatter.send();
        timers[i] = setInterval(() => chatter.send(), intervalMs);
      },
      (intervalMs * i) / chatters.length,
    );
    return start;
  });
  return () => {
    for (const timer of timers) clearTimeout(timer); // in Node, clearTimeout clears intervals too
  };
}
