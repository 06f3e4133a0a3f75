/** Everything one benchmark run found: what the table, the JSON file and the chart are made from. */
import type { BenchOptions } from '../options.ts';
import type { MachineInfo } from '../sys/machine.ts';
import type { SystemName } from '../systems/system.ts';
import type { FanoutResult } from '../workloads/fanout.ts';
import type { IdleResult } from '../workloads/idle.ts';
import type { MaxResult } from '../workloads/max.ts';
import type { RoomsResult } from '../workloads/rooms.ts';
import type { StormResult } from '../workloads/storm.ts';

export interface ProfileSummary {
  system: string;
  /** What was measured while it was recorded, e.g. "measured fan-out window". */
  workload: string;
  file: string;
  /** Busy samples inside the measured window (idle samples are left out). */
  samples: number;
  idleSamples: number;
  top: { name: string; where: string; selfPct: number }[];
  categories: { category: string; selfPct: number }[];
  inclusive: { name: string; where: string; pct: number }[];
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  options: BenchOptions;
  titles: Partial<Record<SystemName, string>>;
  /** Systems that could not run here, and why. */
  skipped: Partial<Record<SystemName, string>>;
  /** Systems that failed during the run, and how. */
  failed: { system: string; workload: string; error: string }[];
  fanout: FanoutResult[];
  max: MaxResult[];
  idle: IdleResult[];
  storm: StormResult[];
  /** The rooms workload, on the systems that have rooms (the others are named in the notes). */
  rooms: RoomsResult[];
  profiles: ProfileSummary[];
  notes: string[];
}

/** A run's results before any workload has run: what it runs on and with, nothing measured yet. */
export function emptyResults(start: Pick<BenchResults, 'startedAt' | 'machine' | 'options' | 'notes'>): BenchResults {
  return {
    ...start,
    finishedAt: '',
    titles: {},
    skipped: {},
    failed: [],
    fanout: [],
    max: [],
    idle: [],
    storm: [],
    rooms: [],
    profiles: [],
  };
}
