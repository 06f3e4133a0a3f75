/**
 * Chat replicas as separate processes, the way they run in production: `node <flags> src/main.ts` with
 * its configuration in the environment. Each listens on a port of its own choosing (PORT=0) and
 * reports it in its "listening" log line. Every replica started is stopped by `stopAllReplicas`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Exit } from '../../../../scripts/lib/process.ts';
import { REPLICA_NODE_FLAGS } from '../../src/node-flags.ts';
import { waitUntil } from './wait.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export class Replica {
  readonly name: string;
  readonly process: ChildProcess;
  readonly logs: LogLine[] = [];
  /** What the process wrote to stderr (configuration errors, crashes). */
  stderr = '';
  port = 0;
  readonly exited: Promise<Exit>;

  constructor(name: string, env: Record<string, string>) {
    this.name = name;
    this.process = spawn(process.execPath, [...REPLICA_NODE_FLAGS, MAIN], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', REPLICA_ID: name, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = once(this.process, 'exit').then(([code, signal]) => ({ code, signal }) as Exit);
    let pending = '';
    this.process.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) this.#record(line);
    });
    this.process.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Resolves with the first log line matching `predicate`, waiting up to `timeoutMs` for it. */
  async waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    let found: LogLine | undefined;
    await waitUntil(`a log line from ${this.name}`, timeoutMs, () => {
      found = this.logs.find(predicate);
      return found !== undefined || !this.running;
    });
    if (found === undefined) throw new Error(`${this.name} exited before logging it; stderr: ${this.stderr}`);
    return found;
  }

  /** Sends `signal` and waits for the process to end (SIGKILL after `timeoutMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<Exit> {
    if (this.running) {
      this.process.kill(signal);
      const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }

  /** GET a path on this replica. */
  fetch(path: string, init?: RequestInit): Promise<Response> {
    return fetch(`${this.url}${path}`, init);
  }

  /** Current value of one series of /metrics, e.g. metric('chat_messages_rejected_total{reason="binary"}'). */
  metric(series: string): Promise<number> {
    return readMetric(this.url, this.name, series);
  }

  #record(line: string): void {
    const parsed = parseLogLine(line);
    if (parsed !== undefined) this.logs.push(parsed);
  }
}

/** One output line of a replica as a log line; a line that is not JSON (a stack trace, say) comes back as level "raw". */
export function parseLogLine(line: string): LogLine | undefined {
  if (line.trim() === '') return undefined;
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return { level: 'raw', msg: line };
  }
}

/** Current value of one series of the /metrics of the replica `name` at `url`. */
export async function readMetric(url: string, name: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (line === undefined) throw new Error(`${name} exports no series ${series}`);
  return Number(line.slice(series.length + 1));
}

const started = new Set<Replica>();

/**
 * Starts a replica and waits until it listens and, unless told not to, until /readyz says ready
 * (its broker connected), as a load balancer would before sending it clients.
 */
export async function startReplica(
  name: string,
  env: Record<string, string> = {},
  options: { waitForReady?: boolean } = {},
): Promise<Replica> {
  const replica = new Replica(name, env);
  started.add(replica);
  const listening = await replica.waitForLog((line) => line.msg === 'listening');
  replica.port = listening.port as number;
  if (options.waitForReady ?? true) {
    await waitUntil(`${name} to be ready`, 15_000, async () => (await replica.fetch('/readyz')).status === 200);
  }
  return replica;
}

/** Test teardown: ends every replica this file started that is still running. */
export async function stopAllReplicas(): Promise<void> {
  await Promise.all([...started].map((replica) => replica.stop('SIGKILL')));
  started.clear();
}
