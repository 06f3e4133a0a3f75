/**
 * Fan-out at a fixed rate: C clients in one chat, S of them sending R messages a second between
 * them for D seconds, after an unmeasured warm-up at the same rate. Every client gets every message.
 */
import type { BenchContext } from './context.ts';
import type { Deployment } from './deploy.ts';
import { type FixedRateStats, fixedRateRun } from './fixed-rate.ts';

export interface FanoutResult extends FixedRateStats {
  system: string;
  round: number;
}

export async function fanout(ctx: BenchContext, deployment: Deployment, round: number): Promise<FanoutResult> {
  const stats = await fixedRateRun(ctx, deployment, ctx.options.senders);
  return { system: deployment.system.name, round, ...stats };
}
