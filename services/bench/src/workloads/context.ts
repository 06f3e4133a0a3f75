/**
 * What every workload gets: the options, the Redis, the load generator, and a deployment of the
 * system under test (its processes, optionally behind nginx) with the addresses clients use.
 */
import type { LoadGenerator } from '../loadgen/pool.ts';
import type { BenchOptions } from '../options.ts';
import type { RedisAddress } from '../systems/system.ts';

export interface BenchContext {
  readonly options: BenchOptions;
  readonly redis: RedisAddress;
  /** Our own redis-server's PID (its CPU is reported), undefined with --redis-url. */
  readonly redisPid: number | undefined;
  readonly gen: LoadGenerator;
  /** Open files a process may have (every process here inherits it): caps connections per process. */
  readonly fileLimit: number;
  /** Scratch directory for built binaries and profiles. */
  readonly workDir: string;
  /** A fresh run number: messages of earlier runs that arrive late are told apart by it. */
  nextRun(): number;
  log(message: string): void;
  /** Adds a line to the report's notes. */
  note(message: string): void;
}
