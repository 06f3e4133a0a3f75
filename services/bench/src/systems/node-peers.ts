/**
 * The peers written in Node (their programs are in ../servers/): the article's design ported
 * plainly, Socket.IO with its Redis adapter, and the one-process floor. Each prints "ready" once it
 * listens with its Redis subscription in place.
 */
import { fileURLToPath } from 'node:url';
import { baseEnv, nodeFlags, startServers } from './launch.ts';
import type { StartOptions, SystemUnderTest } from './system.ts';

const server = (file: string) => fileURLToPath(new URL(`../servers/${file}`, import.meta.url));

function nodeServer(name: string, file: string, count: (options: StartOptions) => number) {
  return (options: StartOptions) =>
    startServers(count(options), (i, port) => ({
      name: `${name}-${i + 1}`,
      command: process.execPath,
      args: [...nodeFlags(options, i), server(file)],
      env: {
        ...baseEnv(),
        PORT: String(port),
        REDIS_HOST: options.redis.host,
        REDIS_PORT: String(options.redis.port),
      },
      readyLine: 'ready',
    }));
}

export const articleNode: SystemUnderTest = {
  name: 'article-node',
  title: 'article, plain Node port (ws + ioredis)',
  dialect: 'article',
  singleProcess: false,
  prepare: async () => null,
  start: nodeServer('article-node', 'article-node.ts', (o) => o.replicas),
};

export const socketIo: SystemUnderTest = {
  name: 'socketio',
  title: 'Socket.IO 4 + redis-adapter (websocket only)',
  dialect: 'socketio',
  roomDialect: 'socketio-rooms',
  singleProcess: false,
  prepare: async () => null,
  start: nodeServer('socketio', 'socketio.ts', (o) => o.replicas),
};

export const floorWs: SystemUnderTest = {
  name: 'floor-ws',
  title: 'floor through ws.send: 1 process, no Redis, ws frames each send',
  dialect: 'article',
  singleProcess: true,
  prepare: async () => null,
  start: nodeServer('floor-ws', 'floor-ws.ts', () => 1),
};

export const floor: SystemUnderTest = {
  name: 'floor',
  title: 'floor: bare ws, 1 process, no Redis, one prebuilt frame per socket',
  dialect: 'article',
  singleProcess: true,
  prepare: async () => null,
  start: nodeServer('floor', 'floor.ts', () => 1),
};
