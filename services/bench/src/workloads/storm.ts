/**
 * Connect storm: K clients connect at once, spread over the replicas (or through nginx), then one
 * round of messages proves every one of them is really in the chat. Reports how long until all were
 * ready, each connection's time to ready, and failures.
 */
import type { SystemUnderTest } from '../systems/system.ts';
import type { BenchContext } from './context.ts';
import { deploy } from './deploy.ts';
import { type ConnectMs, connectMs, measuredRun } from './measure.ts';

export interface StormResult {
  system: string;
  clients: number;
  opened: number;
  failed: number;
  errors: Record<string, number>;
  /** From the first connect to the last client ready. */
  allReadyS: number;
  connectMs: ConnectMs;
  /** Deliveries missing in the round of messages after the storm. */
  lostAfter: number;
}

export async function connectStorm(ctx: BenchContext, system: SystemUnderTest): Promise<StormResult> {
  const deployment = await deploy(ctx, system);
  try {
    const k = ctx.options.storm;
    const addresses = ctx.options.sourceAddresses;
    const targets = Array.from({ length: k }, (_, i) => deployment.target(i, `127.0.0.${2 + (i % addresses)}`));
    // Every handshake in flight at once: the storm.
    const opened = await ctx.gen.open(system.dialect, targets, { concurrency: k, timeoutMs: 60_000 });
    // Subscriptions may lag the listening socket on a fresh replica: a probe round first.
    const check = await measuredRun(ctx, deployment, {
      rate: 20,
      durationS: 0.5,
      senders: Math.min(10, opened.opened),
      drainTimeoutMs: 10_000,
    });
    return {
      system: system.name,
      clients: k,
      opened: opened.opened,
      failed: opened.failed,
      errors: opened.errors,
      allReadyS: (opened.lastReadyUs - opened.firstStartUs) / 1e6,
      connectMs: connectMs(opened.connect),
      lostAfter: check.lost,
    };
  } finally {
    await ctx.gen.closeClients();
    await deployment.stop();
  }
}
