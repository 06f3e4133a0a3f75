/**
 * What a V8 heap snapshot says the live objects are: retained (self) bytes per constructor, so the
 * memory that idle connections cost is named class by class. V8 collects garbage before it writes a
 * snapshot, so this is live memory only, unlike RSS.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] }; node_count: number };
  nodes: number[];
  strings: string[];
}

export interface HeapSummary {
  file: string;
  totalBytes: number;
  /** Largest groups by self size: "Type:name", count and bytes. */
  top: { name: string; count: number; bytes: number }[];
  /** Every group (for differences between two snapshots). */
  all: { name: string; count: number; bytes: number }[];
}

export function summarizeHeap(file: string, limit = 25): HeapSummary {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, { count: number; bytes: number }>();
  let totalBytes = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt] as number] ?? '?';
    const size = snap.nodes[i + sizeAt] as number;
    totalBytes += size;
    // Objects and closures by constructor or function name; strings, arrays and code by type only.
    const name =
      type === 'object' || type === 'closure' || type === 'native'
        ? `${type}:${(snap.strings[snap.nodes[i + nameAt] as number] ?? '?').slice(0, 60)}`
        : type;
    const group = groups.get(name) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += size;
    groups.set(name, group);
  }
  const all = [...groups.entries()].sort((a, b) => b[1].bytes - a[1].bytes).map(([name, g]) => ({ name, ...g }));
  return { file, totalBytes, top: all.slice(0, limit), all };
}

/** Groups that grew between the two snapshots, in bytes per connection: what a connection keeps alive. */
export function renderHeapDelta(system: string, before: HeapSummary, after: HeapSummary, connections: number): string {
  const base = new Map(before.all.map((g) => [g.name, g]));
  const grown = after.all
    .map((g) => ({
      ...g,
      count: g.count - (base.get(g.name)?.count ?? 0),
      bytes: g.bytes - (base.get(g.name)?.bytes ?? 0),
    }))
    .filter((g) => g.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 25);
  const per = (n: number) => (n / Math.max(1, connections)).toFixed(1).padStart(8);
  return [
    `Live heap of ${system}: ${(before.totalBytes / 2 ** 20).toFixed(1)} MiB with no connections, ` +
      `${(after.totalBytes / 2 ** 20).toFixed(1)} MiB with ${connections} idle ones: ` +
      `${((after.totalBytes - before.totalBytes) / Math.max(1, connections)).toFixed(0)} B per connection. What grew:`,
    '     B/conn  per conn  kind:name',
    ...grown.map((g) => `  ${per(g.bytes)}  ${per(g.count)}  ${g.name}`),
    '',
  ].join('\n');
}
