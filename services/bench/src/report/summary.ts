/**
 * The figures per system that the table, the ratios and the targets are read from: the fan-out
 * rounds reduced to their medians (losses summed), the max ramp's best step, the idle result.
 */
import type { SystemName } from '../systems/system.ts';
import { median } from './format.ts';
import type { BenchResults } from './results.ts';

export interface SystemSummary {
  system: SystemName;
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
  maxSustained: number | undefined;
  maxP99: number | undefined;
  maxLost: number;
  maxDuplicated: number;
  idleBytesPerConnection: number | undefined;
}

export function summarize(results: BenchResults): Map<SystemName, SystemSummary> {
  const names = [...new Set([...results.fanout, ...results.max, ...results.idle].map((r) => r.system as SystemName))];
  const out = new Map<SystemName, SystemSummary>();
  for (const system of names) {
    const rounds = results.fanout.filter((r) => r.system === system);
    const m = (pick: (r: (typeof rounds)[number]) => number) => median(rounds.map(pick));
    const max = results.max.find((r) => r.system === system);
    const idle = results.idle.find((r) => r.system === system);
    out.set(system, {
      system,
      rounds: rounds.length,
      deliveredPerSec: m((r) => r.deliveredPerSec),
      p50: m((r) => r.latencyMs.p50),
      p90: m((r) => r.latencyMs.p90),
      p99: m((r) => r.latencyMs.p99),
      p999: m((r) => r.latencyMs.p999),
      max: m((r) => r.latencyMs.max),
      lost: rounds.reduce((a, r) => a + r.lost, 0),
      refused: rounds.reduce((a, r) => a + Object.values(r.refused ?? {}).reduce((x, y) => x + y, 0), 0),
      duplicated: rounds.reduce((a, r) => a + r.duplicated, 0),
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
      maxSustained: max?.best?.deliveredPerSec,
      maxP99: max?.best?.latencyMs.p99,
      maxLost: max?.steps.filter((s) => s.ok).reduce((a, s) => a + s.lost, 0) ?? 0,
      maxDuplicated: max?.steps.reduce((a, s) => a + s.duplicated, 0) ?? 0,
      idleBytesPerConnection: idle?.bytesPerConnection,
    });
  }
  return out;
}
