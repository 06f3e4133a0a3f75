/**
 * `npm run cluster`: the article's demo on one machine without Docker. Starts a redis-server,
 * three chat replicas on consecutive ports and nginx with docker/nginx.conf in front of them,
 * prints where to open the chat, streams the replicas' logs with their names in front, and on
 * Ctrl-C stops everything it started (by PID) and nothing else.
 *
 *   npm run cluster                      nginx on 8080, replicas on 8081-8083, Redis on 6380
 *   npm run cluster -- --port 9000       nginx on 9000, replicas on 9001-9003
 *   npm run cluster -- --help
 */
import { parseArgs, styleText } from 'node:util';
import { type Cluster, PortsInUseError, startCluster } from './lib/cluster.ts';
import { findNginx } from './lib/local-nginx.ts';
import { findRedisServer } from './lib/redis-server.ts';

const USAGE = `Usage: npm run cluster [-- OPTIONS]

Starts redis-server, chat replicas and nginx (docker/nginx.conf) on this machine; Ctrl-C stops them.

  --port N            nginx, the address to open (default: $CHAT_PORT or 8080)
  --replicas N        how many replicas (default 3)
  --replica-port N    first replica port; the others follow (default: nginx port + 1)
  --redis-port N      redis-server (default 6380; 6379 is often a system Redis already)
  --redis-server PATH redis-server binary (default: from PATH)
  --nginx PATH        nginx binary (default: from PATH, else /usr/sbin/nginx)
  -h, --help          this text

Every other chat setting comes from the environment, as for npm start (e.g. LOG_LEVEL=debug).`;

const INSTALL_HINT = `Install them with:
  Debian/Ubuntu:  sudo apt-get install -y redis-server nginx
  macOS:          brew install redis nginx
(The cluster starts its own redis-server and nginx on ports of its own; it does not use the system
services that installing those packages may start.)`;

/** A colour per part, when the output is a terminal (styleText leaves text plain otherwise). */
const COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue'] as const;

function fail(message: string, code = 1): never {
  process.stderr.write(`cluster: ${message}\n`);
  process.exit(code);
}

function portOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    fail(`${name} must be a port from 1 to 65535, got "${value}"`, 2);
  return port;
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        port: { type: 'string' },
        replicas: { type: 'string' },
        'replica-port': { type: 'string' },
        'redis-port': { type: 'string' },
        'redis-server': { type: 'string' },
        nginx: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
})();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const port = portOption(values.port ?? process.env.CHAT_PORT, '--port', 8080);
const count = Number(values.replicas ?? '3');
if (!Number.isInteger(count) || count < 1 || count > 16)
  fail(`--replicas must be from 1 to 16, got "${values.replicas}"`, 2);
const firstReplicaPort = portOption(values['replica-port'], '--replica-port', port + 1);
if (firstReplicaPort + count - 1 > 65535) fail('--replica-port leaves no room for every replica', 2);
const redisPort = portOption(values['redis-port'], '--redis-port', 6380);

const redisBinary = findRedisServer(values['redis-server']);
const nginxBinary = findNginx(values.nginx);
const missing = [...(redisBinary === null ? ['redis-server'] : []), ...(nginxBinary === null ? ['nginx'] : [])];
if (redisBinary === null || nginxBinary === null) {
  fail(`npm run cluster needs redis-server and nginx; not found: ${missing.join(', ')}.\n${INSTALL_HINT}`);
}

const replicaPorts = Array.from({ length: count }, (_, i) => firstReplicaPort + i);
const sources = ['redis', 'nginx', ...replicaPorts.map((_, i) => `replica-${i + 1}`)];
const width = Math.max(...sources.map((source) => source.length));

function printLine(source: string, line: string): void {
  const color = COLORS[Math.max(0, sources.indexOf(source) - 2) % COLORS.length] ?? 'cyan';
  const prefix = styleText(source.startsWith('replica') ? color : 'gray', `${source.padEnd(width)} |`, {
    stream: process.stdout,
  });
  process.stdout.write(`${prefix} ${line}\n`);
}

process.stdout.write(
  `cluster: starting redis-server on ${redisPort}, ${count} replicas on ${replicaPorts.join(', ')}, nginx on ${port}\n`,
);

let stopping = false;
const starting = startCluster({
  port,
  replicaPorts,
  redis: { port: redisPort, binary: redisBinary },
  nginxBinary,
  detached: true,
  onLine: printLine,
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) {
      // A second Ctrl-C: do not wait for graceful shutdowns; the exit hook kills what is left.
      process.stdout.write('cluster: second signal, killing what is left\n');
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`\ncluster: ${signal}: stopping the replicas, nginx and redis-server...\n`);
    // Mid-start too: wait for the parts already on their way, then stop them all in order.
    starting
      .then(
        (cluster) => cluster.stop(),
        () => {},
      )
      .then(
        () => {
          process.stdout.write('cluster: stopped\n');
          process.exit(0);
        },
        (error: unknown) => fail(`stopping failed: ${(error as Error).message}`),
      );
  });
}

let cluster: Cluster;
try {
  cluster = await starting;
} catch (error) {
  if (error instanceof PortsInUseError) {
    fail(`ports ${error.message}.\nChoose others with --port, --replica-port or --redis-port (see --help).`);
  }
  fail(`could not start: ${(error as Error).message}`);
}

if (!stopping) {
  for (const replica of cluster.replicas) {
    // A replica ending on its own (a crash, or someone's kill -9) is worth a line: nginx now
    // sends its browsers to the others.
    void replica.exited.then(({ code, signal }) => {
      if (!stopping)
        process.stdout.write(`cluster: ${replica.name} exited (${signal ?? `code ${code}`}); the others carry on\n`);
    });
  }
  const rows = [
    ['redis', `${cluster.redis.url}`, cluster.redisPid],
    ...cluster.replicas.map((replica) => [replica.name, replica.url, replica.pid] as const),
    ['nginx', cluster.url, cluster.nginxPid],
  ] as const;
  const table = rows.map(([name, url, pid]) => `  ${name.padEnd(width)}  ${url.padEnd(24)}  pid ${pid}`).join('\n');
  process.stdout.write(
    `
cluster: ready. Open http://localhost:${port} in two browser windows and chat.
${table}
Each response names its replica in the X-Chat-Replica header. Try a fault: kill -9 a replica's
pid, and the browsers it served reconnect through nginx to another.
nginx's access and error logs: ${cluster.dir} (removed at the end). Ctrl-C stops everything.

`,
  );
}
