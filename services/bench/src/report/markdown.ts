/**
 * The same report as Markdown, for BENCHMARKS.md: written beside the JSON on every run, so the
 * published tables are pasted from a run, never typed.
 */
import { type Column, systemTable, type Table } from './columns.ts';
import { figureColumns } from './figure-columns.ts';
import { kilo } from './format.ts';
import { IDLE_COLUMNS, MAX_COLUMNS, STORM_COLUMNS, stormScope } from './result-columns.ts';
import type { BenchResults } from './results.ts';
import { fanoutFigures, roomsFigures, summarize } from './summary.ts';
import { leakLines, offeredRoomDeliveries, ratioTable, roomsShape, targetLines } from './table.ts';

function md({ headers, cells }: Table): string {
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  return [line(headers), line(headers.map((_, i) => (i === 0 ? '---' : '---:'))), ...cells.map(line)].join('\n');
}

function systemMd<Row extends { system: string }>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  return md(systemTable(columns, rows, 'markdown'));
}

export function renderMarkdown(results: BenchResults): string {
  const o = results.options;
  const m = results.machine;
  const summary = summarize(results);
  const out: string[] = [
    `Run of ${results.startedAt} to ${results.finishedAt}: ${m.nproc} cores (${m.cpuModel}), ${m.memGiB} GiB, ` +
      `Linux ${m.kernel}, Node ${m.node}, ${m.redis}${m.go === null ? '' : `, ${m.go}`}; load average at start ${m.loadAvgAtStart.join(' / ')}.`,
  ];
  const fan = fanoutFigures(summary);
  if (fan.length > 0) {
    out.push(
      `**Fan-out**: ${o.replicas} replicas, ${o.clients} clients, ${o.senders} senders, ${o.rate} msg/s ` +
        `(${kilo(o.rate * o.clients)} deliveries/s), ${o.durationS} s after ${o.warmupS} s of warm-up` +
        `${o.rounds > 1 ? `; median of ${o.rounds} rounds, systems interleaved` : ''}. Latency in ms, end to end; CPU in µs per delivered message.`,
      systemMd(figureColumns(false), fan),
    );
  }
  const rooms = roomsFigures(summary);
  if (rooms.length > 0) {
    out.push(
      `**Rooms**: ${o.replicas} replicas, ${roomsShape(results)}, every room with members on every replica; ` +
        `${o.rate} msg/s in all (${kilo(offeredRoomDeliveries(results))} deliveries/s: each message to its room, the sender included), ` +
        `${o.durationS} s after ${o.warmupS} s of warm-up${o.rounds > 1 ? `; median of ${o.rounds} rounds` : ''}. ` +
        '*leaked*: messages delivered to a client outside their room (must be 0).',
      systemMd(figureColumns(true), rooms),
      ...leakLines(rooms).map((line) => `**${line}**`),
    );
  }
  if (results.max.length > 0) {
    out.push(
      `**Max sustained**: rate x${o.maxFactor} per ${o.maxStepS} s step from ${o.maxStartRate} msg/s, until p99 > ${o.maxP99Ms} ms, ` +
        'a lost or duplicated message, or delivery below 97 % of the offered rate.',
      systemMd(MAX_COLUMNS, results.max),
    );
  }
  if (results.idle.length > 0) {
    out.push(`**Idle connections** to one replica (asked: ${o.idle}).`, systemMd(IDLE_COLUMNS, results.idle));
  }
  if (results.storm.length > 0) {
    out.push(`**Connect storm**: ${stormScope(o)}.`, systemMd(STORM_COLUMNS, results.storm));
  }
  const ratios = ratioTable(summary);
  if (ratios.cells.length > 0) {
    out.push(
      '**Ratios** to the peers measured in the same run (value / peer; below 1 is better, except max deliveries/s).',
      md(ratios),
    );
  }
  const targets = targetLines(summary, results);
  if (targets.length > 0)
    out.push('**Targets** (the issue) for chat in this run:', targets.map((t) => `- ${t.trim()}`).join('\n'));
  for (const note of results.notes) out.push(`Note: ${note}`);
  return `${out.join('\n\n')}\n`;
}
