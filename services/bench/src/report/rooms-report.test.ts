import { describe, expect, it } from 'vitest';
import { parseOptions } from '../options.ts';
import type { RunStats } from '../workloads/measure.ts';
import type { RoomsResult } from '../workloads/rooms.ts';
import { renderMarkdown } from './markdown.ts';
import { type BenchResults, emptyResults } from './results.ts';
import { renderReport } from './table.ts';

/** A rooms run as the workload reports it, with `leaked` of its messages delivered out of their room. */
function roomsRun(system: string, leaked: number): RoomsResult {
  const latency = { p50: 1, p90: 2, p99: 3, p999: 4, max: 5, mean: 1.5 };
  const stats: RunStats = {
    rate: 200,
    durationS: 10,
    clients: 300,
    sent: 2000,
    expected: 20_000,
    delivered: 20_000,
    lost: 0,
    duplicated: 0,
    leaked,
    stale: 0,
    closed: 0,
    closeReasons: {},
    refused: {},
    deliveredPerSec: 2000,
    latencyMs: latency,
    sendLagMs: { p99: 0.1, max: 0.2 },
    drainMs: 3,
    cpu: {
      serverS: 1,
      redisS: 0.1,
      generatorS: 0.5,
      proxyS: 0,
      serverUsPerDelivery: 50,
      serverKernelPct: 30,
      generatorKernelPct: 40,
      generatorUsPerDelivery: 25,
      redisUsPerDelivery: 5,
      serverCores: 0.1,
      generatorCores: 0.05,
      machineBusyPct: 10,
      otherCores: 0,
      interruptCores: 0,
      otherTop: {},
      windowS: 10,
    },
    rssMiB: [80, 81, 82],
  };
  return {
    system,
    round: 0,
    rooms: 30,
    sendersPerRoom: 1,
    members: { min: 10, max: 10 },
    ...stats,
    windowUs: [0, 1],
  };
}

function results(rooms: RoomsResult[]): BenchResults {
  const options = parseOptions(['--workloads', 'rooms', '--systems', 'chat,socketio'], '/repo');
  if (options === 'help') throw new Error('unexpected');
  return {
    ...emptyResults({
      startedAt: 'start',
      machine: {
        nproc: 2,
        cpuModel: 'cpu',
        memGiB: 4,
        kernel: 'k',
        node: 'v24',
        redis: 'r',
        go: null,
        loadAvgAtStart: [0],
        damon: [],
      },
      options,
      notes: ['rooms: article-node skipped: no rooms in its design'],
    }),
    finishedAt: 'end',
    rooms,
  };
}

describe('the rooms report', () => {
  it('shows a rooms table with a leaked column, and the leak target met when nothing leaked', () => {
    const clean = results([roomsRun('chat', 0), roomsRun('socketio', 0)]);
    const report = renderReport(clean);
    expect(report).toMatch(/^Rooms: 300 clients in 30 rooms of 10, 30 senders \(1 per room\), 200 msg\/s \(2\.0k/m);
    expect(report).toMatch(/^system +deliv\/s +p50 .* dup +leaked +srv µs/m);
    expect(report).toMatch(/no message delivered outside its room \(rooms runs, all systems\): none {2}MET/);
    expect(report).toMatch(/^Note: rooms: article-node skipped/m);
    expect(report).not.toMatch(/LEAK/);
    expect(renderMarkdown(clean)).toMatch(/^\| system \| delivered\/s .* \| dup \| leaked \| server µs /m);
  });

  it('says a leak loudly, under the table and in the targets, in both reports', () => {
    const leaky = results([roomsRun('chat', 3), roomsRun('socketio', 0)]);
    const report = renderReport(leaky);
    expect(report).toMatch(/^LEAK: chat delivered 3 messages to clients outside the message's room: FAILED$/m);
    expect(report).not.toMatch(/LEAK: socketio/);
    expect(report).toMatch(/no message delivered outside its room \(rooms runs, all systems\): 3 {2}NOT MET/);
    const markdown = renderMarkdown(leaky);
    expect(markdown).toMatch(/^\*\*LEAK: chat delivered 3 messages/m);
    expect(markdown).toMatch(/no message delivered outside its room .*: 3 {2}NOT MET/);
  });
});
