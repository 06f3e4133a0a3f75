import type { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { textFrame } from './wire.ts';

// ws's frame parser, which @types/ws does not declare: what a real client reads frames with.
const { Receiver } = ws as unknown as {
  Receiver: new (options: { isServer: boolean }) => EventEmitter & { write(chunk: Buffer): void };
};

/** Parses frames the way a client does, with ws's own receiver. */
function receive(bytes: Buffer): string[] {
  const texts: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer, isBinary: boolean) => texts.push(isBinary ? '<binary>' : data.toString()));
  receiver.write(bytes);
  return texts;
}

describe('textFrame', () => {
  it.each([0, 1, 125, 126, 65_535, 65_536, 200_000])(
    'frames a %i-byte payload that a client reads back intact',
    (size) => {
      const payload = Buffer.from('é'.repeat(Math.floor(size / 2)) + 'x'.repeat(size % 2));
      expect(payload.length).toBe(size);
      expect(receive(textFrame(payload))).toEqual([payload.toString()]);
    },
  );

  it('frames back to back read as separate messages (the batched write)', () => {
    const frames = ['{"a":1}', 'x'.repeat(300), '{"b":2}'].map((text) => textFrame(Buffer.from(text)));
    expect(receive(Buffer.concat(frames))).toEqual(['{"a":1}', 'x'.repeat(300), '{"b":2}']);
  });
});
