/**
 * A WebSocket client for tests: records every frame and the close, and waits for them with
 * bounded timeouts. Every client opened is ended by `endAllClients`, as replicas are by
 * `stopAllReplicas`, so a test file need not keep its own list.
 */
import WebSocket from 'ws';
import { waitUntil } from './wait.ts';

export interface Frame {
  type?: string;
  id?: string;
  ts?: number;
  from?: string;
  message?: string;
  code?: string;
  ref?: string;
  [field: string]: unknown;
}

export interface Close {
  code: number;
  reason: string;
}

const opened = new Set<TestClient>();

export class TestClient {
  readonly ws: WebSocket;
  /** Every text frame received, parsed, in order. */
  readonly frames: Frame[] = [];
  /** The raw text of every frame, in order. */
  readonly raw: string[] = [];
  close: Close | undefined;
  readonly closed: Promise<Close>;
  /** Headers of the server's 101 response, e.g. x-chat-replica: which replica took the socket. */
  upgradeHeaders: Record<string, string | string[] | undefined> = {};

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.once('upgrade', (response) => {
      this.upgradeHeaders = response.headers;
    });
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? `<binary ${(data as Buffer).length} bytes>` : data.toString();
      this.raw.push(text);
      try {
        this.frames.push(JSON.parse(text) as Frame);
      } catch {
        this.frames.push({ type: '<unparsable>', message: text });
      }
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.close = { code, reason: reason.toString() };
        resolve(this.close);
      });
    });
    ws.on('error', () => {}); // a failed socket also emits 'close', which is what tests look at
  }

  /** Opens a connection; rejects if the upgrade is refused (the error names the HTTP status). */
  static connect(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: 5_000, ...options });
      const client = new TestClient(ws);
      ws.once('open', () => {
        opened.add(client);
        resolve(client);
      });
      ws.once('unexpected-response', (_request, response) => {
        // The refusal's body says why; 'close' comes after its end, or when the socket drops.
        const body: Buffer[] = [];
        response.on('data', (chunk: Buffer) => body.push(chunk));
        response.once('close', () => {
          reject(new UpgradeRefused(response.statusCode ?? 0, Buffer.concat(body).toString()));
          ws.terminate();
        });
      });
      ws.once('error', reject);
    });
  }

  /** The replica that accepted this connection (its X-Chat-Replica header). */
  get replica(): string {
    return String(this.upgradeHeaders['x-chat-replica'] ?? '');
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends an object as JSON, or a string as it is. */
  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Chat messages (type "message") received so far. */
  messages(): Frame[] {
    return this.frames.filter((frame) => frame.type === 'message');
  }

  /** Waits for the first frame, counting from index `after`, that matches `predicate`. */
  async waitFor(predicate: (frame: Frame) => boolean, timeoutMs = 5_000, after = 0): Promise<Frame> {
    let found: Frame | undefined;
    await waitUntil(
      'a matching frame',
      timeoutMs,
      () => {
        found = this.frames.slice(after).find(predicate);
        return found !== undefined;
      },
      10,
    );
    return found as Frame;
  }

  /** Waits for the answer to joining `room`, whether the upgrade's query or a join frame asked. */
  waitForJoined(room: string, timeoutMs?: number): Promise<Frame> {
    return this.waitFor((frame) => frame.type === 'joined' && frame.room === room, timeoutMs);
  }

  /** Waits until at least `count` chat messages have arrived. */
  async waitForMessages(count: number, timeoutMs = 10_000): Promise<Frame[]> {
    await waitUntil(
      `${count} messages (have ${this.messages().length})`,
      timeoutMs,
      () => this.messages().length >= count,
      10,
    );
    return this.messages();
  }

  /** Waits for the server to close the connection, up to `timeoutMs`. */
  async waitForClose(timeoutMs = 5_000): Promise<Close> {
    await waitUntil('the connection to close', timeoutMs, () => this.close !== undefined, 10);
    return this.close as Close;
  }

  /** Client-side close; resolves once closed (or destroyed after 2 s). */
  async end(): Promise<void> {
    if (this.close !== undefined) return;
    this.ws.close();
    const timer = setTimeout(() => this.ws.terminate(), 2_000);
    await this.closed;
    clearTimeout(timer);
  }
}

export class UpgradeRefused extends Error {
  readonly status: number;
  /** The response's body, as the server sent it. */
  readonly body: string;
  constructor(status: number, body: string) {
    super(`WebSocket upgrade refused with HTTP ${status}: ${body}`);
    this.status = status;
    this.body = body;
  }
}

/**
 * How an upgrade to `url` is answered: 101 (the client is closed again) with no body when it is
 * taken, else the refusal's status and body.
 */
export async function upgradeAnswer(
  url: string,
  options: WebSocket.ClientOptions = {},
): Promise<{ status: number; body: string }> {
  try {
    await (await TestClient.connect(url, options)).end();
    return { status: 101, body: '' };
  } catch (error) {
    if (error instanceof UpgradeRefused) return { status: error.status, body: error.body };
    throw error;
  }
}

/** The HTTP status an upgrade to `url` gets (upgradeAnswer's, for tests that need no more). */
export async function upgradeStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return (await upgradeAnswer(url, options)).status;
}

/** Test teardown: ends every client this file opened that is still open. */
export async function endAllClients(): Promise<void> {
  await Promise.all([...opened].map((client) => client.end()));
  opened.clear();
}
