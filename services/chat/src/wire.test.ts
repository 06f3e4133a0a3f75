import { describe, expect, it } from 'vitest';
import { readServerFrames as receive } from '../test/support/frames.ts';
import { textFrame } from './wire.ts';

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
