/**
 * The same report as Markdown, for BENCHMARKS.md: written beside the JSON on every run, so the
 * published tables are pasted from a run, never typed.
 */
import type { SystemName } from '../systems/system.ts';
import { figureRows } from './figure-columns.ts';
import { fixed, kilo } from './format.ts';
import type { BenchResults } from './results.ts';
import { type RunFigures, summarize } from './summary.ts';
import { leakLines, offeredRoomDeliveries, ratioRows, roomsShape, targetLines } from './table.ts';

const PEERS: readonly SystemName[] = ['article-node', 'socketio', 'article-go'];

function md(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** A fixed-rate workload's table (fan-out, rooms), one row per system; `leaked` where rooms can leak. */
function figuresTable(rows: [string, RunFigures][], withLeaked: boolean): string {
  const { headers, cells } = figureRows(rows, { markdown: true, withLeaked });
  return md(headers, cells);
}

export function renderMarkdown(results: BenchResults): string {
  const o = results.options;
  const m = results.machine;
  const summary = summarize(results);
  const out: string[] = [
    `Run of ${results.startedAt} to ${results.finishedAt}: ${m.nproc} cores (${m.cpuModel}), ${m.memGiB} GiB, ` +
      `Linux ${m.kernel}, Node ${m.node}, ${m.redis}${m.go === null ? '' : `, ${m.go}`}; load average at start ${m.loadAvgAtStart.join(' / ')}.`,
  ];
  const fan = [...summary.values()].filter((s) => s.rounds > 0);
  if (fan.length > 0) {
    out.push(
      `**Fan-out**: ${o.replicas} replicas, ${o.clients} clients, ${o.senders} senders, ${o.rate} msg/s ` +
        `(${kilo(o.rate * o.clients)} deliveries/s), ${o.durationS} s after ${o.warmupS} s of warm-up` +
        `${o.rounds > 1 ? `; median of ${o.rounds} rounds, systems interleaved` : ''}. Latency in ms, end to end; CPU in µs per delivered message.`,
      figuresTable(
        fan.map((s) => [s.system, s]),
        false,
      ),
    );
  }
  const rooms = [...summary.values()].flatMap((s): [string, RunFigures][] =>
    s.rooms === undefined ? [] : [[s.system, s.rooms]],
  );
  if (rooms.length > 0) {
    out.push(
      `**Rooms**: ${o.replicas} replicas, ${roomsShape(results)}, every room with members on every replica; ` +
        `${o.rate} msg/s in all (${kilo(offeredRoomDeliveries(results))} deliveries/s: each message to its room, the sender included), ` +
        `${o.durationS} s after ${o.warmupS} s of warm-up${o.rounds > 1 ? `; median of ${o.rounds} rounds` : ''}. ` +
        '*leaked*: messages delivered to a client outside their room (must be 0).',
      figuresTable(rooms, true),
      ...leakLines(rooms).map((line) => `**${line}**`),
    );
  }
  if (results.max.length > 0) {
    out.push(
      `**Max sustained**: rate x${o.maxFactor} per ${o.maxStepS} s step from ${o.maxStartRate} msg/s, until p99 > ${o.maxP99Ms} ms, ` +
        'a lost or duplicated message, or delivery below 97 % of the offered rate.',
      md(
        [
          'system',
          'best delivered/s',
          'p99 there (ms)',
          'server cores there',
          'generator cores there',
          'stopped because',
        ],
        results.max.map((r) => [
          r.system,
          kilo(r.best?.deliveredPerSec),
          fixed(r.best?.latencyMs.p99, 1),
          fixed(r.best?.cpu.serverCores, 2),
          fixed(r.best?.cpu.generatorCores, 2),
          r.stopReason,
        ]),
      ),
    );
  }
  if (results.idle.length > 0) {
    out.push(
      `**Idle connections** to one replica (asked: ${o.idle}).`,
      md(
        [
          'system',
          'opened',
          'accept s',
          'connections/s',
          'server µs/connection',
          'RSS before MiB',
          'RSS after MiB',
          'KB/connection',
        ],
        results.idle.map((r) => [
          r.system,
          String(r.opened),
          fixed(r.acceptS, 2),
          kilo(r.acceptPerSec),
          fixed(r.serverUsPerConnection, 0),
          fixed(r.rssBeforeMiB, 1),
          fixed(r.rssAfterMiB, 1),
          fixed(r.bytesPerConnection / 1000, 2),
        ]),
      ),
    );
  }
  if (results.storm.length > 0) {
    out.push(
      `**Connect storm**: ${o.storm} clients at once over ${o.replicas} replicas.`,
      md(
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
    out.push(
      '**Ratios** to the peers measured in the same run (value / peer; below 1 is better, except max deliveries/s).',
      md(['system', 'figure', 'value', ...peers.map((p) => `/ ${p}`)], ratios),
    );
  }
  const targets = targetLines(summary, results);
  if (targets.length > 0)
    out.push('**Targets** (the issue) for chat in this run:', targets.map((t) => `- ${t.trim()}`).join('\n'));
  for (const note of results.notes) out.push(`Note: ${note}`);
  return `${out.join('\n\n')}\n`;
}
