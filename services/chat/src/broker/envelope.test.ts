import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from './envelope.ts';

describe('envelope', () => {
  it('carries the payload bytes and the accept time unchanged', () => {
    const payload = Buffer.from('{"type":"message","message":"héllo"}');
    const decoded = decodeEnvelope(encodeEnvelope(payload, 1732770000123.456));
    expect(decoded?.acceptedAt).toBe(1732770000123.456);
    expect(decoded?.payload.equals(payload)).toBe(true);
  });

  it('refuses what is not an envelope, such as a bare JSON frame', () => {
    expect(decodeEnvelope(Buffer.from('{"from":"a","message":"b"}'))).toBeNull();
    expect(decodeEnvelope(Buffer.from([1, 2]))).toBeNull();
  });
});
