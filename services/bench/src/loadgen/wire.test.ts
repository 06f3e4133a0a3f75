import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { clientFrame, FrameParser, Opcode, upgradeRequest } from './wire.ts';

/** An unmasked server frame, as a server writes it. */
function serverFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const header = n < 126 ? Buffer.from([0x80 | opcode, n]) : Buffer.alloc(n < 65_536 ? 4 : 10);
  if (n >= 126 && n < 65_536) {
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(n, 2);
  } else if (n >= 65_536) {
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([header, payload]);
}

function collect() {
  const frames: { opcode: number; text: string }[] = [];
  const errors: string[] = [];
  const parser = new FrameParser({
    frame: (opcode, bytes, start, end) => frames.push({ opcode, text: bytes.toString('utf8', start, end) }),
    error: (message) => errors.push(message),
  });
  return { frames, errors, parser };
}

describe('FrameParser', () => {
  it('splits several frames in one chunk and joins frames split across chunks, at every cut', () => {
    const payloads = ['a', 'x'.repeat(125), 'y'.repeat(126), 'z'.repeat(70_000), '{"message":"hi"}'];
    const stream = Buffer.concat([
      ...payloads.map((p) => serverFrame(Opcode.text, Buffer.from(p))),
      serverFrame(Opcode.ping, Buffer.from('p')),
    ]);
    for (const cut of [1, 2, 3, 5, 130, 200, 70_000, stream.length - 1]) {
      const { frames, errors, parser } = collect();
      parser.push(stream.subarray(0, cut));
      parser.push(stream.subarray(cut));
      expect(errors).toEqual([]);
      expect(frames.map((f) => f.text)).toEqual([...payloads, 'p']);
      expect(frames.at(-1)?.opcode).toBe(Opcode.ping);
    }
  });

  it('refuses masked and fragmented server frames', () => {
    const { errors, parser } = collect();
    parser.push(clientFrame(Opcode.text, Buffer.from('masked')));
    expect(errors).toEqual(['server sent a masked frame']);
    const second = collect();
    second.parser.push(Buffer.from([Opcode.text, 1, 0x41]));
    expect(second.errors).toEqual(['server sent a fragmented message']);
  });
});

describe('upgradeRequest and clientFrame', () => {
  it('are what a real WebSocket server accepts and reads', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const received: string[] = [];
    const texts = ['hi', 'x'.repeat(300), 'y'.repeat(70_000)];
    const done = new Promise<void>((resolve) => {
      server.on('connection', (ws) => {
        ws.on('message', (data: Buffer) => {
          received.push(data.toString());
          if (received.length === texts.length) resolve();
        });
      });
    });
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    socket.write(upgradeRequest('127.0.0.1', port, '/'));
    const [head] = (await once(socket, 'data')) as [Buffer];
    expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    socket.write(Buffer.concat(texts.map((t) => clientFrame(Opcode.text, Buffer.from(t)))));
    await done;
    expect(received).toEqual(texts);
    socket.destroy();
    server.close();
  });
});
