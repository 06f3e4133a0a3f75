/** The columns of the max ramp's, the idle connections' and the connect storm's tables, in both reports. */
import type { BenchOptions } from '../options.ts';
import type { IdleResult } from '../workloads/idle.ts';
import type { MaxResult } from '../workloads/max.ts';
import type { StormResult } from '../workloads/storm.ts';
import type { Column } from './columns.ts';
import { fixed, kilo } from './format.ts';

export const MAX_COLUMNS: readonly Column<MaxResult>[] = [
  { short: 'best deliv/s', long: 'best delivered/s', cell: (m) => kilo(m.best?.deliveredPerSec) },
  // The published tables round the p99 at the best step to 0.1 ms; the terminal keeps 0.01.
  { short: 'p99 there', cell: (m) => fixed(m.best?.latencyMs.p99, 2), only: 'text' },
  { short: 'p99 there (ms)', cell: (m) => fixed(m.best?.latencyMs.p99, 1), only: 'markdown' },
  { short: 'steps', cell: (m) => String(m.steps.length), only: 'text' },
  { short: 'server cores there', cell: (m) => fixed(m.best?.cpu.serverCores, 2), only: 'markdown' },
  { short: 'generator cores there', cell: (m) => fixed(m.best?.cpu.generatorCores, 2), only: 'markdown' },
  { short: 'stopped because', cell: (m) => m.stopReason },
];

export const IDLE_COLUMNS: readonly Column<IdleResult>[] = [
  { short: 'opened', cell: (r) => String(r.opened) },
  { short: 'failed', cell: (r) => String(r.failed), only: 'text' },
  { short: 'accept s', cell: (r) => fixed(r.acceptS, 2) },
  { short: 'conn/s', long: 'connections/s', cell: (r) => kilo(r.acceptPerSec) },
  { short: 'srv µs/conn', long: 'server µs/connection', cell: (r) => fixed(r.serverUsPerConnection, 0) },
  { short: 'RSS before', long: 'RSS before MiB', cell: (r) => fixed(r.rssBeforeMiB, 1) },
  { short: 'RSS after', long: 'RSS after MiB', cell: (r) => fixed(r.rssAfterMiB, 1) },
  { short: 'KB/conn', long: 'KB/connection', cell: (r) => fixed(r.bytesPerConnection / 1000, 2) },
  { short: 'dropped', cell: (r) => String(r.droppedBeforeRead), only: 'text' },
];

export const STORM_COLUMNS: readonly Column<StormResult>[] = [
  { short: 'opened', cell: (r) => String(r.opened) },
  { short: 'failed', cell: (r) => String(r.failed) },
  { short: 'all ready s', cell: (r) => fixed(r.allReadyS, 2) },
  { short: 'server CPU s', cell: (r) => fixed(r.serverCpuS, 2) },
  { short: 'p50 ms', cell: (r) => fixed(r.connectMs.p50, 1) },
  { short: 'p99 ms', cell: (r) => fixed(r.connectMs.p99, 1) },
  { short: 'max ms', cell: (r) => fixed(r.connectMs.max, 1) },
  { short: 'lost after', cell: (r) => String(r.lostAfter) },
];

/** What the connect storm was, for both reports' headings. */
export function stormScope(o: BenchOptions): string {
  const where = {
    none: '',
    presence: ', all joining one room in its presence',
    'no-presence': ', all joining one room out of its presence',
  };
  return `${o.storm} clients at once over ${o.replicas} replicas${where[o.stormRoom]}`;
}
