/**
 * The article's setup on one machine without Docker: one Redis, N chat replicas, and nginx with
 * docker/nginx.conf in front of them. `npm run cluster` and the end-to-end tests both start it
 * through `startCluster`, so the tests prove what a user runs. Every part has its own handle, to
 * stop, kill or restart it in a fault drill; `stop()` ends everything that was started, by PID.
 *
 *   const cluster = await startCluster({ port: 8080, replicaPorts: [8081, 8082, 8083],
 *     redis: { port: 6380, binary: 'redis-server' }, nginxBinary: '/usr/sbin/nginx' });
 *   // ... http://127.0.0.1:8080/
 *   await cluster.stop();
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPLICA_NODE_FLAGS } from '../../services/chat/src/node-flags.ts';
import { nginxArgs, writeLocalNginxConf } from './local-nginx.ts';
import { type Exit, ManagedProcess } from './process.ts';
import { type ClusterRedis, LocalRedis } from './redis-server.ts';
import { httpStatus, portFree } from './wait.ts';

const REPLICA_MAIN = fileURLToPath(new URL('../../services/chat/src/main.ts', import.meta.url));

export interface ClusterOptions {
  /** Port nginx listens on (127.0.0.1). */
  port: number;
  /** One replica per port, named replica-1, replica-2, ... */
  replicaPorts: readonly number[];
  /** A redis-server to start on a port, or a Redis someone else runs (it is not stopped by stop()). */
  redis: { port: number; binary: string } | ClusterRedis;
  nginxBinary: string;
  /** Environment every replica starts from (default: this process's); PORT, HOST, REPLICA_ID and the Redis address are set per replica. */
  replicaEnv?: NodeJS.ProcessEnv;
  /** Each part in its own process group, so a terminal's Ctrl-C reaches only the parent (npm run cluster). */
  detached?: boolean;
  /** Every output line of every part: source is "redis", "nginx" or the replica name. */
  onLine?: (source: string, line: string) => void;
}

export interface Cluster {
  /** nginx's address: what a browser opens. */
  readonly url: string;
  readonly port: number;
  /** Directory of the rendered nginx.conf, its logs and temp files; removed by stop(). */
  readonly dir: string;
  readonly redis: ClusterRedis;
  /** PID of our own redis-server, undefined when the Redis is someone else's or stopped. */
  readonly redisPid: number | undefined;
  readonly replicas: readonly ClusterReplica[];
  readonly nginxPid: number | undefined;
  /** nginx's error log so far (warnings and worse: docker/nginx.conf logs at warn). */
  nginxErrors(): string;
  /** Stops every part it started: replicas gracefully (SIGTERM), then nginx, then its own Redis. */
  stop(): Promise<void>;
}

/** One chat replica on a fixed port, so nginx finds it again after a restart. */
export class ClusterReplica {
  readonly name: string;
  readonly port: number;
  readonly #env: NodeJS.ProcessEnv;
  readonly #options: ClusterOptions;
  #process: ManagedProcess | undefined;

  constructor(name: string, port: number, redisUrl: string, options: ClusterOptions) {
    this.name = name;
    this.port = port;
    this.#options = options;
    const { PORT, HOST, REPLICA_ID, REDIS_URL, REDIS_HOST, REDIS_PORT, ...base } = options.replicaEnv ?? process.env;
    this.#env = { ...base, PORT: String(port), HOST: '127.0.0.1', REPLICA_ID: name, REDIS_URL: redisUrl };
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#process?.running ? this.#process.pid : undefined;
  }

  get running(): boolean {
    return this.#process?.running ?? false;
  }

  /** How the current (or last) process ended. */
  get exited(): Promise<Exit> {
    return this.#process?.exited ?? Promise.resolve({ code: null, signal: null });
  }

  /** Starts the process and waits until /readyz answers 200 (it listens and its broker is up). */
  async start(timeoutMs = 20_000): Promise<void> {
    if (this.running) return;
    const managed = new ManagedProcess({
      name: this.name,
      command: process.execPath,
      args: [...REPLICA_NODE_FLAGS, REPLICA_MAIN],
      env: this.#env,
      detached: this.#options.detached,
      onLine: (line) => this.#options.onLine?.(this.name, line),
    });
    this.#process = managed;
    try {
      await managed.waitReady(
        `${this.name} to be ready on port ${this.port}`,
        timeoutMs,
        async () => (await httpStatus(`${this.url}/readyz`)) === 200,
      );
    } catch (error) {
      await managed.stop('SIGKILL');
      throw error;
    }
  }

  /** SIGTERM: graceful (clients get 1001, exit 0); SIGKILL: a crash. Resolves when it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
    return (await this.#process?.stop(signal, 15_000)) ?? { code: null, signal: null };
  }
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const ownRedis = 'binary' in options.redis;
  const names = ['nginx', ...options.replicaPorts.map((_, i) => `replica-${i + 1}`)];
  const ports = [options.port, ...options.replicaPorts];
  if (ownRedis) {
    names.push('redis');
    ports.push(options.redis.port);
  }
  await assertPortsFree(ports, names);

  const dir = mkdtempSync(join(tmpdir(), 'chat-cluster-'));
  const redis: ClusterRedis =
    'binary' in options.redis
      ? new LocalRedis({
          ...options.redis,
          dir,
          detached: options.detached,
          onLine: (line) => options.onLine?.('redis', line),
        })
      : options.redis;
  const replicas = options.replicaPorts.map(
    (port, i) => new ClusterReplica(`replica-${i + 1}`, port, redis.url, options),
  );
  let nginx: ManagedProcess | undefined;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // Replicas first, so browsers get 1001 "going away" rather than a dropped proxy connection.
      await Promise.all(replicas.map((replica) => replica.stop('SIGTERM')));
      await nginx?.stop('SIGTERM'); // fast shutdown; SIGQUIT would wait for every WebSocket
      if (ownRedis) await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    if (ownRedis) await redis.start();
    await Promise.all(replicas.map((replica) => replica.start()));
    nginx = await startNginx(options, dir);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url: `http://127.0.0.1:${options.port}`,
    port: options.port,
    dir,
    redis,
    get redisPid() {
      return redis instanceof LocalRedis ? redis.pid : undefined;
    },
    replicas,
    get nginxPid() {
      return nginx?.running ? nginx.pid : undefined;
    },
    nginxErrors: () => readIfThere(join(dir, 'error.log')),
    stop,
  };
}

async function startNginx(options: ClusterOptions, dir: string): Promise<ManagedProcess> {
  const conf = writeLocalNginxConf({ listenPort: options.port, upstreamPorts: options.replicaPorts, dir });
  const nginx = new ManagedProcess({
    name: 'nginx',
    command: options.nginxBinary,
    args: nginxArgs(conf, dir),
    detached: options.detached,
    onLine: (line) => options.onLine?.('nginx', line),
  });
  try {
    await nginx.waitReady(
      `nginx to answer on port ${options.port}`,
      10_000,
      async () => (await httpStatus(`http://127.0.0.1:${options.port}/nginx-health`)) === 200,
      // nginx writes its startup errors to error.log (-e), not to stderr.
      () => readIfThere(join(dir, 'error.log')),
    );
  } catch (error) {
    await nginx.stop('SIGKILL');
    throw error;
  }
  return nginx;
}

function readIfThere(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export class PortsInUseError extends Error {
  readonly ports: readonly { port: number; name: string }[];
  constructor(ports: readonly { port: number; name: string }[]) {
    super(`already in use on 127.0.0.1: ${ports.map(({ port, name }) => `${port} (for ${name})`).join(', ')}`);
    this.ports = ports;
  }
}

/**
 * Fails before anything starts when a port is taken: otherwise a Redis already on the port would
 * answer our PING while our own redis-server exits, and the cluster would run on someone else's.
 */
async function assertPortsFree(ports: readonly number[], names: readonly string[]): Promise<void> {
  const taken: { port: number; name: string }[] = [];
  for (const [i, port] of ports.entries()) {
    if (!(await portFree(port))) taken.push({ port, name: names[i] ?? '?' });
  }
  if (taken.length > 0) throw new PortsInUseError(taken);
}
