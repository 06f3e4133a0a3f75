/**
 * The chat as a Socket.IO user would write it: Socket.IO 4 with @socket.io/redis-adapter on
 * ioredis, WebSocket transport only (no long-polling), every 'message' event emitted to everyone,
 * the sender included, on every process sharing the Redis. Library defaults otherwise
 * (perMessageDeflate off, 25 s ping interval).
 *
 * Rooms, the way Socket.IO does them: a client that connects with `?room=<name>` in its handshake
 * is joined to that room, and a 'message' event that names a room the socket is in goes to that
 * room's sockets only (`io.to(room)`), on every process.
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
  // Joined synchronously, right after Socket.IO wrote the connect packet: before the client can
  // have answered it, so a client that saw its connection confirmed is in the room.
  const room = socket.handshake.query.room;
  if (typeof room === 'string' && room !== '') socket.join(room);
  socket.on('message', (message: unknown) => {
    const to = (message as { room?: unknown } | null)?.room;
    if (to === undefined) io.emit('message', message);
    // As the chat does: only a member may send to a room.
    else if (typeof to === 'string' && socket.rooms.has(to)) io.to(to).emit('message', message);
  });
});

await Promise.all([pubClient, subClient].map((client) => new Promise((resolve) => client.once('ready', resolve))));
httpServer.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log('ready');
});

// bench: exit cleanly on SIGTERM, so that `node --cpu-prof` writes its profile (not part of the design).
process.on('SIGTERM', () => process.exit(0));
