/**
 * A system under test, running: its server processes, and optionally nginx in front of them with
 * the repo's docker/nginx.conf (scripts/lib/local-nginx.ts). Clients are dealt round-robin over the
 * replicas, or all go to nginx, which balances them itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNginx, nginxArgs, writeLocalNginxConf } from '../../../../scripts/lib/local-nginx.ts';
import { childPids } from '../../../../scripts/lib/proc.ts';
import { ManagedProcess } from '../../../../scripts/lib/process.ts';
import { freePort, httpStatus } from '../../../../scripts/lib/wait.ts';
import type { ClientSpec } from '../loadgen/messages.ts';
import type { RunningSystem, SystemUnderTest } from '../systems/system.ts';
import type { BenchContext } from './context.ts';

export interface Deployment {
  readonly system: SystemUnderTest;
  readonly running: RunningSystem;
  readonly replicas: number;
  /** nginx master and workers, when clients go through nginx. */
  readonly proxyPids: readonly number[];
  /** Where client `i` connects (`localAddress` set when asked for). */
  target(i: number, localAddress?: string): ClientSpec;
  stop(): Promise<void>;
}

export async function deploy(
  ctx: BenchContext,
  system: SystemUnderTest,
  options: { replicas?: number; nginx?: boolean; cpuProfileDir?: string; heapSnapshotDir?: string } = {},
): Promise<Deployment> {
  const replicas = system.singleProcess ? 1 : (options.replicas ?? ctx.options.replicas);
  const running = await system.start({
    replicas,
    redis: ctx.redis,
    workDir: ctx.workDir,
    cpuProfileDir: options.cpuProfileDir,
    heapSnapshotDir: options.heapSnapshotDir,
    chatAltFlags: ctx.options.altFlags,
    chatAltEnv: ctx.options.altEnv,
    logDir: ctx.options.replicaLogs,
  });
  let nginx: { process: ManagedProcess; port: number; dir: string } | undefined;
  try {
    if (options.nginx ?? ctx.options.nginx) nginx = await startNginx(running);
  } catch (error) {
    await running.stop();
    throw error;
  }
  const endpoints = nginx === undefined ? running.endpoints : [{ host: '127.0.0.1', port: nginx.port }];
  return {
    system,
    running,
    replicas,
    proxyPids: nginx?.process.pid === undefined ? [] : [nginx.process.pid, ...childPids(nginx.process.pid)],
    target: (i, localAddress) => {
      const endpoint = endpoints[i % endpoints.length] as { host: string; port: number };
      return localAddress === undefined ? { ...endpoint } : { ...endpoint, localAddress };
    },
    async stop() {
      await nginx?.process.stop('SIGTERM');
      if (nginx !== undefined) rmSync(nginx.dir, { recursive: true, force: true });
      await running.stop();
    },
  };
}

async function startNginx(running: RunningSystem): Promise<{ process: ManagedProcess; port: number; dir: string }> {
  const binary = findNginx();
  if (binary === null) throw new Error('--nginx: no nginx on this machine (apt-get install -y nginx)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-nginx-'));
  const conf = writeLocalNginxConf({ listenPort: port, upstreamPorts: running.endpoints.map((e) => e.port), dir });
  const managed = new ManagedProcess({ name: 'nginx', command: binary, args: nginxArgs(conf, dir) });
  await managed.waitReady(
    `nginx on port ${port}`,
    10_000,
    async () => (await httpStatus(`http://127.0.0.1:${port}/nginx-health`)) === 200,
  );
  return { process: managed, port, dir };
}
