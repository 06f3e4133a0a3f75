/**
 * The cluster of `npm run cluster` (scripts/lib/cluster.ts) for a test file: nginx, three replicas
 * and Redis on free loopback ports, with every replica's log lines kept for assertions. Redis is
 * the cluster's own redis-server when the run's provider is `binary`, else a TestRedis container,
 * so TEST_REDIS means the same here as in the integration tests.
 */
import { inject } from 'vitest';
import { type Cluster, type ClusterReplica, startCluster } from '../../../../scripts/lib/cluster.ts';
import { findNginx } from '../../../../scripts/lib/local-nginx.ts';
import { findRedisServer } from '../../../../scripts/lib/redis-server.ts';
import { startTestRedis, type TestRedis } from '../../test/support/redis.ts';
import { type LogLine, parseLogLine, readMetric } from '../../test/support/replica.ts';
import { freePort, httpStatus, waitUntil } from '../../test/support/wait.ts';

export interface TestCluster extends Cluster {
  readonly wsUrl: string;
  /** Every JSON line a replica wrote so far (across its restarts), in order. */
  logs(replica: string): LogLine[];
  replica(name: string): ClusterReplica;
}

export async function startTestCluster(options: { replicaEnv?: Record<string, string> } = {}): Promise<TestCluster> {
  const nginx = findNginx();
  if (nginx === null) throw new Error('no nginx for the end-to-end tests: apt-get install -y nginx');
  const provider = inject('redisProvider');
  let testRedis: TestRedis | undefined;
  let redis: Parameters<typeof startCluster>[0]['redis'];
  if (provider === 'binary') {
    const binary = findRedisServer();
    if (binary === null) throw new Error('no redis-server: apt-get install -y redis-server');
    redis = { port: await freePort(), binary };
  } else {
    testRedis = await startTestRedis(provider);
    redis = testRedis;
  }

  const logs = new Map<string, LogLine[]>();
  const record = (source: string, line: string) => {
    // A line that is not JSON stays, as level "raw": a stack trace must not pass for a clean log.
    const parsed = source.startsWith('replica-') ? parseLogLine(line) : undefined;
    if (parsed === undefined) return;
    const lines = logs.get(source) ?? [];
    lines.push(parsed);
    logs.set(source, lines);
  };

  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const [port = 0, ...replicaPorts] = ports;
  let cluster: Cluster;
  try {
    cluster = await startCluster({
      port,
      replicaPorts,
      redis,
      nginxBinary: nginx,
      // Like the integration tests' replicas: nothing from the test runner's environment.
      replicaEnv: { PATH: process.env.PATH ?? '', ...options.replicaEnv },
      onLine: record,
    });
  } catch (error) {
    await testRedis?.close();
    throw error;
  }
  const stop = cluster.stop;
  return Object.assign(cluster, {
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    logs: (replica: string) => logs.get(replica) ?? [],
    replica: (name: string) => {
      const found = cluster.replicas.find((replica) => replica.name === name);
      if (found === undefined) throw new Error(`no replica named ${name}`);
      return found;
    },
    stop: async () => {
      await stop();
      await testRedis?.close();
    },
  });
}

/** The status /readyz of one replica answers, straight to the replica (not through nginx); 0 if none. */
export function readiness(replica: ClusterReplica): Promise<number> {
  return httpStatus(`${replica.url}/readyz`);
}

/** Waits until the /readyz of every running replica answers `status`. */
export async function waitForReadiness(cluster: TestCluster, status: 200 | 503, timeoutMs = 15_000): Promise<void> {
  await Promise.all(
    cluster.replicas
      .filter((replica) => replica.running)
      .map((replica) =>
        waitUntil(
          `${replica.name} /readyz ${status}`,
          timeoutMs,
          async () => (await readiness(replica)) === status,
          25,
        ),
      ),
  );
}

/** One series of a replica's /metrics, e.g. metric(replica, 'chat_connections_open'). */
export function metric(replica: ClusterReplica, series: string): Promise<number> {
  return readMetric(replica.url, replica.name, series);
}

/** Log lines at warn level or worse (and anything that is not a JSON log line), for "no errors". */
export function troubleIn(lines: readonly LogLine[]): LogLine[] {
  return lines.filter((line) => !['trace', 'debug', 'info'].includes(line.level));
}
