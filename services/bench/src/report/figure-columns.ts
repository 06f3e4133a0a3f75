/** The columns of a fixed-rate workload's table (fan-out, rooms), in both reports. */
import type { Column } from './columns.ts';
import { fixed, kilo } from './format.ts';
import type { RunFigures } from './summary.ts';

interface FigureColumn extends Column<RunFigures> {
  /** Only for workloads where a message can reach the wrong client (rooms). */
  leaksOnly?: boolean;
}

const COLUMNS: readonly FigureColumn[] = [
  { short: 'deliv/s', long: 'delivered/s', cell: (f) => kilo(f.deliveredPerSec) },
  { short: 'p50', cell: (f) => fixed(f.p50, 2) },
  { short: 'p90', cell: (f) => fixed(f.p90, 2) },
  { short: 'p99', cell: (f) => fixed(f.p99, 2) },
  { short: 'p99.9', cell: (f) => fixed(f.p999, 2) },
  { short: 'max', cell: (f) => fixed(f.max, 1) },
  { short: 'lost', cell: (f) => String(f.lost) },
  { short: 'refused', cell: (f) => String(f.refused) },
  { short: 'dup', cell: (f) => String(f.duplicated) },
  { short: 'leaked', cell: (f) => String(f.leaked), leaksOnly: true },
  { short: 'srv µs', long: 'server µs', cell: (f) => fixed(f.serverUs, 2) },
  { short: 'srv sys%', long: 'kernel %', cell: (f) => fixed(f.serverKernelPct, 0) },
  { short: 'srv cores', long: 'server cores', cell: (f) => fixed(f.serverCores, 2) },
  { short: 'RSS MiB', long: 'RSS MiB/replica', cell: (f) => fixed(f.rssMiB, 0) },
  { short: 'gen µs', long: 'generator µs', cell: (f) => fixed(f.generatorUs, 2) },
  { short: 'gen cores', cell: (f) => fixed(f.generatorCores, 2), only: 'text' },
  { short: 'lag p99', cell: (f) => fixed(f.sendLagP99, 2), only: 'text' },
  { short: 'redis µs', cell: (f) => fixed(f.redisUs, 2), only: 'text' },
  { short: 'other cores', cell: (f) => fixed(f.otherCores, 2) },
];

/** The columns of a fixed-rate workload's table; `leaked` where messages can leak (rooms). */
export function figureColumns(withLeaked: boolean): readonly Column<RunFigures>[] {
  return COLUMNS.filter((column) => withLeaked || !column.leaksOnly);
}
