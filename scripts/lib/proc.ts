/**
 * What /proc says of a process: its command, parent and CPU time, and its children. The benchmark
 * reads CPU from here and the tests find nginx's workers here, so /proc(5)'s stat format is parsed
 * in one place.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second (USER_HZ); 100 on every Linux this runs on. */
export const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcStat {
  comm: string;
  ppid: number;
  /** CPU seconds in user space and in the kernel, all threads, including exited ones. */
  user: number;
  system: number;
}

/** What /proc/<pid>/stat says of a process; undefined once it is gone. */
export function procStat(pid: number): ProcStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may contain spaces: count fields after the last ')'.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // Fields 4 (ppid), 14 (utime) and 15 (stime) of proc(5), here at 1, 11 and 12 after pid, comm and state.
  return {
    comm: stat.slice(stat.indexOf('(') + 1, close),
    ppid: Number(fields[1]),
    user: Number(fields[11]) / TICKS_PER_SECOND,
    system: Number(fields[12]) / TICKS_PER_SECOND,
  };
}

/** Every process's PID, now. */
export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** Direct children of `pid` (nginx's workers). */
export function childPids(pid: number): number[] {
  return allPids().filter((child) => procStat(child)?.ppid === pid);
}
