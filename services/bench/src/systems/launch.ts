/**
 * Starting server processes for a system under test: each on a free loopback port, with its own
 * environment, and ready only when it says so (a log line) and answers on its port, plus whatever
 * extra check the system needs (chat: /readyz). Built on scripts/lib/process.ts, so every process
 * is stopped by its PID, and killed if the benchmark exits first.
 */
import { connect } from 'node:net';
import { ManagedProcess } from '../../../../scripts/lib/process.ts';
import { freePort } from '../../../../scripts/lib/wait.ts';
import type { Endpoint, RunningSystem, StartOptions } from './system.ts';

export interface ServerSpec {
  /** Label in errors, e.g. "socketio-2". */
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** A line the process prints once it is ready (substring match); none: the open port is enough. */
  readyLine?: string;
  /** Another readiness check, after the port answers. */
  ready?: (port: number) => Promise<boolean>;
}

/** Starts `count` processes, spec(i, port) for each, and waits for all to be ready. */
export async function startServers(
  count: number,
  spec: (index: number, port: number) => ServerSpec,
  timeoutMs = 30_000,
): Promise<RunningSystem> {
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const processes: ManagedProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM', 10_000)));
  };
  try {
    await Promise.all(
      ports.map(async (port, i) => {
        const s = spec(i, port);
        let sawLine = s.readyLine === undefined;
        const managed = new ManagedProcess({
          name: s.name,
          command: s.command,
          args: s.args,
          env: s.env,
          onLine: (line) => {
            if (!sawLine && s.readyLine !== undefined && line.includes(s.readyLine)) sawLine = true;
          },
        });
        processes.push(managed);
        await managed.waitReady(
          `${s.name} to be ready on port ${port}`,
          timeoutMs,
          async () => sawLine && (await portAnswers(port)) && (s.ready === undefined || (await s.ready(port))),
        );
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const endpoints: Endpoint[] = ports.map((port) => ({ host: '127.0.0.1', port }));
  return {
    endpoints,
    pids: processes.map((p) => p.pid).filter((pid): pid is number => pid !== undefined),
    stop,
  };
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The environment a server starts from: PATH and HOME only, so the machine's settings leak into no run. */
export function baseEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
}

/** Node flags for replica `index`: the first one may be profiled (CPU) or asked for heap snapshots. */
export function nodeFlags(options: StartOptions, index: number): string[] {
  if (index !== 0) return [];
  const flags: string[] = [];
  if (options.cpuProfileDir !== undefined) flags.push('--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir);
  if (options.heapSnapshotDir !== undefined) {
    flags.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${options.heapSnapshotDir}`);
  }
  return flags;
}
