/**
 * The terminal report: one table per workload with absolute figures, then every figure as a
 * ratio to the peers measured in the same run (absolute numbers move between runs on a shared
 * machine; ratios measured side by side move much less), then the issue's targets.
 */
import type { SystemName } from '../systems/system.ts';
import { type Column, systemTable, type Table } from './columns.ts';
import { figureColumns } from './figure-columns.ts';
import { fixed, kilo, ratio, table } from './format.ts';
import { IDLE_COLUMNS, MAX_COLUMNS, STORM_COLUMNS, stormScope } from './result-columns.ts';
import type { BenchResults } from './results.ts';
import { fanoutFigures, type RunFigures, roomsFigures, type SystemSummary, summarize } from './summary.ts';

/** The peers every figure is compared with, when they ran. */
const PEERS: readonly SystemName[] = ['article-node', 'socketio', 'article-go'];

function systemText<Row extends { system: string }>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const { headers, cells } = systemTable(columns, rows, 'text');
  return table(headers, cells);
}

export function renderReport(results: BenchResults): string {
  const parts: string[] = [];
  const summary = summarize(results);
  const o = results.options;

  const fan = fanoutFigures(summary);
  if (fan.length > 0) {
    parts.push(
      `Fan-out: ${o.clients} clients, ${o.senders} senders, ${o.rate} msg/s (${kilo(o.rate * o.clients)} deliveries/s offered), ` +
        `${o.durationS} s${o.rounds > 1 ? `, median of ${o.rounds} rounds` : ''}; latency in ms; CPU in µs per delivered message`,
      systemText(figureColumns(false), fan),
    );
  }

  const rooms = roomsFigures(summary);
  if (rooms.length > 0) {
    parts.push(
      `Rooms: ${roomsShape(results)}, ${o.rate} msg/s (${kilo(offeredRoomDeliveries(results))} deliveries/s offered), ` +
        `${o.durationS} s${o.rounds > 1 ? `, median of ${o.rounds} rounds` : ''}; latency in ms; CPU in µs per delivered message`,
      systemText(figureColumns(true), rooms),
      ...leakLines(rooms),
    );
  }

  if (results.max.length > 0) {
    parts.push(
      `Max sustained: rate x${o.maxFactor} per ${o.maxStepS} s step from ${o.maxStartRate} msg/s until p99 > ${o.maxP99Ms} ms, a loss, or delivery behind`,
      systemText(MAX_COLUMNS, results.max),
    );
  }

  if (results.idle.length > 0) {
    parts.push(`Idle connections: ${o.idle} to one replica`, systemText(IDLE_COLUMNS, results.idle));
  }

  if (results.storm.length > 0) {
    parts.push(`Connect storm: ${stormScope(o)}`, systemText(STORM_COLUMNS, results.storm));
  }

  const ratios = ratioTable(summary);
  if (ratios.cells.length > 0) {
    parts.push(
      'Ratios to the peers measured in this run (value / peer; below 1 is better, except max deliv/s)',
      table(ratios.headers, ratios.cells, 2),
    );
  }

  const targets = targetLines(summary, results);
  if (targets.length > 0) parts.push('Targets (the issue), for chat in this run', targets.join('\n'));
  if (Object.keys(results.skipped).length > 0) {
    parts.push(
      `Skipped: ${Object.entries(results.skipped)
        .map(([s, why]) => `${s} (${why})`)
        .join('; ')}`,
    );
  }
  for (const f of results.failed) parts.push(`FAILED: ${f.system} ${f.workload}: ${f.error}`);
  for (const note of results.notes) parts.push(`Note: ${note}`);
  return `${parts.join('\n\n')}\n`;
}

/** "300 clients in 30 rooms of 10, 30 senders (1 per room)", from what the runs did. */
export function roomsShape(results: BenchResults): string {
  const o = results.options;
  const min = Math.min(...results.rooms.map((r) => r.members.min));
  const max = Math.max(...results.rooms.map((r) => r.members.max));
  return (
    `${o.clients} clients in ${o.rooms} rooms of ${min === max ? min : `${min}-${max}`}, ` +
    `${o.rooms * o.roomSenders} senders (${o.roomSenders} per room)`
  );
}

/** Each message goes to its room only: rate x the average room. */
export function offeredRoomDeliveries(results: BenchResults): number {
  return (results.options.rate * results.options.clients) / results.options.rooms;
}

/** A leak breaks rooms outright: said in capitals under the table, one line per system. */
export function leakLines(rooms: readonly (RunFigures & { system: string })[]): string[] {
  return rooms
    .filter((f) => f.leaked > 0)
    .map((f) => `LEAK: ${f.system} delivered ${f.leaked} messages to clients outside the message's room: FAILED`);
}

/** The figures compared across systems: name, unit and how to read it from a summary. */
const COMPARED: readonly [string, (s: SystemSummary) => number | undefined, number][] = [
  ['server µs/delivery', (s) => (s.rounds > 0 ? s.serverUs : undefined), 2],
  ['p50 ms', (s) => (s.rounds > 0 ? s.p50 : undefined), 2],
  ['p99 ms', (s) => (s.rounds > 0 ? s.p99 : undefined), 2],
  ['p99.9 ms', (s) => (s.rounds > 0 ? s.p999 : undefined), 2],
  ['RSS MiB/replica', (s) => (s.rounds > 0 ? s.rssMiB : undefined), 0],
  ['rooms server µs/delivery', (s) => s.rooms?.serverUs, 2],
  ['rooms p99 ms', (s) => s.rooms?.p99, 2],
  ['max deliveries/s', (s) => s.maxSustained, 0],
  [
    'idle KB/connection',
    (s) => (s.idleBytesPerConnection === undefined ? undefined : s.idleBytesPerConnection / 1000),
    2,
  ],
];

/**
 * One row per (system, figure) with the figure and its ratio to each peer that ran; no rows when no
 * peer ran, or nothing else did.
 */
export function ratioTable(summary: Map<SystemName, SystemSummary>): Table {
  const peers = PEERS.filter((p) => summary.has(p));
  const headers = ['system', 'figure', 'value', ...peers.map((p) => `/ ${p}`)];
  if (peers.length === 0 || summary.size < 2) return { headers, cells: [] };
  const cells: string[][] = [];
  for (const s of summary.values()) {
    for (const [name, pick, digits] of COMPARED) {
      const value = pick(s);
      if (value === undefined || !Number.isFinite(value)) continue;
      cells.push([
        s.system,
        name,
        fixed(value, digits),
        ...peers.map((peer) => ratio(value, pick(summary.get(peer) as SystemSummary))),
      ]);
    }
  }
  return { headers, cells };
}

export function targetLines(summary: Map<SystemName, SystemSummary>, results: BenchResults): string[] {
  const chat = summary.get('chat');
  if (chat === undefined) return [];
  const port = summary.get('article-node');
  const go = summary.get('article-go');
  const lines: string[] = [];
  const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
  if (port !== undefined && chat.rounds > 0 && port.rounds > 0) {
    const r = chat.serverUs / port.serverUs;
    lines.push(
      `  server CPU per delivery <= 0.65x plain port: ${r.toFixed(2)}x (${fixed(chat.serverUs, 2)} vs ${fixed(port.serverUs, 2)} µs)  ${verdict(r <= 0.65)}`,
    );
  }
  if (go !== undefined && chat.rounds > 0 && go.rounds > 0) {
    lines.push(
      `  p99 no worse than the article's Go program: ${fixed(chat.p99, 2)} vs ${fixed(go.p99, 2)} ms  ${verdict(chat.p99 <= go.p99)}`,
    );
  }
  if (port?.maxSustained !== undefined && chat.maxSustained !== undefined) {
    const r = chat.maxSustained / port.maxSustained;
    lines.push(
      `  max sustained >= 1.3x plain port: ${r.toFixed(2)}x (${kilo(chat.maxSustained)} vs ${kilo(port.maxSustained)} deliveries/s)  ${verdict(r >= 1.3)}`,
    );
  }
  const idle = results.idle.find((r) => r.system === 'chat');
  if (idle !== undefined) {
    const kb = idle.bytesPerConnection / 1000;
    lines.push(
      `  idle RSS <= 5 KB per connection (target at 20,000; here ${idle.opened}): ${kb.toFixed(2)} KB  ${verdict(kb <= 5)}`,
    );
  }
  const all = [...summary.values()];
  const roomsRan = results.rooms.length > 0;
  const losses = all.reduce(
    (a, s) =>
      a + s.lost + s.duplicated + s.maxLost + s.maxDuplicated + (s.rooms?.lost ?? 0) + (s.rooms?.duplicated ?? 0),
    0,
  );
  lines.push(
    `  no message lost or duplicated (fan-out${roomsRan ? ' and rooms' : ''} runs and max steps that held, all systems): ` +
      `${losses === 0 ? 'none' : losses}  ${verdict(losses === 0)}`,
  );
  if (roomsRan) {
    const leaked = all.reduce((a, s) => a + (s.rooms?.leaked ?? 0), 0);
    lines.push(
      `  no message delivered outside its room (rooms runs, all systems): ${leaked === 0 ? 'none' : leaked}  ${verdict(leaked === 0)}`,
    );
  }
  return lines;
}
