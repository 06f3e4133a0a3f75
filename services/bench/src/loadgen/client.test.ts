/**
 * A bench client against a real WebSocket server (ws, on loopback): what it does with the answer
 * to its join.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { BenchClient } from './client.ts';
import { chatRoomsDialect } from './dialects.ts';

const handlers = { message: () => {}, closed: () => {} };
let server: WebSocketServer | undefined;

afterEach(async () => {
  for (const socket of server?.clients ?? []) socket.terminate();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server that answers every connection with `frame`, and its port. */
async function answering(frame: string): Promise<number> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket) => socket.send(frame));
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('BenchClient', () => {
  it('fails at once with the reason when the server refuses its join', async () => {
    const port = await answering('{"type":"error","code":"broker_unavailable","message":"try again","room":"bench-0"}');
    const client = new BenchClient(0, chatRoomsDialect, handlers);
    // Its own timeout is far beyond the test's: only the refusal can end this in time.
    await expect(client.open({ host: '127.0.0.1', port, room: 0 }, 600_000)).rejects.toThrow(
      'join refused: broker_unavailable',
    );
    expect(client.state).toBe('closed');
  });

  it('is ready once its join is answered', async () => {
    const port = await answering('{"type":"joined","room":"bench-0","position":"0-0","history":0,"truncated":false}');
    const client = new BenchClient(0, chatRoomsDialect, handlers);
    await client.open({ host: '127.0.0.1', port, room: 0 }, 10_000);
    expect(client.state).toBe('open');
    client.destroy();
  });
});
