/**
 * The peers written in Node (their programs are in ../servers/<name>.ts): the article's design
 * ported plainly, Socket.IO with its Redis adapter, and the one-process floor. Each prints "ready"
 * once it listens with its Redis subscription in place.
 */
import { fileURLToPath } from 'node:url';
import { baseEnv, nodeFlags, startServers } from './launch.ts';
import type { SystemUnderTest } from './system.ts';

/** A peer whose program is ../servers/<name>.ts, one process per replica asked for. */
function nodePeer(peer: Omit<SystemUnderTest, 'node' | 'prepare' | 'start'>): SystemUnderTest {
  const program = fileURLToPath(new URL(`../servers/${peer.name}.ts`, import.meta.url));
  return {
    ...peer,
    node: true,
    prepare: async () => null,
    // deploy() already asks a single-process system for one replica.
    start: (options) =>
      startServers(
        options.replicas,
        (i, port) => ({
          name: `${peer.name}-${i + 1}`,
          command: process.execPath,
          args: [...nodeFlags(options, i), program],
          env: {
            ...baseEnv(),
            PORT: String(port),
            REDIS_HOST: options.redis.host,
            REDIS_PORT: String(options.redis.port),
          },
          readyLine: 'ready',
        }),
        options,
      ),
  };
}

export const articleNode = nodePeer({
  name: 'article-node',
  title: 'article, plain Node port (ws + ioredis)',
  dialect: 'article',
  singleProcess: false,
});

export const socketIo = nodePeer({
  name: 'socketio',
  title: 'Socket.IO 4 + redis-adapter (websocket only)',
  dialect: 'socketio',
  roomDialect: 'socketio-rooms',
  singleProcess: false,
});

export const floorWs = nodePeer({
  name: 'floor-ws',
  title: 'floor through ws.send: 1 process, no Redis, ws frames each send',
  dialect: 'article',
  singleProcess: true,
});

export const floor = nodePeer({
  name: 'floor',
  title: 'floor: bare ws, 1 process, no Redis, one prebuilt frame per socket',
  dialect: 'article',
  singleProcess: true,
});
