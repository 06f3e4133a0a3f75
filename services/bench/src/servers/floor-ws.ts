/**
 * The floor through ws's own API: like floor.ts (one process, no Redis, no JSON), but each delivery
 * is `ws.send(payload)`, so ws frames the message once per socket (a header Buffer per send, then a
 * corked writev of header + payload). Side by side with floor.ts it prices that framing, which is
 * what every ws-based server here pays per recipient. Not in the default set: --systems floor-ws.
 *
 * Environment: PORT.
 */
import { createServer } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

const sockets = new Set<WebSocket>();
const server = createServer((_request, response) => response.writeHead(426).end());
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false });

wss.on('connection', (ws) => {
  sockets.add(ws);
  ws.on('message', (data: Buffer) => {
    for (const s of sockets) s.send(data, { binary: false });
  });
  ws.on('close', () => sockets.delete(ws));
});

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log('ready');
});

// bench: exit cleanly on SIGTERM, so that `node --cpu-prof` writes its profile.
process.on('SIGTERM', () => process.exit(0));
