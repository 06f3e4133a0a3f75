/**
 * Process entry: configuration, then the server, then signals. Nothing else lives here.
 *
 * Exit codes: 0 after a graceful shutdown, 1 on a crash or a shutdown that overran
 * SHUTDOWN_TIMEOUT_MS, 2 on bad configuration.
 */
import { readFileSync } from 'node:fs';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { createChatServer } from './server.ts';

const version: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`chat: invalid configuration: ${error.message}\n`);
  process.exit(2);
}

const log = createLogger(config.logLevel, config.replicaId);
const server = createChatServer(config, { log, version });

process.on('uncaughtException', (error) => {
  log.fatal({ err: error }, 'uncaught exception; exiting');
  process.exit(1);
});
process.on('unhandledRejection', (reason) => {
  log.fatal({ err: reason }, 'unhandled promise rejection; exiting');
  process.exit(1);
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) {
      // A second Ctrl-C means "now".
      log.warn({ signal }, 'second signal during shutdown; exiting at once');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'signal received');
    const startedAt = Date.now();
    const timer = setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took longer than SHUTDOWN_TIMEOUT_MS; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    // Sockets get the timeout less a margin, so the broker can still be closed in time.
    const margin = Math.min(1000, config.shutdownTimeoutMs / 5);
    server.shutdown(startedAt + config.shutdownTimeoutMs - margin).then(
      () => {
        log.info({ durationMs: Date.now() - startedAt }, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

try {
  await server.listen();
} catch (error) {
  log.fatal({ err: error }, 'could not start');
  process.exit(1);
}
