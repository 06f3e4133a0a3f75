/** The machine a run happened on, for the results file and BENCHMARKS.md. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { type DamonMonitor, damonMonitors } from './damon.ts';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memGiB: number;
  kernel: string;
  node: string;
  redis: string;
  go: string | null;
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine. */
  loadAvgAtStart: number[];
  /** The kernel's memory access monitors that were running: their passes show in latency tails. */
  damon: DamonMonitor[];
}

export function machineInfo(redisBinary: string | null): MachineInfo {
  return {
    nproc: cpus().length,
    cpuModel: cpuModel(),
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    redis: redisBinary === null ? 'external' : (run(redisBinary, ['--version']) ?? 'unknown'),
    go: run('go', ['version']),
    loadAvgAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    damon: damonMonitors(),
  };
}

function cpuModel(): string {
  const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return match?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
}

function run(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}
