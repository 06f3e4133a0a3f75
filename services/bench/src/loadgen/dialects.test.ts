import { describe, expect, it } from 'vitest';
import { chatRoomsDialect, socketIoRoomsDialect } from './dialects.ts';

const frame = (text: string) => Buffer.from(`xx${text}`);

describe('chatRoomsDialect', () => {
  const looksAt = (text: string) => chatRoomsDialect.isMessage(frame(text), 2, text.length + 2);

  it('passes message and error frames on, and skips joined and presence by their first bytes', () => {
    expect(looksAt('{"type":"message","room":"bench-3","id":"1-0","ts":1,"from":"b3","message":"#1.3.0.5#"}')).toBe(
      true,
    );
    expect(looksAt('{"type":"error","code":"not_in_room","message":"join first","room":"bench-3"}')).toBe(true);
    expect(looksAt('{"type":"joined","room":"bench-3","position":"0-0","history":0,"truncated":false}')).toBe(false);
    expect(looksAt('{"type":"presence","room":"bench-3","members":[{"id":"a","name":"c3"}]}')).toBe(false);
    expect(looksAt('{"type":"presence","room":"bench-3","event":"join","member":{"id":"b","name":"c9"}}')).toBe(false);
    // Another shape with a p at that place is not taken for presence.
    expect(looksAt('{"from":"ab","message":"#1.3.0.5#"}')).toBe(true);
  });

  it('is ready on joined, and joins and talks in its room', () => {
    expect(chatRoomsDialect.control('{"type":"joined","room":"bench-3"}')).toEqual({ ready: true });
    expect(chatRoomsDialect.control('{"type":"presence","room":"bench-3","members":[]}')).toEqual({});
    const refused = '{"type":"error","code":"broker_unavailable","message":"could not join","room":"bench-3"}';
    expect(chatRoomsDialect.refusal?.(refused)).toBe('join refused: broker_unavailable');
    expect(chatRoomsDialect.refusal?.('{"type":"joined","room":"bench-3"}')).toBeUndefined();
    expect(chatRoomsDialect.path({ room: 3, name: 'c17' })).toBe('/ws?room=bench-3&name=c17');
    expect(chatRoomsDialect.path({ room: 0, name: 's1', presence: false })).toBe('/ws?room=bench-0&name=s1&presence=0');
    expect(JSON.parse(chatRoomsDialect.message('b3', 'hi', 3))).toEqual({
      type: 'message',
      room: 'bench-3',
      from: 'b3',
      message: 'hi',
    });
  });
});

describe('socketIoRoomsDialect', () => {
  it('names its room in the handshake and in every message', () => {
    expect(socketIoRoomsDialect.path({ room: 4 })).toBe('/socket.io/?EIO=4&transport=websocket&room=bench-4');
    expect(socketIoRoomsDialect.message('b4', 'hi', 4)).toBe(
      '42["message",{"room":"bench-4","from":"b4","message":"hi"}]',
    );
    const event = Buffer.from('42["message",{"room":"bench-4","from":"b4","message":"hi"}]');
    expect(socketIoRoomsDialect.isMessage(event, 0, event.length)).toBe(true);
  });
});
