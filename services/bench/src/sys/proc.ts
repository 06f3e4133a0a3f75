/**
 * What the kernel says about processes and the machine (/proc): CPU time of a set of processes
 * (their own accounting, so it is what the system under test spent, whatever else runs), their
 * resident memory and children, and how busy the whole machine was, which tells how noisy a run was.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { allPids, procStat, TICKS_PER_SECOND } from '../../../../scripts/lib/proc.ts';

/** user + system CPU seconds of one process, all its threads, including exited ones; 0 if gone. */
export function cpuSeconds(pid: number): number {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/**
 * User and system (kernel) CPU seconds of one process. On loopback the kernel side of a write
 * includes delivering the segment to the receiving socket, so system time is mostly the network.
 */
function cpuSplit(pid: number): { user: number; system: number } {
  const stat = procStat(pid);
  return stat === undefined ? { user: 0, system: 0 } : { user: stat.user, system: stat.system };
}

/** Resident set size in bytes (VmRSS); 0 if the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

/**
 * Busy and total CPU seconds of the whole machine since boot (all cores), and of those the time in
 * interrupts and softirqs (which no process is charged for: on loopback, part of the network).
 */
function machineCpu(): { busy: number; total: number; interrupts: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return {
    busy: busy / TICKS_PER_SECOND,
    total: (busy + idle + iowait) / TICKS_PER_SECOND,
    interrupts: (irq + softirq) / TICKS_PER_SECOND,
  };
}

export const coreCount = (): number => cpus().length;

/** CPU seconds of every process now, by PID, with its command name. */
function processTable(): Map<number, { comm: string; seconds: number }> {
  const table = new Map<number, { comm: string; seconds: number }>();
  for (const pid of allPids()) {
    const stat = procStat(pid);
    if (stat !== undefined) table.set(pid, { comm: stat.comm, seconds: stat.user + stat.system });
  }
  return table;
}

/** CPU seconds of groups of processes between start() and stop(), and the machine's meanwhile. */
export class CpuWindow {
  readonly #groups: Record<string, readonly number[]>;
  readonly #start: Record<string, { user: number; system: number }> = {};
  readonly #machine: { busy: number; total: number; interrupts: number };
  readonly #startedAt = performance.now();
  readonly #table = processTable();

  constructor(groups: Record<string, readonly number[]>) {
    this.#groups = groups;
    for (const [name, pids] of Object.entries(groups)) this.#start[name] = total(pids);
    this.#machine = machineCpu();
  }

  /**
   * CPU seconds per group (and the kernel's share of them), the window's length, and the machine's
   * busy share (0..1, all cores).
   */
  stop(): {
    seconds: Record<string, number>;
    system: Record<string, number>;
    wallS: number;
    machineBusy: number;
    interruptsBusy: number;
    /** CPU seconds of processes outside the groups (other people's work, kernel threads), by command. */
    others: Record<string, number>;
  } {
    const seconds: Record<string, number> = {};
    const system: Record<string, number> = {};
    for (const [name, pids] of Object.entries(this.#groups)) {
      const now = total(pids);
      const start = this.#start[name] ?? { user: 0, system: 0 };
      seconds[name] = now.user + now.system - start.user - start.system;
      system[name] = now.system - start.system;
    }
    const machine = machineCpu();
    const totalDelta = machine.total - this.#machine.total;
    const ours = new Set([process.pid, ...Object.values(this.#groups).flat()]);
    const others: Record<string, number> = {};
    for (const [pid, now] of processTable()) {
      if (ours.has(pid)) continue;
      const spent = now.seconds - (this.#table.get(pid)?.seconds ?? 0);
      if (spent > 0) others[now.comm] = (others[now.comm] ?? 0) + spent;
    }
    return {
      seconds,
      system,
      others,
      wallS: (performance.now() - this.#startedAt) / 1000,
      machineBusy: totalDelta > 0 ? (machine.busy - this.#machine.busy) / totalDelta : 0,
      interruptsBusy: totalDelta > 0 ? (machine.interrupts - this.#machine.interrupts) / totalDelta : 0,
    };
  }
}

function total(pids: readonly number[]): { user: number; system: number } {
  const sum = { user: 0, system: 0 };
  for (const pid of pids) {
    const { user, system } = cpuSplit(pid);
    sum.user += user;
    sum.system += system;
  }
  return sum;
}

/**
 * Raises this process's open-file limit (children inherit it) with util-linux prlimit, which may
 * raise the hard limit when run as root. Returns the soft limit in force afterwards.
 */
export function raiseFileLimit(wanted: number): { limit: number; raised: boolean; note?: string } {
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${wanted}:${wanted}`], { stdio: 'pipe' });
    return { limit: currentFileLimit(), raised: true };
  } catch (error) {
    const limit = currentFileLimit();
    return {
      limit,
      raised: false,
      note:
        `open files per process: ${limit}; raising it to ${wanted} failed (${(error as Error).message.split('\n')[0]}): ` +
        'that takes root with CAP_SYS_RESOURCE, or a higher ulimit -Hn before the run',
    };
  }
}

function currentFileLimit(): number {
  const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return match === null ? 0 : Number(match[1]);
}
