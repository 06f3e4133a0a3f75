/**
 * Idle connections: K WebSocket connections to one replica, from several loopback source addresses
 * (one address gives about 28k ephemeral ports). Reports how long the replica took to accept them
 * and how much resident memory each costs it, once they have settled.
 */

import { closeSync, openSync, readdirSync, readSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, waitUntil } from '../../../../scripts/lib/wait.ts';
import { type HeapSummary, summarizeHeap } from '../profile/heap.ts';
import { cpuSeconds, rssBytes } from '../sys/proc.ts';
import type { SystemUnderTest } from '../systems/system.ts';
import type { BenchContext } from './context.ts';
import { deploy } from './deploy.ts';
import { type ConnectMs, connectMs } from './measure.ts';

export interface IdleResult {
  system: string;
  requested: number;
  opened: number;
  failed: number;
  errors: Record<string, number>;
  /** From the first connect to the last connection ready. */
  acceptS: number;
  acceptPerSec: number;
  connectMs: ConnectMs;
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
  /**
   * With --heap: live heap groups (by constructor) with no connections and with them all. The
   * snapshots disturb RSS, so such a run's RSS figures are not comparable with others.
   */
  heap?: { before: HeapSummary; after: HeapSummary };
}

export async function idleConnections(
  ctx: BenchContext,
  system: SystemUnderTest,
  dirs: { cpuProfileDir?: string; heapSnapshotDir?: string } = {},
): Promise<IdleResult> {
  const deployment = await deploy(ctx, system, { replicas: 1, nginx: false, ...dirs });
  try {
    const [pid] = deployment.running.pids;
    if (pid === undefined) throw new Error(`${system.name}: no server process`);
    await sleep(1_000);
    const heapDir = dirs.heapSnapshotDir;
    const heapBefore = heapDir === undefined ? undefined : await heapSnapshot(pid, heapDir, 'before');
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
    // A replica that stalls must not hold the run forever: 5 ms per connection, at least a minute.
    const opened = await ctx.gen.open(system.dialect, targets, {
      concurrency: 100,
      timeoutMs: 60_000,
      deadlineMs: Math.max(60_000, k * 5),
    });
    const serverCpu = cpuSeconds(pid) - cpuBefore;
    // Connections sit a while before memory is read: timers, GC and buffers settle.
    await sleep(ctx.options.idleSettleS * 1000);
    const rssAfter = rssBytes(pid);
    const progress = await ctx.gen.progress();
    const heapAfter = heapDir === undefined ? undefined : await heapSnapshot(pid, heapDir, 'after');
    const acceptS = (opened.lastReadyUs - opened.firstStartUs) / 1e6;
    return {
      system: system.name,
      requested: k,
      opened: opened.opened,
      failed: opened.failed,
      errors: opened.errors,
      acceptS,
      acceptPerSec: acceptS > 0 ? opened.opened / acceptS : 0,
      connectMs: connectMs(opened.connect),
      serverUsPerConnection: opened.opened > 0 ? (serverCpu * 1e6) / opened.opened : Number.NaN,
      rssBeforeMiB: rssBefore / 2 ** 20,
      rssAfterMiB: rssAfter / 2 ** 20,
      bytesPerConnection: opened.opened > 0 ? (rssAfter - rssBefore) / opened.opened : Number.NaN,
      droppedBeforeRead: progress.closed,
      acceptWindowUs: [opened.firstStartUs, opened.lastReadyUs],
      ...(heapBefore !== undefined && heapAfter !== undefined
        ? { heap: { before: heapBefore, after: heapAfter } }
        : {}),
    };
  } finally {
    await ctx.gen.closeClients();
    await deployment.stop();
  }
}

/**
 * Asks the replica (started with --heapsnapshot-signal=SIGUSR2) for a heap snapshot, waits until
 * V8 has finished writing it, names it `<label>.heapsnapshot` and summarizes it.
 */
async function heapSnapshot(pid: number, dir: string, label: string): Promise<HeapSummary> {
  const existing = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  let file: string | undefined;
  let lastSize = -1;
  let stableSince = 0;
  await waitUntil(
    `a heap snapshot from ${pid}`,
    300_000,
    () => {
      file ??= readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !existing.has(f));
      if (file === undefined) return false;
      const size = statSync(join(dir, file)).size;
      if (size !== lastSize) {
        lastSize = size;
        stableSince = Date.now();
        return false;
      }
      return size > 0 && Date.now() - stableSince >= 1_000 && lastByte(join(dir, file)) === '}';
    },
    250,
  );
  const target = join(dir, `${label}.heapsnapshot`);
  renameSync(join(dir, file as string), target);
  return summarizeHeap(target);
}

function lastByte(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, statSync(path).size - 1);
    return byte.toString('latin1');
  } finally {
    closeSync(fd);
  }
}
