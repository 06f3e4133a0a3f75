/**
 * The columns of a fixed-rate workload's table (fan-out, rooms), shared by the text report and the
 * markdown one so that both show the same figures: the text report uses the short headings and
 * every column, the markdown report the long headings and the columns a reader of the published
 * tables needs (the generator's and Redis's details stay in the text and the JSON).
 */
import { fixed, kilo } from './format.ts';
import type { RunFigures } from './summary.ts';

export interface FigureColumn {
  short: string;
  long: string;
  cell: (f: RunFigures) => string;
  /** Only in the text report. */
  textOnly?: boolean;
  /** Only for workloads where a message can reach the wrong client (rooms). */
  leaksOnly?: boolean;
}

const COLUMNS: readonly FigureColumn[] = [
  { short: 'deliv/s', long: 'delivered/s', cell: (f) => kilo(f.deliveredPerSec) },
  { short: 'p50', long: 'p50', cell: (f) => fixed(f.p50, 2) },
  { short: 'p90', long: 'p90', cell: (f) => fixed(f.p90, 2) },
  { short: 'p99', long: 'p99', cell: (f) => fixed(f.p99, 2) },
  { short: 'p99.9', long: 'p99.9', cell: (f) => fixed(f.p999, 2) },
  { short: 'max', long: 'max', cell: (f) => fixed(f.max, 1) },
  { short: 'lost', long: 'lost', cell: (f) => String(f.lost) },
  { short: 'refused', long: 'refused', cell: (f) => String(f.refused) },
  { short: 'dup', long: 'dup', cell: (f) => String(f.duplicated) },
  { short: 'leaked', long: 'leaked', cell: (f) => String(f.leaked), leaksOnly: true },
  { short: 'srv µs', long: 'server µs', cell: (f) => fixed(f.serverUs, 2) },
  { short: 'srv sys%', long: 'kernel %', cell: (f) => fixed(f.serverKernelPct, 0) },
  { short: 'srv cores', long: 'server cores', cell: (f) => fixed(f.serverCores, 2) },
  { short: 'RSS MiB', long: 'RSS MiB/replica', cell: (f) => fixed(f.rssMiB, 0) },
  { short: 'gen µs', long: 'generator µs', cell: (f) => fixed(f.generatorUs, 2) },
  { short: 'gen cores', long: 'generator cores', cell: (f) => fixed(f.generatorCores, 2), textOnly: true },
  { short: 'lag p99', long: 'send lag p99', cell: (f) => fixed(f.sendLagP99, 2), textOnly: true },
  { short: 'redis µs', long: 'redis µs', cell: (f) => fixed(f.redisUs, 2), textOnly: true },
  { short: 'other cores', long: 'other cores', cell: (f) => fixed(f.otherCores, 2) },
];

/** Headings and rows of a fixed-rate workload's table, one row per system. */
export function figureRows(
  rows: readonly [string, RunFigures][],
  options: { markdown: boolean; withLeaked: boolean },
): { headers: string[]; cells: string[][] } {
  const columns = COLUMNS.filter(
    (column) => (options.withLeaked || !column.leaksOnly) && (!options.markdown || !column.textOnly),
  );
  return {
    headers: ['system', ...columns.map((column) => (options.markdown ? column.long : column.short))],
    cells: rows.map(([system, f]) => [system, ...columns.map((column) => column.cell(f))]),
  };
}
