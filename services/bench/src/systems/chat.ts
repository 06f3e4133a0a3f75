/**
 * Our service, as it runs in production: `node <REPLICA_NODE_FLAGS> services/chat/src/main.ts` per replica, configured by
 * its environment, with every feature on (validation, metrics, ids, heartbeats). RATE_LIMIT=0 so
 * the benchmark's senders are not throttled, LOG_LEVEL=warn so connection lines stay out of it.
 */
import { fileURLToPath } from 'node:url';
import { httpStatus } from '../../../../scripts/lib/wait.ts';
import { REPLICA_NODE_FLAGS } from '../../../chat/src/node-flags.ts';
import { baseEnv, nodeFlags, startServers } from './launch.ts';
import type { SystemUnderTest } from './system.ts';

const MAIN = fileURLToPath(new URL('../../../chat/src/main.ts', import.meta.url));

export const chat: SystemUnderTest = {
  name: 'chat',
  title: 'chat (this repo)',
  dialect: 'article',
  roomDialect: 'chat-rooms',
  singleProcess: false,
  node: true,
  prepare: async () => null,
  start: (options) =>
    startServers(options.replicas, (i, port) => ({
      name: `chat-${i + 1}`,
      command: process.execPath,
      args: [...REPLICA_NODE_FLAGS, ...nodeFlags(options, i), MAIN],
      env: {
        ...baseEnv(),
        PORT: String(port),
        HOST: '127.0.0.1',
        REPLICA_ID: `chat-${i + 1}`,
        REDIS_URL: options.redis.url,
        RATE_LIMIT: '0',
        LOG_LEVEL: 'warn',
      },
      ready: async (p) => (await httpStatus(`http://127.0.0.1:${p}/readyz`)) === 200,
    })),
};
