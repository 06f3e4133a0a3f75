/**
 * One measured run at a fixed rate, the unit every message workload is made of: the CPU window
 * opens, the generator sends, the benchmark waits until every delivery has arrived (or a drain
 * deadline passes), the window closes, and the generator's tallies are collected.
 */
import { sleep } from '../../../../scripts/lib/wait.ts';
import type { Histogram } from '../loadgen/histogram.ts';
import { CpuWindow, coreCount, rssBytes } from '../sys/proc.ts';
import type { BenchContext } from './context.ts';
import type { Deployment } from './deploy.ts';

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface RunStats {
  /** Offered messages a second and the run's length. */
  rate: number;
  durationS: number;
  clients: number;
  sent: number;
  /**
   * Every message once to every client it is for, its sender included: sent x clients, or with
   * rooms each message x the members of its room.
   */
  expected: number;
  /** Distinct deliveries. */
  delivered: number;
  lost: number;
  duplicated: number;
  /** Messages delivered to a client outside their room (rooms only): a failure, never counted as delivered. */
  leaked: number;
  /** Frames of earlier runs that arrived during this one (not counted anywhere else). */
  stale: number;
  /** Clients whose connection ended during the run. */
  closed: number;
  closeReasons: Record<string, number>;
  /**
   * Messages the server refused with an error frame to their sender (e.g. broker_unavailable when
   * Redis did not answer in time), by code: their deliveries are among the lost, but not silently.
   */
  refused: Record<string, number>;
  /** Deliveries a second from the first send to the last delivery. */
  deliveredPerSec: number;
  /** End to end, from the sender's clock read just before its write to the receiver's read. */
  latencyMs: Latency;
  /** How far behind schedule the generator sent: large values mean the generator, not the server, lagged. */
  sendLagMs: { p99: number; max: number };
  /** From the last send to the last delivery. */
  drainMs: number;
  cpu: {
    /** CPU seconds in the window. */
    serverS: number;
    redisS: number;
    generatorS: number;
    proxyS: number;
    /** µs of CPU per delivered message. */
    serverUsPerDelivery: number;
    /** Kernel (system) share of the server's and the generator's CPU time, 0-100 %. */
    serverKernelPct: number;
    generatorKernelPct: number;
    generatorUsPerDelivery: number;
    redisUsPerDelivery: number;
    /** Average cores busy in the window. */
    serverCores: number;
    generatorCores: number;
    /** Whole machine busy, 0-100 % of all cores. */
    machineBusyPct: number;
    /**
     * Cores busy with processes that are not part of the benchmark (other people's work): noise.
     * Interrupt and softirq time, which no process is charged for, is left out (interruptCores).
     */
    otherCores: number;
    interruptCores: number;
    /** The busiest of those other processes, by command name, in cores. */
    otherTop: Record<string, number>;
    windowS: number;
  };
  /** Resident memory of each server process at the end of the run, MiB. */
  rssMiB: number[];
}

export interface RunRequest {
  rate: number;
  durationS: number;
  senders: number;
  /** How long to wait for stragglers after the last send before counting the rest lost. */
  drainTimeoutMs?: number;
}

export async function measuredRun(ctx: BenchContext, deployment: Deployment, request: RunRequest): Promise<RunStats> {
  const { gen } = ctx;
  const serverPids = deployment.running.pids;
  const ownCpuStart = process.cpuUsage();
  const window = new CpuWindow({
    server: serverPids,
    redis: ctx.redisPid === undefined ? [] : [ctx.redisPid],
    generator: gen.pids,
    proxy: deployment.proxyPids,
  });
  const run = ctx.nextRun();
  const clients = gen.clients;
  const sent = await gen.run({
    run,
    rate: request.rate,
    durationS: request.durationS,
    senders: request.senders,
    padding: ctx.options.padding,
  });
  const expected = sent.expected;
  const drainDeadline = performance.now() + (request.drainTimeoutMs ?? 10_000);
  for (;;) {
    const progress = await gen.progress();
    if (progress.unique >= expected || performance.now() >= drainDeadline) break;
    await sleep(20);
  }
  const cpu = window.stop();
  const own = process.cpuUsage(ownCpuStart);
  const seen = await gen.collect();

  const delivered = seen.unique;
  const spanS = (Math.max(seen.lastRecvUs, sent.lastSendUs) - sent.firstSendUs) / 1e6;
  const serverS = cpu.seconds.server ?? 0;
  const generatorS = cpu.seconds.generator ?? 0;
  const redisS = cpu.seconds.redis ?? 0;
  const proxyS = cpu.seconds.proxy ?? 0;
  const perDelivery = (seconds: number) => (delivered > 0 ? (seconds * 1e6) / delivered : Number.NaN);
  const ours = serverS + generatorS + redisS + proxyS + (own.user + own.system) / 1e6;
  return {
    rate: request.rate,
    durationS: request.durationS,
    clients,
    sent: sent.sent,
    expected,
    delivered,
    lost: expected - delivered,
    duplicated: seen.duplicated,
    leaked: seen.leaked,
    stale: seen.stale,
    closed: seen.closed,
    closeReasons: seen.closeReasons,
    refused: seen.refused,
    deliveredPerSec: spanS > 0 ? delivered / spanS : 0,
    latencyMs: latencyMs(seen.latency),
    sendLagMs: { p99: sent.lag.percentile(0.99) / 1000, max: sent.lag.max / 1000 },
    drainMs: Math.max(0, (seen.lastRecvUs - sent.lastSendUs) / 1000),
    cpu: {
      serverS,
      redisS,
      generatorS,
      proxyS,
      serverUsPerDelivery: perDelivery(serverS),
      serverKernelPct: serverS > 0 ? ((cpu.system.server ?? 0) / serverS) * 100 : Number.NaN,
      generatorKernelPct: generatorS > 0 ? ((cpu.system.generator ?? 0) / generatorS) * 100 : Number.NaN,
      generatorUsPerDelivery: perDelivery(generatorS),
      redisUsPerDelivery: perDelivery(redisS),
      serverCores: serverS / cpu.wallS,
      generatorCores: generatorS / cpu.wallS,
      machineBusyPct: cpu.machineBusy * 100,
      otherCores: Math.max(0, (cpu.machineBusy - cpu.interruptsBusy) * coreCount() - ours / cpu.wallS),
      interruptCores: cpu.interruptsBusy * coreCount(),
      otherTop: Object.fromEntries(
        Object.entries(cpu.others)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5)
          .map(([comm, s]) => [comm, Math.round((s / cpu.wallS) * 100) / 100]),
      ),
      windowS: cpu.wallS,
    },
    rssMiB: serverPids.map((pid) => rssBytes(pid) / 2 ** 20),
  };
}

export function latencyMs(h: Histogram): Latency {
  const ms = (us: number) => us / 1000;
  return {
    p50: ms(h.percentile(0.5)),
    p90: ms(h.percentile(0.9)),
    p99: ms(h.percentile(0.99)),
    p999: ms(h.percentile(0.999)),
    max: ms(h.total === 0 ? Number.NaN : h.max),
    mean: ms(h.mean()),
  };
}

/** How long clients took to connect and be ready (idle connections, connect storm), in ms. */
export interface ConnectMs {
  p50: number;
  p99: number;
  max: number;
}

export function connectMs(h: Histogram): ConnectMs {
  return { p50: h.percentile(0.5) / 1000, p99: h.percentile(0.99) / 1000, max: h.max / 1000 };
}

/**
 * Sends a few messages until one run reaches every client: the proof that every replica's
 * subscription is live before anything is measured (a replica that listens is not yet one that
 * receives from Redis). With rooms, `senders` must include one in every room. Throws after 20 tries.
 */
export async function settle(ctx: BenchContext, deployment: Deployment, senders: number): Promise<void> {
  for (let attempt = 1; attempt <= 20; attempt++) {
    const stats = await measuredRun(ctx, deployment, {
      rate: 20,
      durationS: 0.5,
      senders,
      drainTimeoutMs: 3_000,
    });
    if (stats.lost === 0 && stats.closed === 0) return;
    ctx.log(`  not settled yet (${stats.lost} of ${stats.expected} deliveries missing), trying again`);
    await sleep(500);
  }
  throw new Error(`${deployment.system.name}: deliveries never reached every client`);
}
