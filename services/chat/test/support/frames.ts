/**
 * Reads the frames a server sent the way a client does, with ws's own receiver: for tests that
 * look at raw socket bytes (what one write carried) instead of through a WebSocket client.
 */
import type { EventEmitter } from 'node:events';
import * as ws from 'ws';

// ws's frame parser, which @types/ws does not declare.
const { Receiver } = ws as unknown as {
  Receiver: new (options: { isServer: boolean }) => EventEmitter & { write(chunk: Buffer): void };
};

/** The messages in `bytes`, whole server frames back to back: text as is, binary as '<binary>'. */
export function readServerFrames(bytes: Buffer): string[] {
  const texts: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer, isBinary: boolean) => texts.push(isBinary ? '<binary>' : data.toString()));
  receiver.write(bytes);
  return texts;
}
