/**
 * Finding a tool the scripts start (nginx, redis-server): the first candidate that runs.
 *
 *   firstThatRuns(['nginx', '/usr/sbin/nginx'], ['-v'])   // 'nginx', or null if none runs
 */
import { execFileSync } from 'node:child_process';

/** The first of `candidates` that exits 0 when run with `args` (a version flag), or null. */
export function firstThatRuns(candidates: readonly string[], args: readonly string[]): string | null {
  return candidates.find((candidate) => runs(candidate, args)) ?? null;
}

function runs(command: string, args: readonly string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
