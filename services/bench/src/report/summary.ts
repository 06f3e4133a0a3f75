/**
 * The figures per system that the table, the ratios and the targets are read from: the fan-out
 * rounds and the rooms rounds each reduced to their medians (losses summed), the max ramp's best
 * step, the idle result.
 */
import type { SystemName } from '../systems/system.ts';
import type { RunStats } from '../workloads/measure.ts';
import { median } from './format.ts';
import type { BenchResults } from './results.ts';

/** A fixed-rate workload (fan-out or rooms) on one system: medians over its rounds, losses summed. */
export interface RunFigures {
  rounds: number;
  deliveredPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  lost: number;
  /** Messages refused with an error frame to the sender (summed over rounds). */
  refused: number;
  duplicated: number;
  /** Messages delivered outside their room (rooms only; summed over rounds). */
  leaked: number;
  serverUs: number;
  serverKernelPct: number;
  serverCores: number;
  generatorUs: number;
  generatorCores: number;
  generatorKernelPct: number;
  /** p99 of how late the generator sent: above a few ms the generator, not the server, lagged. */
  sendLagP99: number;
  redisUs: number;
  rssMiB: number;
  otherCores: number;
}

/** The fan-out figures at the top level (as before rooms existed), the rooms figures beside them. */
export interface SystemSummary extends RunFigures {
  system: SystemName;
  rooms: RunFigures | undefined;
  maxSustained: number | undefined;
  maxP99: number | undefined;
  maxLost: number;
  maxDuplicated: number;
  idleBytesPerConnection: number | undefined;
}

function runFigures(runs: readonly RunStats[]): RunFigures {
  const m = (pick: (r: RunStats) => number) => median(runs.map(pick));
  const total = (pick: (r: RunStats) => number) => runs.reduce((a, r) => a + pick(r), 0);
  return {
    rounds: runs.length,
    deliveredPerSec: m((r) => r.deliveredPerSec),
    p50: m((r) => r.latencyMs.p50),
    p90: m((r) => r.latencyMs.p90),
    p99: m((r) => r.latencyMs.p99),
    p999: m((r) => r.latencyMs.p999),
    max: m((r) => r.latencyMs.max),
    lost: total((r) => r.lost),
    refused: total((r) => Object.values(r.refused ?? {}).reduce((x, y) => x + y, 0)),
    duplicated: total((r) => r.duplicated),
    leaked: total((r) => r.leaked),
    serverUs: m((r) => r.cpu.serverUsPerDelivery),
    serverKernelPct: m((r) => r.cpu.serverKernelPct),
    serverCores: m((r) => r.cpu.serverCores),
    generatorUs: m((r) => r.cpu.generatorUsPerDelivery),
    generatorCores: m((r) => r.cpu.generatorCores),
    generatorKernelPct: m((r) => r.cpu.generatorKernelPct),
    sendLagP99: m((r) => r.sendLagMs.p99),
    redisUs: m((r) => r.cpu.redisUsPerDelivery),
    rssMiB: m((r) => Math.max(...r.rssMiB)),
    otherCores: m((r) => r.cpu.otherCores),
  };
}

export function summarize(results: BenchResults): Map<SystemName, SystemSummary> {
  const { fanout, max: ramps, idle: idles, rooms } = results;
  const names = [...new Set([...fanout, ...ramps, ...idles, ...rooms].map((r) => r.system as SystemName))];
  const out = new Map<SystemName, SystemSummary>();
  for (const system of names) {
    const max = ramps.find((r) => r.system === system);
    const idle = idles.find((r) => r.system === system);
    const roomRuns = rooms.filter((r) => r.system === system);
    out.set(system, {
      system,
      ...runFigures(fanout.filter((r) => r.system === system)),
      rooms: roomRuns.length > 0 ? runFigures(roomRuns) : undefined,
      maxSustained: max?.best?.deliveredPerSec,
      maxP99: max?.best?.latencyMs.p99,
      maxLost: max?.steps.filter((s) => s.ok).reduce((a, s) => a + s.lost, 0) ?? 0,
      maxDuplicated: max?.steps.reduce((a, s) => a + s.duplicated, 0) ?? 0,
      idleBytesPerConnection: idle?.bytesPerConnection,
    });
  }
  return out;
}

/** The fan-out figures of the systems that ran fan-out. */
export function fanoutFigures(summary: Map<SystemName, SystemSummary>): SystemSummary[] {
  return [...summary.values()].filter((s) => s.rounds > 0);
}

/** The rooms figures of the systems that ran rooms, each with its system's name. */
export function roomsFigures(summary: Map<SystemName, SystemSummary>): (RunFigures & { system: SystemName })[] {
  return [...summary.values()].flatMap((s) => (s.rooms === undefined ? [] : [{ ...s.rooms, system: s.system }]));
}
