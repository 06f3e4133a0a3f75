/**
 * DAMON, the kernel's data access monitor, as the machine runs it (/sys/kernel/mm/damon/admin).
 * A host that reclaims a VM's memory with it runs a `kdamond` thread that checks pages every
 * sampling interval; on this machine each pass stalls a process for a few milliseconds, longer the
 * more memory the process touches, and it shows in every system's latency tail as late messages
 * one interval apart (BENCHMARKS.md, "What is left"). A run records it so that a tail can be read
 * against it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DAMON_ADMIN = '/sys/kernel/mm/damon/admin';

/** One running kdamond: how often it samples and what it does with what it finds. */
export interface DamonMonitor {
  pid: number;
  sampleMs: number;
  /** The address space it watches: `paddr` is all of physical memory, every process included. */
  operations: string[];
  /** What its schemes do to the regions they match, e.g. `pageout`. */
  actions: string[];
}

/** The kdamonds that are on; none when DAMON is absent, off or not readable. */
export function damonMonitors(admin = DAMON_ADMIN): DamonMonitor[] {
  const monitors: DamonMonitor[] = [];
  for (const kdamond of numbered(join(admin, 'kdamonds'))) {
    if (read(join(kdamond, 'state')) !== 'on') continue;
    const contexts = numbered(join(kdamond, 'contexts'));
    const intervals = contexts.map((context) => join(context, 'monitoring_attrs', 'intervals'));
    monitors.push({
      pid: Number(read(join(kdamond, 'pid'))),
      // Several contexts of one kdamond take turns in one thread: the shortest interval is its pace.
      sampleMs: Math.min(...intervals.map((dir) => Number(read(join(dir, 'sample_us'))) / 1000)),
      operations: distinct(contexts.map((context) => read(join(context, 'operations')))),
      actions: distinct(
        contexts.flatMap((context) => numbered(join(context, 'schemes')).map((scheme) => read(join(scheme, 'action')))),
      ),
    });
  }
  return monitors;
}

/** A monitor in a line: "kdamond (pid 77) samples paddr every 500 ms; pageout". */
export function describeDamon(monitor: DamonMonitor): string {
  const actions = monitor.actions.length === 0 ? '' : `; ${monitor.actions.join(', ')}`;
  return `kdamond (pid ${monitor.pid}) samples ${monitor.operations.join(', ')} every ${monitor.sampleMs} ms${actions}`;
}

/** The numbered entries of a sysfs directory (`0`, `1`, ...), as paths; none if it is missing. */
function numbered(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(a) - Number(b))
    .map((name) => join(dir, name));
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function distinct(values: string[]): string[] {
  return [...new Set(values.filter((value) => value !== ''))];
}
