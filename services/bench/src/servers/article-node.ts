/**
 * The article's Go program ported to Node the straightforward way: ws and ioredis, one publisher and
 * one subscriber connection, every client frame parsed with JSON.parse and re-serialized with
 * JSON.stringify (the Go program's ReadJSON + json.Marshal), and each message from Redis sent in a
 * loop to every client in a Set (its broadcast()). Deliberately not optimized: this is the
 * baseline a user would write from the article, and the benchmark's reference for "plain".
 *
 * Environment: REDIS_HOST, REDIS_PORT (as the article), PORT.
 */
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { type WebSocket, WebSocketServer } from 'ws';

const channel = 'chat';

const rdb = new Redis({ host: process.env.REDIS_HOST, port: Number(process.env.REDIS_PORT) });
const sub = rdb.duplicate();

const clients = new Set<WebSocket>();

function broadcast(message: string) {
  for (const client of clients) {
    client.send(message);
  }
}

sub.on('message', (_channel: string, message: string) => {
  broadcast(message);
});

const server = createServer();
const wss = new WebSocketServer({ server, path: '/ws' });

wss.on('connection', (ws) => {
  clients.add(ws);

  ws.on('message', (data) => {
    let msg: { from: string; message: string };
    try {
      msg = JSON.parse(data.toString());
    } catch (err) {
      console.log(`Error in reading json message. Error : ${err}`);
      ws.close();
      return;
    }
    const msgBytes = JSON.stringify({ from: msg.from, message: msg.message });
    rdb.publish(channel, msgBytes).catch((err: Error) => {
      console.log('Error publishing:', err.message);
    });
  });

  ws.on('close', () => {
    clients.delete(ws);
    console.log('Closing Websocket');
  });
});

await sub.subscribe(channel);
server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log('ready');
});

// bench: exit cleanly on SIGTERM, so that `node --cpu-prof` writes its profile (not part of the design).
process.on('SIGTERM', () => process.exit(0));
