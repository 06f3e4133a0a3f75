/**
 * Starting server processes for a system under test: each on a free loopback port, with its own
 * environment, and ready only when it says so (a log line) and answers on its port, plus whatever
 * extra check the system needs (chat: /readyz). Built on scripts/lib/process.ts, so every process
 * is stopped by its PID, and killed if the benchmark exits first.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { finished } from 'node:stream/promises';
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

/** How long a server may take to be ready, a replica on a busy machine included. */
const READY_TIMEOUT_MS = 30_000;

/**
 * Starts `count` processes, spec(i, port) for each, and waits for all to be ready. With `logDir`,
 * each process's output is appended to `<logDir>/<name>.log` (--replica-logs), after a line that
 * says when and how it was started: what a replica printed (--trace-gc with --alt-flags, say) is
 * otherwise only read for its ready line.
 */
export async function startServers(
  count: number,
  spec: (index: number, port: number) => ServerSpec,
  { logDir }: Pick<StartOptions, 'logDir'> = {},
): Promise<RunningSystem> {
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const processes: ManagedProcess[] = [];
  const logs: WriteStream[] = [];
  if (logDir !== undefined) mkdirSync(logDir, { recursive: true });
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM', 10_000)));
    if (logs.length === 0) return;
    // A process's last lines can still be in its pipes when its exit is seen.
    const pipes = processes.flatMap((p) => [p.child.stdout, p.child.stderr]);
    await Promise.all(
      pipes.map((pipe) => pipe && finished(pipe, { signal: AbortSignal.timeout(2_000) }).catch(() => {})),
    );
    await Promise.all(logs.map((log) => new Promise((resolve) => log.end(resolve))));
  };
  try {
    await Promise.all(
      ports.map(async (port, i) => {
        const s = spec(i, port);
        let sawLine = s.readyLine === undefined;
        const log = logDir === undefined ? undefined : openLog(logDir, s);
        if (log !== undefined) logs.push(log);
        const managed = new ManagedProcess({
          name: s.name,
          command: s.command,
          args: s.args,
          env: s.env,
          onLine: (line) => {
            log?.write(`${line}\n`);
            if (!sawLine && s.readyLine !== undefined && line.includes(s.readyLine)) sawLine = true;
          },
        });
        processes.push(managed);
        await managed.waitReady(
          `${s.name} to be ready on port ${port}`,
          READY_TIMEOUT_MS,
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

/** The process's log file, opened for appending: one file per process name across deployments. */
function openLog(dir: string, s: ServerSpec): WriteStream {
  const path = `${dir}/${s.name}.log`;
  const log = createWriteStream(path, { flags: 'a' });
  log.on('error', (error) => process.stderr.write(`bench: cannot write ${path}: ${error.message}\n`));
  log.write(`--- ${new Date().toISOString()}: ${[s.command, ...s.args].join(' ')}\n`);
  return log;
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
