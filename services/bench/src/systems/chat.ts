/**
 * Our service, as it runs in production: `node <REPLICA_NODE_FLAGS> services/chat/src/main.ts` per replica, configured by
 * its environment, with every feature on (validation, metrics, ids, heartbeats). RATE_LIMIT=0 so
 * the benchmark's senders are not throttled, LOG_LEVEL=warn so connection lines stay out of it.
 */
import { fileURLToPath } from 'node:url';
import { httpStatus } from '../../../../scripts/lib/wait.ts';
import { REPLICA_NODE_FLAGS } from '../../../chat/src/node-flags.ts';
import { baseEnv, nodeFlags, startServers } from './launch.ts';
import type { StartOptions, SystemUnderTest } from './system.ts';

const MAIN = fileURLToPath(new URL('../../../chat/src/main.ts', import.meta.url));

/** The chat's replicas (`<system>-1`...), started with these Node flags and extra environment. */
function startChat(
  system: string,
  options: StartOptions,
  flags: readonly string[],
  extraEnv: Readonly<Record<string, string>> = {},
) {
  return startServers(
    options.replicas,
    (i, port) => ({
      name: `${system}-${i + 1}`,
      command: process.execPath,
      args: [...flags, ...nodeFlags(options, i), MAIN],
      env: {
        ...baseEnv(),
        PORT: String(port),
        HOST: '127.0.0.1',
        REPLICA_ID: `${system}-${i + 1}`,
        REDIS_URL: options.redis.url,
        RATE_LIMIT: '0',
        LOG_LEVEL: 'warn',
        ...extraEnv,
      },
      ready: async (p) => (await httpStatus(`http://127.0.0.1:${p}/readyz`)) === 200,
    }),
    options,
  );
}

export const chat: SystemUnderTest = {
  name: 'chat',
  title: 'chat (this repo)',
  dialect: 'article',
  roomDialect: 'chat-rooms',
  singleProcess: false,
  node: true,
  prepare: async () => null,
  start: (options) => startChat('chat', options, REPLICA_NODE_FLAGS),
};

/**
 * The same chat with other Node flags (--alt-flags) or settings (--alt-env), to measure a V8 or
 * Node flag or a configuration value as an A/B beside `chat` in one run, the systems interleaved.
 */
export const chatAlt: SystemUnderTest = {
  ...chat,
  name: 'chat-alt',
  title: 'chat (this repo), --alt-flags/--alt-env',
  start: (options) => {
    if (options.chatAltFlags === undefined && options.chatAltEnv === undefined) {
      throw new Error('chat-alt runs with --alt-flags or --alt-env, and neither was given');
    }
    return startChat('chat-alt', options, options.chatAltFlags ?? REPLICA_NODE_FLAGS, options.chatAltEnv);
  },
};
