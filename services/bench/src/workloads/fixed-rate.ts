/**
 * The open-loop measurement fan-out and rooms share: an unmeasured warm-up at --rate (JIT, buffers,
 * connection pools), then --duration seconds measured at the same rate, sent by the first `senders`
 * clients of the session. What differs between the two workloads is only how the clients are laid
 * out (session.ts), so the scheduling and the counting stay in one place.
 */
import { monoUs } from '../loadgen/marker.ts';
import type { BenchContext } from './context.ts';
import type { Deployment } from './deploy.ts';
import { measuredRun, type RunStats } from './measure.ts';

export interface FixedRateStats extends RunStats {
  /** Monotonic µs bounds of the measured run, to cut a CPU profile to it. */
  windowUs: [number, number];
}

export async function fixedRateRun(
  ctx: BenchContext,
  deployment: Deployment,
  senders: number,
): Promise<FixedRateStats> {
  const { rate, durationS, warmupS } = ctx.options;
  if (warmupS > 0) {
    const warm = await measuredRun(ctx, deployment, { rate, durationS: warmupS, senders });
    if (warm.lost > 0 || warm.duplicated > 0 || warm.leaked > 0) {
      ctx.log(
        `  warm-up: ${warm.lost} lost, ${warm.duplicated} duplicated, ${warm.leaked} leaked out of their room (not counted)`,
      );
    }
  }
  const startUs = monoUs();
  const stats = await measuredRun(ctx, deployment, { rate, durationS, senders });
  return { ...stats, windowUs: [startUs, monoUs()] };
}
