/**
 * A redis-server of our own for a local cluster: loopback only, no persistence, on a fixed port
 * so the replicas find it again after stop()/start(), the way they would a restarted Redis.
 */
import { connect } from 'node:net';
import { firstThatRuns } from './find-binary.ts';
import { ManagedProcess } from './process.ts';

/** What the cluster needs of a Redis: where it is and, for fault drills, a way to stop and restart it. */
export interface ClusterRedis {
  readonly url: string;
  readonly port: number;
  /** Redis goes away: every connection to it drops. */
  stop(): Promise<void>;
  /** Redis is back on the same port and answers PING. */
  start(): Promise<void>;
}

/** The redis-server binary: `preferred` if given, else PATH, else the usual places; null if none runs. */
export function findRedisServer(preferred?: string): string | null {
  const candidates =
    preferred === undefined ? ['redis-server', '/usr/bin/redis-server', '/usr/local/bin/redis-server'] : [preferred];
  return firstThatRuns(candidates, ['--version']);
}

export interface LocalRedisOptions {
  binary: string;
  port: number;
  /** Working directory (nothing is written there: persistence is off). */
  dir: string;
  detached?: boolean;
  onLine?: (line: string) => void;
}

export class LocalRedis implements ClusterRedis {
  readonly port: number;
  readonly url: string;
  readonly #options: LocalRedisOptions;
  #process: ManagedProcess | undefined;

  constructor(options: LocalRedisOptions) {
    this.#options = options;
    this.port = options.port;
    this.url = `redis://127.0.0.1:${options.port}`;
  }

  get pid(): number | undefined {
    return this.#process?.running ? this.#process.pid : undefined;
  }

  async start(): Promise<void> {
    if (this.#process?.running) return;
    const { binary, port, dir } = this.#options;
    const managed = new ManagedProcess({
      name: 'redis',
      command: binary,
      // --save "" and --appendonly no: a chat relay keeps nothing, and a restart starts clean.
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--loglevel',
        'warning',
      ],
      detached: this.#options.detached,
      onLine: (line) => this.#options.onLine?.(line),
    });
    this.#process = managed;
    try {
      await managed.waitReady(`redis-server to answer PING on port ${port}`, 10_000, () => ping(port));
    } catch (error) {
      await managed.stop('SIGKILL');
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.#process?.stop('SIGTERM');
  }
}

/** True when something on the port answers PING with PONG within half a second. */
export function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
    socket.once('error', () => finish(false));
  });
}
