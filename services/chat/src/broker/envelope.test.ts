import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, envelopeHeader } from './envelope.ts';

describe('envelope', () => {
  it('carries the frame bytes, the id and the accept time unchanged', () => {
    const frame = Buffer.from('{"type":"message","message":"héllo"}');
    const decoded = decodeEnvelope(encodeEnvelope(frame, 1732770000123.456, '1732770000123-7'));
    expect(decoded?.acceptedAt).toBe(1732770000123.456);
    expect(decoded?.id).toBe('1732770000123-7');
    expect(decoded?.frame.equals(frame)).toBe(true);
  });

  it('carries events without an id', () => {
    const decoded = decodeEnvelope(encodeEnvelope(Buffer.from('{}'), 1));
    expect(decoded?.id).toBe('');
    expect(decoded?.frame.toString()).toBe('{}');
  });

  it('has the layout the append script builds: header, id length, id, frame', () => {
    const id = '5-0';
    const built = Buffer.concat([
      envelopeHeader(42.5),
      Buffer.from([id.length]),
      Buffer.from(id),
      Buffer.from('{"a":1}'),
    ]);
    expect(decodeEnvelope(built)).toMatchObject({ acceptedAt: 42.5, id, frame: Buffer.from('{"a":1}') });
  });

  it('refuses what is not an envelope: a bare JSON frame, a version-1 envelope, a short id', () => {
    expect(decodeEnvelope(Buffer.from('{"from":"a","message":"b"}'))).toBeNull();
    expect(decodeEnvelope(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 123]))).toBeNull();
    expect(decodeEnvelope(Buffer.concat([envelopeHeader(1), Buffer.from([50]), Buffer.from('1-0')]))).toBeNull();
  });
});
