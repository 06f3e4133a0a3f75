/**
 * Connect storm: K clients connect at once, spread over the replicas (or through nginx), then one
 * round of messages proves every one of them is really in the chat. Reports how long until all were
 * ready, each connection's time to ready, the replicas' CPU meanwhile, and failures.
 *
 * With --storm-room, the clients are room clients that all join one room, in its presence (each
 * join then costs a frame to every member already in it, and a member list) or out of it.
 */
import type { ClientSpec } from '../loadgen/messages.ts';
import type { StormRoom } from '../options.ts';
import { CpuWindow } from '../sys/proc.ts';
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
  /** --storm-room: none, or one room joined in or out of its presence. */
  room: StormRoom;
  /** From the first connect to the last client ready. */
  allReadyS: number;
  /** CPU seconds of the system's server processes while the clients connected (all ready, or timed out). */
  serverCpuS: number;
  connectMs: ConnectMs;
  /** Deliveries missing in the round of messages after the storm. */
  lostAfter: number;
}

/** The storm on `system`, or undefined when --storm-room asks for rooms and the system has none. */
export async function connectStorm(ctx: BenchContext, system: SystemUnderTest): Promise<StormResult | undefined> {
  const room = ctx.options.stormRoom;
  const dialect = room === 'none' ? system.dialect : system.roomDialect;
  if (dialect === undefined) return undefined;
  const deployment = await deploy(ctx, system);
  try {
    const k = ctx.options.storm;
    const addresses = ctx.options.sourceAddresses;
    const targets = Array.from({ length: k }, (_, i): ClientSpec => {
      const target = deployment.target(i, `127.0.0.${2 + (i % addresses)}`);
      if (room === 'none') return target;
      return { ...target, room: 0, name: `s${i}`, ...(room === 'no-presence' ? { presence: false } : {}) };
    });
    const cpu = new CpuWindow({ server: deployment.running.pids });
    // Every handshake in flight at once: the storm.
    const opened = await ctx.gen.open(dialect, targets, { concurrency: k, timeoutMs: 60_000 });
    const serverCpuS = cpu.stop().seconds.server ?? 0;
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
      room,
      allReadyS: (opened.lastReadyUs - opened.firstStartUs) / 1e6,
      serverCpuS,
      connectMs: connectMs(opened.connect),
      lostAfter: check.lost,
    };
  } finally {
    await ctx.gen.closeClients();
    await deployment.stop();
  }
}
