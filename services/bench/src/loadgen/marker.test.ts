import { describe, expect, it } from 'vitest';
import { encodeMarker, monoUs, parsed, parseMarker } from './marker.ts';

const bytes = (text: string) => Buffer.from(text);

describe('parseMarker', () => {
  it('finds the marker inside any frame format', () => {
    const marker = encodeMarker(3, 7, 12_345, 98_765_432_101.6);
    for (const frame of [
      `{"type":"message","id":"k3x9-1f","ts":1732770000123,"from":"b7","message":"${marker}"}`,
      `42["message",{"from":"b7","message":"${marker}"}]`,
      marker,
    ]) {
      const b = bytes(frame);
      expect(parseMarker(b, 0, b.length)).toBe(true);
      expect(parsed).toEqual({ run: 3, sender: 7, seq: 12_345, sentUs: 98_765_432_102 });
    }
  });

  it('respects the bounds it is given', () => {
    const b = bytes(`xx${encodeMarker(1, 2, 3, 4)}yy`);
    expect(parseMarker(b, 2, b.length - 2)).toBe(true);
    expect(parseMarker(b, 2, b.length - 3)).toBe(false);
  });

  it('rejects frames without a well-formed marker', () => {
    for (const text of ['2', '40{"sid":"x"}', '{"from":"a","message":"hi"}', '#1.2.3#', '#1.2.x.4#', '#...#']) {
      const b = bytes(text);
      expect(parseMarker(b, 0, b.length)).toBe(false);
    }
  });
});

describe('monoUs', () => {
  it('moves forward in microseconds', async () => {
    const before = monoUs();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const elapsed = monoUs() - before;
    expect(elapsed).toBeGreaterThan(15_000);
    expect(elapsed).toBeLessThan(5_000_000);
  });
});
