/**
 * A real Redis for integration tests, from the provider chosen by TEST_REDIS:
 *   binary     a redis-server from PATH, on a free loopback port per test file
 *   container  a container on a Docker engine (testcontainers), image TEST_REDIS_IMAGE
 *   auto       (default) binary when redis-server is on PATH, else container when Docker answers
 *
 * Both keep the port across stop()/start(), so servers pointed at it can reconnect, the way they
 * would to a Redis that restarted. No mock stands in for Redis anywhere in the integration tests.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { RedisContainer, type StartedRedisContainer } from '@testcontainers/redis';
import { type ContainerRuntimeClient, getContainerRuntimeClient } from 'testcontainers';
import { ping } from '../../../../scripts/lib/redis-server.ts';
import { freePort, waitUntil } from './wait.ts';

export type RedisProvider = 'binary' | 'container';

export interface TestRedis {
  readonly provider: RedisProvider;
  readonly port: number;
  readonly url: string;
  /** Redis goes away: the process or container stops and every connection to it drops. */
  stop(): Promise<void>;
  /** Redis comes back on the same port. */
  start(): Promise<void>;
  /** Redis hangs: connections stay open but nothing is answered (SIGSTOP, docker pause). */
  freeze(): Promise<void>;
  /** Redis answers again after freeze(). */
  thaw(): Promise<void>;
  /** Fixture teardown: stops Redis if it is running. */
  close(): Promise<void>;
}

const DEFAULT_IMAGE = 'redis:7-alpine';

/** Decides the provider once per run (global setup) and says why; throws with advice if none works. */
export async function resolveRedisProvider(
  requested = process.env.TEST_REDIS ?? 'auto',
): Promise<{ provider: RedisProvider; detail: string }> {
  if (!['auto', 'binary', 'container'].includes(requested)) {
    throw new Error(`TEST_REDIS must be auto, binary or container, got ${JSON.stringify(requested)}`);
  }
  const binary = requested === 'container' ? null : redisServerVersion();
  if (binary !== null) return { provider: 'binary', detail: binary };
  if (requested === 'binary') {
    throw new Error('TEST_REDIS=binary but redis-server is not on PATH; install it: apt-get install -y redis-server');
  }
  const docker = await dockerAnswers();
  if (docker.ok) {
    return {
      provider: 'container',
      detail: `image ${process.env.TEST_REDIS_IMAGE ?? DEFAULT_IMAGE} on ${docker.detail}`,
    };
  }
  throw new Error(
    `no Redis for the tests: redis-server is not on PATH and no Docker engine answers (${docker.detail}). ` +
      'Install redis-server (apt-get install -y redis-server) or start Docker, or run bash .ci/run which does.',
  );
}

export async function startTestRedis(provider: RedisProvider): Promise<TestRedis> {
  const redis = provider === 'binary' ? new BinaryRedis(await freePort()) : new ContainerRedis(await freePort());
  await redis.start();
  return redis;
}

function redisServerVersion(): string | null {
  try {
    const version = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
    return `${version.split(' ').slice(0, 3).join(' ')} (redis-server from PATH)`;
  } catch {
    return null;
  }
}

async function dockerAnswers(): Promise<{ ok: boolean; detail: string }> {
  try {
    const client = await getContainerRuntimeClient();
    return {
      ok: true,
      detail: `Docker ${client.info.containerRuntime.serverVersion} at ${client.info.containerRuntime.host}`,
    };
  } catch (error) {
    return { ok: false, detail: (error as Error).message.split('\n')[0] ?? 'unknown error' };
  }
}

/** Resolves once Redis answers PING on the port. */
async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  await waitUntil(`Redis on port ${port} to answer PING`, timeoutMs, () => ping(port));
}

class BinaryRedis implements TestRedis {
  readonly provider = 'binary';
  readonly port: number;
  readonly url: string;
  #process: ChildProcess | undefined;

  constructor(port: number) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    if (this.#process !== undefined) return;
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    this.#process = child;
    child.once('exit', () => {
      if (this.#process === child) this.#process = undefined;
    });
    await waitForPong(this.port, 10_000).catch(async (error: unknown) => {
      await this.stop();
      throw error;
    });
  }

  async stop(): Promise<void> {
    const child = this.#process;
    if (child === undefined) return;
    this.#process = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  }

  async freeze(): Promise<void> {
    this.#process?.kill('SIGSTOP');
  }

  async thaw(): Promise<void> {
    this.#process?.kill('SIGCONT');
  }

  async close(): Promise<void> {
    await this.thaw();
    await this.stop();
  }
}

class ContainerRedis implements TestRedis {
  readonly provider = 'container';
  readonly port: number;
  readonly url: string;
  #container: StartedRedisContainer | undefined;
  #client: ContainerRuntimeClient | undefined;

  constructor(port: number) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    if (this.#container !== undefined) return;
    this.#client ??= await getContainerRuntimeClient();
    // A fixed host port, so the servers under test find Redis again after stop()/start().
    this.#container = await new RedisContainer(process.env.TEST_REDIS_IMAGE ?? DEFAULT_IMAGE)
      .withExposedPorts({ container: 6379, host: this.port })
      // The official image turns protected mode off in its entrypoint; say it here for any image.
      .withCommand(['redis-server', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'])
      .start();
    await waitForPong(this.port, 10_000).catch(async (error: unknown) => {
      await this.stop();
      throw error;
    });
  }

  async stop(): Promise<void> {
    const container = this.#container;
    this.#container = undefined;
    await container?.stop({ timeout: 2_000 });
  }

  async freeze(): Promise<void> {
    await this.#docker()?.pause();
  }

  async thaw(): Promise<void> {
    await this.#docker()?.unpause();
  }

  async close(): Promise<void> {
    await this.#docker()
      ?.unpause()
      .catch(() => {}); // not paused
    await this.stop();
  }

  #docker() {
    const id = this.#container?.getId();
    return id === undefined ? undefined : this.#client?.container.getById(id);
  }
}
