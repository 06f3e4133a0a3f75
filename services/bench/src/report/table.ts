/**
 * The terminal report: one table per workload with absolute figures, then every figure as a
 * ratio to the peers measured in the same run (absolute numbers move between runs on a shared
 * machine; ratios measured side by side move much less), then the issue's targets.
 */
import type { SystemName } from '../systems/system.ts';
import { figureRows } from './figure-columns.ts';
import { fixed, kilo, ratio, table } from './format.ts';
import type { BenchResults } from './results.ts';
import { type RunFigures, type SystemSummary, summarize } from './summary.ts';

/** The peers every figure is compared with, when they ran. */
const PEERS: readonly SystemName[] = ['article-node', 'socketio', 'article-go'];

export function renderReport(results: BenchResults): string {
  const parts: string[] = [];
  const summary = summarize(results);
  const rows = [...summary.values()];
  const o = results.options;

  if (results.fanout.length > 0) {
    parts.push(
      `Fan-out: ${o.clients} clients, ${o.senders} senders, ${o.rate} msg/s (${kilo(o.rate * o.clients)} deliveries/s offered), ` +
        `${o.durationS} s${o.rounds > 1 ? `, median of ${o.rounds} rounds` : ''}; latency in ms; CPU in µs per delivered message`,
      figuresTable(
        rows.filter((r) => r.rounds > 0).map((r) => [r.system, r]),
        false,
      ),
    );
  }

  const rooms = rows.flatMap((r): [string, RunFigures][] => (r.rooms === undefined ? [] : [[r.system, r.rooms]]));
  if (rooms.length > 0) {
    parts.push(
      `Rooms: ${roomsShape(results)}, ${o.rate} msg/s (${kilo(offeredRoomDeliveries(results))} deliveries/s offered), ` +
        `${o.durationS} s${o.rounds > 1 ? `, median of ${o.rounds} rounds` : ''}; latency in ms; CPU in µs per delivered message`,
      figuresTable(rooms, true),
      ...leakLines(rooms),
    );
  }

  if (results.max.length > 0) {
    parts.push(
      `Max sustained: rate x${o.maxFactor} per ${o.maxStepS} s step from ${o.maxStartRate} msg/s until p99 > ${o.maxP99Ms} ms, a loss, or delivery behind`,
      table(
        ['system', 'best deliv/s', 'p99 there', 'steps', 'stopped because'],
        results.max.map((m) => [
          m.system,
          kilo(m.best?.deliveredPerSec),
          fixed(m.best?.latencyMs.p99, 2),
          String(m.steps.length),
          m.stopReason,
        ]),
        1,
      ),
    );
  }

  if (results.idle.length > 0) {
    parts.push(
      `Idle connections: ${o.idle} to one replica`,
      table(
        [
          'system',
          'opened',
          'failed',
          'accept s',
          'conn/s',
          'srv µs/conn',
          'RSS before',
          'RSS after',
          'KB/conn',
          'dropped',
        ],
        results.idle.map((r) => [
          r.system,
          String(r.opened),
          String(r.failed),
          fixed(r.acceptS, 2),
          kilo(r.acceptPerSec),
          fixed(r.serverUsPerConnection, 0),
          fixed(r.rssBeforeMiB, 1),
          fixed(r.rssAfterMiB, 1),
          fixed(r.bytesPerConnection / 1000, 2),
          String(r.droppedBeforeRead),
        ]),
      ),
    );
  }

  if (results.storm.length > 0) {
    parts.push(
      `Connect storm: ${o.storm} clients at once over ${o.replicas} replicas`,
      table(
        ['system', 'opened', 'failed', 'all ready s', 'p50 ms', 'p99 ms', 'max ms', 'lost after'],
        results.storm.map((r) => [
          r.system,
          String(r.opened),
          String(r.failed),
          fixed(r.allReadyS, 2),
          fixed(r.connectMs.p50, 1),
          fixed(r.connectMs.p99, 1),
          fixed(r.connectMs.max, 1),
          String(r.lostAfter),
        ]),
      ),
    );
  }

  const ratios = ratioRows(summary);
  if (ratios.length > 0) {
    const peers = PEERS.filter((p) => summary.has(p));
    parts.push(
      'Ratios to the peers measured in this run (value / peer; below 1 is better, except max deliv/s)',
      table(['system', 'figure', 'value', ...peers.map((p) => `/ ${p}`)], ratios, 2),
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

/** A fixed-rate workload's table (fan-out, rooms), one row per system; `leaked` where rooms can leak. */
function figuresTable(rows: [string, RunFigures][], withLeaked: boolean): string {
  const { headers, cells } = figureRows(rows, { markdown: false, withLeaked });
  return table(headers, cells);
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
export function leakLines(rooms: readonly [string, RunFigures][]): string[] {
  return rooms
    .filter(([, f]) => f.leaked > 0)
    .map(
      ([system, f]) => `LEAK: ${system} delivered ${f.leaked} messages to clients outside the message's room: FAILED`,
    );
}

/** The figures compared across systems: name, unit and how to read it from a summary. */
export const COMPARED: readonly [string, (s: SystemSummary) => number | undefined, number][] = [
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

/** One row per (system, figure) with the figure and its ratio to each peer that ran. */
export function ratioRows(summary: Map<SystemName, SystemSummary>): string[][] {
  const peers = PEERS.filter((p) => summary.has(p));
  if (peers.length === 0 || summary.size < 2) return [];
  const rows: string[][] = [];
  for (const s of summary.values()) {
    for (const [name, pick, digits] of COMPARED) {
      const value = pick(s);
      if (value === undefined || !Number.isFinite(value)) continue;
      rows.push([
        s.system,
        name,
        fixed(value, digits),
        ...peers.map((peer) => ratio(value, pick(summary.get(peer) as SystemSummary))),
      ]);
    }
  }
  return rows;
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
