/**
 * Fan-out at a fixed rate: C clients, S of them sending R messages a second between them for D
 * seconds, after an unmeasured warm-up at the same rate (JIT, buffers, connection pools).
 */
import type { BenchContext } from './context.ts';
import type { Deployment } from './deploy.ts';
import { measuredRun, type RunStats } from './measure.ts';

export interface FanoutResult extends RunStats {
  system: string;
  round: number;
  /** Monotonic µs bounds of the measured run, to cut a CPU profile to it. */
  windowUs: [number, number];
}

export async function fanout(ctx: BenchContext, deployment: Deployment, round: number): Promise<FanoutResult> {
  const { rate, durationS, warmupS, senders } = ctx.options;
  if (warmupS > 0) {
    const warm = await measuredRun(ctx, deployment, { rate, durationS: warmupS, senders });
    if (warm.lost > 0 || warm.duplicated > 0) {
      ctx.log(`  warm-up: ${warm.lost} lost, ${warm.duplicated} duplicated (not counted)`);
    }
  }
  const startUs = monoNowUs();
  const stats = await measuredRun(ctx, deployment, { rate, durationS, senders });
  return { system: deployment.system.name, round, ...stats, windowUs: [startUs, monoNowUs()] };
}

function monoNowUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}
