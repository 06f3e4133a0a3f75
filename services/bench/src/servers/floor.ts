/**
 * The floor: the least a Node process can do per delivery. A bare `ws` server, one process, no
 * Redis, no JSON, no validation: each client frame's payload is framed once as a WebSocket text
 * frame (by the chat's own textFrame, so both pay the same for it) and that one Buffer is written
 * to every socket (one write per delivery, nothing else).
 * It is not a chat anyone could run (one process, no fan-out across replicas); it gives the scale
 * against which the per-delivery cost of the real systems is read.
 *
 * Environment: PORT.
 */
import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { textFrame } from '../../../chat/src/wire.ts';

const sockets = new Set<Duplex>();
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });

const server = createServer((_request, response) => response.writeHead(426).end());
server.on('upgrade', (request, socket, head) => {
  // handleUpgrade hands back the TCP socket we already hold: writes go to it directly, past ws's
  // sender, which is the point of the floor. ws still parses and unmasks what clients send.
  wss.handleUpgrade(request, socket, head, (ws) => {
    sockets.add(socket);
    ws.on('message', (data: Buffer) => {
      const frame = textFrame(data);
      for (const s of sockets) s.write(frame);
    });
    ws.on('close', () => sockets.delete(socket));
  });
});

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log('ready');
});

// bench: exit cleanly on SIGTERM, so that `node --cpu-prof` writes its profile (not part of the design).
process.on('SIGTERM', () => process.exit(0));
