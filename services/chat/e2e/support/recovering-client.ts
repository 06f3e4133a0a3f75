/**
 * A client that does what the chat page does to never see a hole: it is in a few rooms, remembers
 * the last message id it has of each, and when its connection drops it reconnects through nginx
 * and rejoins every room with that id as `since`. It sends on a timer, with refs, and keeps every
 * message id it received per room for the drill to compare with the room's history.
 */
import WebSocket from 'ws';
import { compareIds } from '../../src/broker/broker.ts';
import { waitUntil } from '../../test/support/wait.ts';

interface Frame {
  type?: string;
  room?: string;
  id?: string;
  ref?: string;
  position?: string;
  truncated?: boolean;
}

export class RecoveringClient {
  readonly name: string;
  readonly rooms: readonly string[];
  /** Every message id received, per room, in arrival order, across all connections. */
  readonly received = new Map<string, string[]>();
  /** The position of the first join of each room: the client is a member from there on. */
  readonly joinedAt = new Map<string, string>();
  /** Ids of the client's own messages the server acknowledged. */
  readonly acked = new Map<string, string[]>();
  readonly errors: string[] = [];
  connections = 0;
  truncations = 0;
  readonly #url: string;
  readonly #joinedNow = new Set<string>();
  #ws: WebSocket | undefined;
  #stopped = false;
  #sendTimer: NodeJS.Timeout | undefined;
  #seq = 0;

  constructor(name: string, url: string, rooms: readonly string[]) {
    this.name = name;
    this.#url = url;
    this.rooms = rooms;
    for (const room of rooms) {
      this.received.set(room, []);
      this.acked.set(room, []);
    }
  }

  /** Connects and resolves once every room is joined. */
  async start(): Promise<void> {
    this.#connect();
    await waitUntil(`${this.name} to join its rooms`, 10_000, () => this.#joinedNow.size >= this.rooms.length, 20);
  }

  /** Sends a message to one of its rooms every `everyMs`, while connected and joined. */
  chat(everyMs: number): void {
    this.#sendTimer = setInterval(() => {
      const room = this.rooms[this.#seq % this.rooms.length] ?? '';
      if (this.#ws?.readyState !== WebSocket.OPEN || !this.#joinedNow.has(room)) return;
      const n = ++this.#seq;
      this.#ws.send(
        JSON.stringify({ type: 'message', room, from: this.name, message: `${this.name}#${n}`, ref: `${n}` }),
      );
    }, everyMs);
  }

  stopChatting(): void {
    clearInterval(this.#sendTimer);
  }

  get joinedEverywhere(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN && this.#joinedNow.size === this.rooms.length;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.stopChatting();
    this.#ws?.close();
  }

  /** The last id this client has of a room, where it resumes from. */
  #resumeFrom(room: string): string | undefined {
    return this.received.get(room)?.at(-1) ?? this.joinedAt.get(room);
  }

  #connect(): void {
    this.connections++;
    this.#joinedNow.clear();
    const [first, ...others] = this.rooms;
    const since = first === undefined ? undefined : this.#resumeFrom(first);
    const query = new URLSearchParams({
      room: first ?? '',
      name: this.name,
      ...(since === undefined ? {} : { since }),
    });
    const ws = new WebSocket(`${this.#url}?${query}`, { handshakeTimeout: 10_000 });
    this.#ws = ws;
    ws.on('open', () => {
      for (const room of others) {
        const resume = this.#resumeFrom(room);
        ws.send(
          JSON.stringify({ type: 'join', room, name: this.name, ...(resume === undefined ? {} : { since: resume }) }),
        );
      }
    });
    ws.on('message', (data) => this.#onFrame(JSON.parse(data.toString()) as Frame));
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.#ws !== ws || this.#stopped) return;
      this.#joinedNow.clear();
      // Like the page: back off a little, with jitter, then rejoin from where it was.
      setTimeout(() => this.#connect(), 50 + Math.random() * 250);
    });
  }

  #onFrame(frame: Frame): void {
    const room = frame.room ?? '';
    switch (frame.type) {
      case 'joined':
        this.#joinedNow.add(room);
        if (!this.joinedAt.has(room)) this.joinedAt.set(room, frame.position ?? '0-0');
        if (frame.truncated) this.truncations++;
        return;
      case 'message': {
        const ids = this.received.get(room);
        const id = frame.id ?? '';
        if (ids === undefined) return;
        // Kept as received: the drill checks order and duplicates itself.
        ids.push(id);
        return;
      }
      case 'ack':
        this.acked.get(room)?.push(frame.id ?? '');
        return;
      case 'error':
        this.errors.push(JSON.stringify(frame));
        return;
    }
  }
}

/** Compares what a client received in a room with the room's history after its first join. */
export function compareWithHistory(received: readonly string[], history: readonly string[]) {
  const sortedOk = received.every((id, i) => i === 0 || compareIds(id, received[i - 1] ?? '') > 0);
  const have = new Set(received);
  const expected = new Set(history);
  return {
    inOrder: sortedOk,
    duplicates: received.length - have.size,
    missing: history.filter((id) => !have.has(id)).length,
    unexpected: received.filter((id) => !expected.has(id)).length,
  };
}
