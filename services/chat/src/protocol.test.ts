import { describe, expect, it } from 'vitest';
import { encodeAck, encodeError, encodeMessage, MAX_FROM_CHARS, parseClientFrame } from './protocol.ts';

describe('parseClientFrame', () => {
  it("accepts the article's untyped frame", () => {
    expect(parseClientFrame('{"from":"alice","message":"hi"}')).toEqual({
      ok: true,
      message: { from: 'alice', message: 'hi' },
    });
  });

  it('accepts a typed message frame with a ref and ignores unknown fields', () => {
    expect(parseClientFrame('{"type":"message","from":"a","message":"b","ref":"r1","extra":[1]}')).toEqual({
      ok: true,
      message: { from: 'a', message: 'b', ref: 'r1' },
    });
  });

  it.each([
    ['not json', 'invalid_json'],
    ['{"from":"a","message":"b"', 'invalid_json'],
    ['[]', 'invalid_frame'],
    ['42', 'invalid_frame'],
    ['null', 'invalid_frame'],
    ['"text"', 'invalid_frame'],
    ['{}', 'invalid_frame'],
    ['{"from":"a"}', 'invalid_frame'],
    ['{"message":"b"}', 'invalid_frame'],
    ['{"from":1,"message":"b"}', 'invalid_frame'],
    ['{"from":"a","message":{"text":"b"}}', 'invalid_frame'],
    ['{"from":"a","message":"b","ref":7}', 'invalid_frame'],
    ['{"from":"a","message":""}', 'empty_message'],
    ['{"from":"a","message":" \\n\\t "}', 'empty_message'],
    ['{"type":"join","from":"a","message":"b"}', 'unknown_type'],
    [`{"from":"${'x'.repeat(MAX_FROM_CHARS + 1)}","message":"b"}`, 'from_too_long'],
  ])('refuses %s with %s', (text, code) => {
    const result = parseClientFrame(text);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.code).toBe(code);
  });

  it('counts characters, not UTF-16 units, for the name limit', () => {
    const emoji = '😀'.repeat(MAX_FROM_CHARS); // 128 UTF-16 units, 64 characters
    expect(parseClientFrame(JSON.stringify({ from: emoji, message: 'hi' })).ok).toBe(true);
    expect(parseClientFrame(JSON.stringify({ from: `${emoji}😀`, message: 'hi' })).ok).toBe(false);
  });

  it('keeps the ref on errors found after the ref was read', () => {
    expect(parseClientFrame('{"from":"a","message":"","ref":"r9"}')).toMatchObject({ ok: false, ref: 'r9' });
  });

  it('allows an empty name, as the article does', () => {
    expect(parseClientFrame('{"from":"","message":"hi"}').ok).toBe(true);
  });
});

describe('encoders', () => {
  it('produce JSON that round-trips, with hostile text kept as text', () => {
    const text = '<img src=x onerror=alert(1)> "quoted" \\ \u2028 \ud800';
    const frame = JSON.parse(encodeMessage('id-1', 1700000000123, { from: 'a"b', message: text }));
    expect(frame).toEqual({ type: 'message', id: 'id-1', ts: 1700000000123, from: 'a"b', message: text });
    expect(JSON.parse(encodeAck('r1', 'id-1', 5))).toEqual({ type: 'ack', ref: 'r1', id: 'id-1', ts: 5 });
    expect(JSON.parse(encodeError('rate_limited', 'slow down'))).toEqual({
      type: 'error',
      code: 'rate_limited',
      message: 'slow down',
    });
  });

  it('does not echo fields the client added', () => {
    const parsed = parseClientFrame('{"from":"a","message":"b","admin":true,"id":"forged","ts":1}');
    if (!parsed.ok) throw new Error('expected a valid frame');
    expect(Object.keys(JSON.parse(encodeMessage('real', 2, parsed.message)))).toEqual([
      'type',
      'id',
      'ts',
      'from',
      'message',
    ]);
  });
});
