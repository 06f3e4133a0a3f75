/**
 * A WebSocket peer at the TCP level, for misbehaving on purpose: it completes the handshake and
 * then never answers pings, or never reads at all. A ws client would do both correctly.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

export interface RawPeer {
  socket: Socket;
  /** Resolves when the server ends or destroys the connection. */
  ended: Promise<void>;
}

/** Opens /ws with a hand-written upgrade request and resolves after the 101 response. */
export async function rawUpgrade(port: number, options: { read?: boolean } = {}): Promise<RawPeer> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  socket.write(
    [
      'GET /ws HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  let head = '';
  while (!head.includes('\r\n\r\n')) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    head += chunk.toString('latin1');
  }
  if (!head.startsWith('HTTP/1.1 101')) throw new Error(`upgrade refused: ${head.split('\r\n')[0]}`);
  if (options.read === false)
    socket.pause(); // stop reading: the kernel buffers fill, then ws's
  else socket.on('data', () => {}); // read and ignore everything, pings included
  return { socket, ended };
}
