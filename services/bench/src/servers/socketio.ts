/**
 * The chat as a Socket.IO user would write it: Socket.IO 4 with @socket.io/redis-adapter on
 * ioredis, WebSocket transport only (no long-polling), every 'message' event emitted to everyone,
 * the sender included, on every process sharing the Redis. Library defaults otherwise
 * (perMessageDeflate off, 25 s ping interval).
 *
 * Environment: REDIS_HOST, REDIS_PORT, PORT.
 */
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

const pubClient = new Redis({ host: process.env.REDIS_HOST, port: Number(process.env.REDIS_PORT) });
const subClient = pubClient.duplicate();

const httpServer = createServer();
const io = new Server(httpServer, {
  transports: ['websocket'],
  serveClient: false,
  adapter: createAdapter(pubClient, subClient),
});

io.on('connection', (socket) => {
  socket.on('message', (message: unknown) => {
    io.emit('message', message);
  });
});

await Promise.all([pubClient, subClient].map((client) => new Promise((resolve) => client.once('ready', resolve))));
httpServer.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log('ready');
});

// bench: exit cleanly on SIGTERM, so that `node --cpu-prof` writes its profile (not part of the design).
process.on('SIGTERM', () => process.exit(0));
