import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ROOM,
  encodeAck,
  encodeError,
  encodeJoined,
  encodeMessageParts,
  encodePresence,
  encodePresenceEvent,
  MAX_NAME_CHARS,
  parseClientFrame,
} from './protocol.ts';

describe('parseClientFrame: messages', () => {
  it("accepts the article's untyped frame, for the default room", () => {
    expect(parseClientFrame('{"from":"alice","message":"hi"}')).toEqual({
      ok: true,
      type: 'message',
      typed: false,
      message: { room: DEFAULT_ROOM, from: 'alice', message: 'hi' },
    });
  });

  it('accepts a typed message frame with a room and a ref, and ignores unknown fields', () => {
    expect(parseClientFrame('{"type":"message","room":"r1","from":"a","message":"b","ref":"x","extra":[1]}')).toEqual({
      ok: true,
      type: 'message',
      typed: true,
      message: { room: 'r1', from: 'a', message: 'b', ref: 'x' },
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
    ['{"type":"shout","from":"a","message":"b"}', 'unknown_type'],
    ['{"type":"message","room":7,"from":"a","message":"b"}', 'invalid_room'],
    ['{"type":"message","room":"a b","from":"a","message":"b"}', 'invalid_room'],
    ['{"type":"message","room":"","from":"a","message":"b"}', 'invalid_room'],
    [`{"type":"message","room":"${'r'.repeat(65)}","from":"a","message":"b"}`, 'invalid_room'],
    [`{"from":"${'x'.repeat(MAX_NAME_CHARS + 1)}","message":"b"}`, 'from_too_long'],
  ])('refuses %s with %s', (text, code) => {
    const result = parseClientFrame(text);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.code).toBe(code);
  });

  it('counts characters, not UTF-16 units, for the name limit', () => {
    const emoji = '😀'.repeat(MAX_NAME_CHARS); // 128 UTF-16 units, 64 characters
    expect(parseClientFrame(JSON.stringify({ from: emoji, message: 'hi' })).ok).toBe(true);
    expect(parseClientFrame(JSON.stringify({ from: `${emoji}😀`, message: 'hi' })).ok).toBe(false);
  });

  it('keeps the ref and room on errors found after they were read', () => {
    expect(parseClientFrame('{"type":"message","room":"r","from":"a","message":"","ref":"r9"}')).toMatchObject({
      ok: false,
      ref: 'r9',
      room: 'r',
    });
  });

  it('sends a typed message without a room to the default room, as before rooms existed', () => {
    expect(parseClientFrame('{"type":"message","from":"a","message":"b"}')).toMatchObject({
      ok: true,
      message: { room: DEFAULT_ROOM },
    });
  });

  it('allows an empty name, as the article does', () => {
    expect(parseClientFrame('{"from":"","message":"hi"}').ok).toBe(true);
  });
});

describe('parseClientFrame: join and leave', () => {
  it('accepts a join with since, history and name', () => {
    expect(parseClientFrame('{"type":"join","room":"r","since":"1732770000123-4","name":"al","ref":"j"}')).toEqual({
      ok: true,
      type: 'join',
      join: { room: 'r', since: '1732770000123-4', name: 'al', ref: 'j' },
    });
    expect(parseClientFrame('{"type":"join","room":"r","history":50}')).toEqual({
      ok: true,
      type: 'join',
      join: { room: 'r', history: 50 },
    });
  });

  it('accepts a join in or out of presence', () => {
    for (const presence of [false, true]) {
      expect(parseClientFrame(JSON.stringify({ type: 'join', room: 'r', presence }))).toEqual({
        ok: true,
        type: 'join',
        join: { room: 'r', presence },
      });
    }
  });

  it('accepts a leave', () => {
    expect(parseClientFrame('{"type":"leave","room":"r"}')).toEqual({ ok: true, type: 'leave', leave: { room: 'r' } });
  });

  it.each([
    ['{"type":"join"}', 'invalid_room'],
    ['{"type":"join","room":"a/b"}', 'invalid_room'],
    ['{"type":"join","room":"r","since":"yesterday"}', 'invalid_frame'],
    ['{"type":"join","room":"r","since":1732770000123}', 'invalid_frame'],
    ['{"type":"join","room":"r","history":-1}', 'invalid_frame'],
    ['{"type":"join","room":"r","history":2.5}', 'invalid_frame'],
    [`{"type":"join","room":"r","name":"${'n'.repeat(65)}"}`, 'invalid_frame'],
    ['{"type":"join","room":"r","presence":"no"}', 'invalid_frame'],
    ['{"type":"join","room":"r","presence":0}', 'invalid_frame'],
    ['{"type":"leave","room":7}', 'invalid_room'],
  ])('refuses %s with %s', (text, code) => {
    const result = parseClientFrame(text);
    expect(result.ok === false && result.code).toBe(code);
  });
});

describe('encoders', () => {
  it('build a message frame around the id that round-trips, hostile text kept as text', () => {
    const text = '<img src=x onerror=alert(1)> "quoted" \\ \u2028 \ud800';
    const parts = encodeMessageParts(1700000000123, { room: 'r-1', from: 'a"b', message: text });
    const frame = JSON.parse(`${parts.head}1700000000123-0${parts.body}`);
    expect(frame).toEqual({
      type: 'message',
      room: 'r-1',
      id: '1700000000123-0',
      ts: 1700000000123,
      from: 'a"b',
      message: text,
    });
    expect(Object.keys(frame)).toEqual(['type', 'room', 'id', 'ts', 'from', 'message']);
  });

  it('do not echo fields the client added', () => {
    const parsed = parseClientFrame('{"from":"a","message":"b","admin":true,"id":"forged","ts":1}');
    if (!parsed.ok || parsed.type !== 'message') throw new Error('expected a valid message');
    const parts = encodeMessageParts(2, parsed.message);
    expect(JSON.parse(`${parts.head}9-9${parts.body}`)).toEqual({
      type: 'message',
      room: DEFAULT_ROOM,
      id: '9-9',
      ts: 2,
      from: 'a',
      message: 'b',
    });
  });

  it('encode the control frames', () => {
    expect(JSON.parse(encodeAck('r1', 'g', '5-0', 5))).toEqual({ type: 'ack', ref: 'r1', room: 'g', id: '5-0', ts: 5 });
    expect(JSON.parse(encodeError('rate_limited', 'slow down'))).toEqual({
      type: 'error',
      code: 'rate_limited',
      message: 'slow down',
    });
    expect(JSON.parse(encodeJoined('g', { position: '7-0', history: 2, truncated: false }, 'j'))).toEqual({
      type: 'joined',
      room: 'g',
      position: '7-0',
      history: 2,
      truncated: false,
      ref: 'j',
    });
    expect(JSON.parse(encodePresence('g', [{ id: 'c1', name: 'al' }]))).toEqual({
      type: 'presence',
      room: 'g',
      members: [{ id: 'c1', name: 'al' }],
    });
    expect(JSON.parse(encodePresenceEvent('g', 'leave', { id: 'c1', name: 'al' }))).toEqual({
      type: 'presence',
      room: 'g',
      event: 'leave',
      member: { id: 'c1', name: 'al' },
    });
  });
});
