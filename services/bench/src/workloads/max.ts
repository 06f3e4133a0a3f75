/**
 * Max sustained: the fan-out workload at rising rates (x factor per step) until p99 passes the
 * bound, a message is lost or duplicated, or delivery falls behind the offered rate (each failing
 * step is tried again, --max-retries); then one step halfway (geometrically) between the last good
 * rate and the failing one. The result is the highest delivered/s of a step that held.
 */
import { sleep } from '../../../../scripts/lib/wait.ts';
import type { BenchContext } from './context.ts';
import type { Deployment } from './deploy.ts';
import { measuredRun, type RunStats } from './measure.ts';

export interface MaxResult {
  system: string;
  boundP99Ms: number;
  steps: (RunStats & { ok: boolean; why: string })[];
  /** The step with the highest delivered/s that held, or null if none did. */
  best: RunStats | null;
  stopReason: string;
}

/** Why a step did not hold, or '' when it did. */
function stepVerdict(stats: RunStats, boundP99Ms: number): string {
  if (stats.closed > 0) return `${stats.closed} clients disconnected`;
  if (stats.lost > 0) return `${stats.lost} deliveries lost`;
  if (stats.duplicated > 0) return `${stats.duplicated} duplicated`;
  if (!(stats.latencyMs.p99 <= boundP99Ms)) return `p99 ${stats.latencyMs.p99.toFixed(1)} ms > ${boundP99Ms} ms`;
  const offered = stats.rate * stats.clients;
  if (stats.deliveredPerSec < offered * 0.97) {
    return `delivered ${Math.round(stats.deliveredPerSec)}/s < 97 % of offered ${Math.round(offered)}/s`;
  }
  return '';
}

export async function maxSustained(ctx: BenchContext, deployment: Deployment): Promise<MaxResult> {
  const { maxStartRate, maxFactor, maxSteps, maxStepS, maxP99Ms, senders } = ctx.options;
  const steps: MaxResult['steps'] = [];
  let best: RunStats | null = null;
  let rate = maxStartRate;
  let failedRate: number | undefined;
  let stopReason = `reached --max-steps ${maxSteps}`;
  const step = async (r: number) => {
    const stats = await measuredRun(ctx, deployment, {
      rate: r,
      durationS: maxStepS,
      senders,
      drainTimeoutMs: Math.max(5_000, maxP99Ms * 20),
    });
    const why = stepVerdict(stats, maxP99Ms);
    steps.push({ ...stats, ok: why === '', why });
    ctx.log(
      `  ${deployment.system.name} max: ${Math.round(r)} msg/s -> ${Math.round(stats.deliveredPerSec)} deliveries/s, ` +
        `p99 ${stats.latencyMs.p99.toFixed(1)} ms, server ${stats.cpu.serverCores.toFixed(2)} cores, ` +
        `generator ${stats.cpu.generatorCores.toFixed(2)} cores ${why === '' ? 'ok' : `FAIL: ${why}`}`,
    );
    if (why === '' && (best === null || stats.deliveredPerSec > best.deliveredPerSec)) best = stats;
    return why;
  };
  for (let i = 0; i < maxSteps; i++) {
    let why = await step(rate);
    // On a shared machine a burst of someone else's work can sink one step: a step fails only
    // when it fails twice in a row (the first attempt stays in the results, marked).
    for (let retry = 0; why !== '' && retry < ctx.options.maxRetries && (steps.at(-1)?.closed ?? 0) === 0; retry++) {
      await sleep(1_000);
      why = await step(rate);
    }
    if (why !== '') {
      failedRate = rate;
      stopReason = why;
      break;
    }
    rate *= maxFactor;
  }
  // One refinement between the last rate that held and the first that did not, unless the failure
  // cost clients (the rest of the run would be measured on fewer of them).
  const last = steps.at(-1);
  if (failedRate !== undefined && steps.length >= 2 && last !== undefined && last.closed === 0) {
    await sleep(1_000);
    await step(Math.sqrt(failedRate * (failedRate / maxFactor)));
  }
  return { system: deployment.system.name, boundP99Ms: maxP99Ms, steps, best, stopReason };
}
