/**
 * Idle connections: K WebSocket connections to one replica, from several loopback source addresses
 * (one address gives about 28k ephemeral ports). Reports how long the replica took to accept them
 * and how much resident memory each costs it, once they have settled.
 */

import { cpuSeconds, rssBytes } from '../sys/proc.ts';
import type { SystemUnderTest } from '../systems/system.ts';
import type { BenchContext } from './context.ts';
import { deploy } from './deploy.ts';

export interface IdleResult {
  system: string;
  requested: number;
  opened: number;
  failed: number;
  errors: Record<string, number>;
  /** From the first connect to the last connection ready. */
  acceptS: number;
  acceptPerSec: number;
  connectMs: { p50: number; p99: number; max: number };
  /** Server CPU per accepted connection, µs. */
  serverUsPerConnection: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  /** (after - before) / opened. */
  bytesPerConnection: number;
  /** Connections that had ended by the time memory was read. */
  droppedBeforeRead: number;
  /** Monotonic µs bounds of the accepting, to cut a CPU profile to it. */
  acceptWindowUs: [number, number];
}

export async function idleConnections(
  ctx: BenchContext,
  system: SystemUnderTest,
  cpuProfileDir?: string,
): Promise<IdleResult> {
  const deployment = await deploy(ctx, system, { replicas: 1, nginx: false, cpuProfileDir });
  try {
    const [pid] = deployment.running.pids;
    if (pid === undefined) throw new Error(`${system.name}: no server process`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const rssBefore = rssBytes(pid);
    const cpuBefore = cpuSeconds(pid);
    // The replica holds one descriptor per connection, plus a few dozen of its own.
    const k = Math.min(ctx.options.idle, ctx.fileLimit - 200);
    if (k < ctx.options.idle) {
      ctx.note(
        `idle: ${ctx.options.idle} connections asked, ${k} opened: the open-file limit here is ${ctx.fileLimit} per process ` +
          '(raising it needs CAP_SYS_RESOURCE or a higher ulimit -Hn)',
      );
    }
    const addresses = ctx.options.sourceAddresses;
    const targets = Array.from({ length: k }, (_, i) => deployment.target(0, `127.0.0.${2 + (i % addresses)}`));
    const opened = await ctx.gen.open(system.dialect, targets, { concurrency: 100, timeoutMs: 60_000 });
    const serverCpu = cpuSeconds(pid) - cpuBefore;
    // Connections sit a while before memory is read: timers, GC and buffers settle.
    await new Promise((resolve) => setTimeout(resolve, ctx.options.idleSettleS * 1000));
    const rssAfter = rssBytes(pid);
    const progress = await ctx.gen.progress();
    const acceptS = (opened.lastReadyUs - opened.firstStartUs) / 1e6;
    return {
      system: system.name,
      requested: k,
      opened: opened.opened,
      failed: opened.failed,
      errors: opened.errors,
      acceptS,
      acceptPerSec: acceptS > 0 ? opened.opened / acceptS : 0,
      connectMs: {
        p50: opened.connect.percentile(0.5) / 1000,
        p99: opened.connect.percentile(0.99) / 1000,
        max: opened.connect.max / 1000,
      },
      serverUsPerConnection: opened.opened > 0 ? (serverCpu * 1e6) / opened.opened : Number.NaN,
      rssBeforeMiB: rssBefore / 2 ** 20,
      rssAfterMiB: rssAfter / 2 ** 20,
      bytesPerConnection: opened.opened > 0 ? (rssAfter - rssBefore) / opened.opened : Number.NaN,
      droppedBeforeRead: progress.closed,
      acceptWindowUs: [opened.firstStartUs, opened.lastReadyUs],
    };
  } finally {
    await ctx.gen.closeClients();
    await deployment.stop();
  }
}
