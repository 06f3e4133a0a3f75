/**
 * `npm run bench`: the chat against its peers, side by side, on one machine.
 *
 * Starts one redis-server (or uses --redis-url) and the load generator processes, then for each
 * system under test in turn: its server processes, the clients, the workloads; then prints the
 * tables, and writes the results as JSON and a PNG chart under --out. Progress goes to stderr, the
 * report to stdout. Every process it starts is stopped by PID at the end (or killed if it dies).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRedisServer, LocalRedis } from '../../../scripts/lib/redis-server.ts';
import { LoadGenerator } from './loadgen/pool.ts';
import { type BenchOptions, parseOptions, USAGE } from './options.ts';
import { collectProfile } from './profile/collect.ts';
import { renderHeapDelta } from './profile/heap.ts';
import { REPO_ROOT, repoRelative } from './repo-path.ts';
import { renderChart } from './report/chart.ts';
import { renderMarkdown } from './report/markdown.ts';
import type { BenchResults } from './report/results.ts';
import { renderReport } from './report/table.ts';
import { machineInfo } from './sys/machine.ts';
import { raiseFileLimit } from './sys/proc.ts';
import { SYSTEMS } from './systems/index.ts';
import { freePort } from './systems/launch.ts';
import type { RedisAddress, SystemUnderTest } from './systems/system.ts';
import type { BenchContext } from './workloads/context.ts';
import { fanout } from './workloads/fanout.ts';
import { idleConnections } from './workloads/idle.ts';
import { maxSustained } from './workloads/max.ts';
import { roomsWorkload } from './workloads/rooms.ts';
import { closeSession, openSession } from './workloads/session.ts';
import { connectStorm } from './workloads/storm.ts';

const NODE_SYSTEMS = new Set(['chat', 'article-node', 'socketio', 'floor', 'floor-ws']);

export interface BenchOutput {
  results: BenchResults;
  report: string;
  files: { json: string; text: string; markdown: string; chart: string | undefined };
}

export async function runBench(options: BenchOptions, log: (line: string) => void): Promise<BenchOutput> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workDir = join(options.outDir, 'work');
  mkdirSync(workDir, { recursive: true });
  const notes: string[] = [];

  // Children inherit the priority: setting it here first covers every process the run starts.
  if (options.nice !== undefined) {
    try {
      setPriority(options.nice);
      notes.push(`everything ran at nice ${options.nice}`);
    } catch (error) {
      notes.push(`--nice ${options.nice} failed (${(error as Error).message}); ran at the default priority`);
    }
  }

  // Each connection is a file descriptor in the server and one in the generator.
  const wantedFiles = Math.max(65_536, options.idle * 2 + 10_000, options.storm * 2 + 10_000);
  const files = raiseFileLimit(wantedFiles);
  const needsFiles = options.workloads.includes('idle') && files.limit < options.idle + 1_000;
  if (!files.raised && needsFiles && files.note !== undefined) notes.push(files.note);

  const redisBinary = options.redisUrl === undefined ? findRedisServer() : null;
  let redis: RedisAddress;
  let localRedis: LocalRedis | undefined;
  if (options.redisUrl !== undefined) {
    const url = new URL(options.redisUrl);
    redis = { url: options.redisUrl, host: url.hostname, port: Number(url.port || 6379) };
  } else {
    if (redisBinary === null)
      throw new Error('no redis-server on PATH (apt-get install -y redis-server), or pass --redis-url');
    localRedis = new LocalRedis({ binary: redisBinary, port: await freePort(), dir: workDir });
    await localRedis.start();
    redis = { url: localRedis.url, host: '127.0.0.1', port: localRedis.port };
  }

  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    machine: machineInfo(redisBinary),
    options: { ...options, outDir: repoRelative(options.outDir) },
    titles: {},
    skipped: {},
    failed: [],
    fanout: [],
    max: [],
    idle: [],
    storm: [],
    rooms: [],
    profiles: [],
    notes,
  };
  log(
    `bench: machine ${results.machine.nproc} x ${results.machine.cpuModel}, load ${results.machine.loadAvgAtStart.join(' ')}`,
  );

  const gen = await LoadGenerator.start(options.generators);
  let run = 0;
  const ctx: BenchContext = {
    options,
    redis,
    redisPid: localRedis?.pid,
    gen,
    fileLimit: files.limit,
    workDir,
    nextRun: () => ++run,
    log,
    note: (message) => {
      if (!notes.includes(message)) notes.push(message);
    },
  };
  try {
    const systems: SystemUnderTest[] = [];
    for (const name of options.systems) {
      const system = SYSTEMS.find((s) => s.name === name) as SystemUnderTest;
      const why = await system.prepare(workDir);
      if (why === null) {
        systems.push(system);
        results.titles[system.name] = system.title;
      } else {
        results.skipped[system.name] = why;
        log(`bench: skipping ${system.name}: ${why}`);
      }
    }
    const roomless = systems.filter((s) => s.roomDialect === undefined).map((s) => s.name);
    if (options.workloads.includes('rooms') && roomless.length > 0) {
      notes.push(`rooms: ${roomless.join(', ')} skipped: no rooms in ${roomless.length > 1 ? 'their' : 'its'} design`);
    }
    await messageWorkloads(ctx, systems, results, stamp);
    for (const workload of ['idle', 'storm'] as const) {
      if (!options.workloads.includes(workload)) continue;
      for (const system of systems) {
        log(`bench: ${workload} ${system.name}`);
        try {
          if (workload === 'idle') {
            const dir = (kind: string, wanted: boolean) => {
              if (!wanted || !NODE_SYSTEMS.has(system.name)) return undefined;
              const path = join(workDir, kind, `${system.name}-idle-${stamp}`);
              mkdirSync(path, { recursive: true });
              return path;
            };
            const profileDir = dir('profiles', options.profile);
            const heapSnapshotDir = dir('heap', options.heap);
            const result = await idleConnections(ctx, system, { cpuProfileDir: profileDir, heapSnapshotDir });
            results.idle.push(result);
            if (result.heap !== undefined) {
              const text = renderHeapDelta(system.name, result.heap.before, result.heap.after, result.opened);
              writeFileSync(join(heapSnapshotDir as string, 'summary.txt'), text);
              log(text);
            }
            if (profileDir !== undefined) {
              const window = { fromUs: result.acceptWindowUs[0], toUs: result.acceptWindowUs[1] };
              const profile = collectProfile(
                system.name,
                `accepting ${result.opened} connections`,
                profileDir,
                window,
                log,
              );
              if (profile !== undefined) results.profiles.push(profile);
            }
          } else {
            results.storm.push(await connectStorm(ctx, system));
          }
        } catch (error) {
          results.failed.push({ system: system.name, workload, error: (error as Error).message });
          log(`bench: ${system.name} ${workload} failed: ${(error as Error).message}`);
        }
      }
    }
  } finally {
    await gen.stop();
    await localRedis?.stop();
  }
  results.finishedAt = new Date().toISOString();

  const base = join(options.outDir, `bench-${stamp}`);
  const report = renderReport(results);
  const json = `${base}.json`;
  const text = `${base}.txt`;
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(text, report);
  const markdown = `${base}.md`;
  writeFileSync(markdown, renderMarkdown(results));
  let chart: string | undefined;
  if (options.chart && (results.fanout.length > 0 || results.max.length > 0)) {
    try {
      chart = `${base}.png`;
      await renderChart(results, chart);
    } catch (error) {
      chart = undefined;
      log(`bench: no chart: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return { results, report, files: { json, text, markdown, chart } };
}

/**
 * Fan-out and max, per system on one deployment, then rooms (on one of its own, clients seated in
 * rooms) on the systems that have rooms; fan-out and rooms repeated --rounds times, systems
 * interleaved.
 */
async function messageWorkloads(
  ctx: BenchContext,
  systems: readonly SystemUnderTest[],
  results: BenchResults,
  stamp: string,
): Promise<void> {
  const { options } = ctx;
  const doFanout = options.workloads.includes('fanout');
  const doMax = options.workloads.includes('max');
  const doRooms = options.workloads.includes('rooms');
  if (!doFanout && !doMax && !doRooms) return;
  for (let round = 0; round < (doFanout || doRooms ? options.rounds : 1); round++) {
    // Rotate the order each round, so no system always runs first (or right after a heavy one).
    const order = systems.map((_, i) => systems[(i + round) % systems.length] as SystemUnderTest);
    for (const system of order) {
      if (doFanout || (doMax && round === 0)) await fanoutAndMax(ctx, system, results, stamp, round);
      if (doRooms && system.roomDialect !== undefined) await rooms(ctx, system, results, stamp, round);
    }
  }
}

/** Fan-out (round `round`) and, in round 0, the max ramp, on one deployment of `system`. */
async function fanoutAndMax(
  ctx: BenchContext,
  system: SystemUnderTest,
  results: BenchResults,
  stamp: string,
  round: number,
): Promise<void> {
  const { options, log } = ctx;
  const doFanout = options.workloads.includes('fanout');
  const doMax = options.workloads.includes('max');
  const profileDir = profileDirFor(ctx, system, round, `${system.name}-${stamp}`);
  log(`bench: ${system.name}${options.rounds > 1 ? ` round ${round + 1}` : ''}: starting`);
  let window: [number, number] | undefined;
  try {
    const session = await openSession(ctx, system, { cpuProfileDir: profileDir });
    try {
      if (doFanout) {
        const result = await fanout(ctx, session, round);
        window = result.windowUs;
        results.fanout.push(result);
        log(
          `  ${system.name} fan-out: ${Math.round(result.deliveredPerSec)} deliveries/s, p99 ${result.latencyMs.p99.toFixed(2)} ms, ` +
            `server ${result.cpu.serverUsPerDelivery.toFixed(2)} µs/delivery, lost ${result.lost}, dup ${result.duplicated}`,
        );
      }
      if (doMax && round === 0) results.max.push(await maxSustained(ctx, session));
    } finally {
      await closeSession(ctx, session);
    }
  } catch (error) {
    results.failed.push({ system: system.name, workload: 'fanout/max', error: (error as Error).message });
    log(`bench: ${system.name} failed: ${(error as Error).message}`);
  }
  collectWindowProfile(ctx, results, system, 'measured fan-out window', profileDir, window);
}

/** Where --profile puts the CPU profile of a Node system's first replica: round 0 only. */
function profileDirFor(ctx: BenchContext, system: SystemUnderTest, round: number, name: string): string | undefined {
  if (!ctx.options.profile || round !== 0 || !NODE_SYSTEMS.has(system.name)) return undefined;
  const dir = join(ctx.workDir, 'profiles', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Cuts the profile in `dir` (if any) to the measured window and adds its summary to the results. */
function collectWindowProfile(
  ctx: BenchContext,
  results: BenchResults,
  system: SystemUnderTest,
  workload: string,
  dir: string | undefined,
  window: [number, number] | undefined,
): void {
  if (dir === undefined || window === undefined) return;
  const profile = collectProfile(system.name, workload, dir, { fromUs: window[0], toUs: window[1] }, ctx.log);
  if (profile !== undefined) results.profiles.push(profile);
}

/** The rooms workload (round `round`) on a system that has rooms, on a deployment of its own. */
async function rooms(
  ctx: BenchContext,
  system: SystemUnderTest,
  results: BenchResults,
  stamp: string,
  round: number,
): Promise<void> {
  ctx.log(`bench: rooms ${system.name}${ctx.options.rounds > 1 ? ` round ${round + 1}` : ''}: starting`);
  const profileDir = profileDirFor(ctx, system, round, `${system.name}-rooms-${stamp}`);
  try {
    const r = await roomsWorkload(ctx, system, round, { cpuProfileDir: profileDir });
    collectWindowProfile(ctx, results, system, 'measured rooms window', profileDir, r.windowUs);
    results.rooms.push(r);
    ctx.log(
      `  ${system.name} rooms: ${Math.round(r.deliveredPerSec)} deliveries/s, p99 ${r.latencyMs.p99.toFixed(2)} ms, ` +
        `server ${r.cpu.serverUsPerDelivery.toFixed(2)} µs/delivery, lost ${r.lost}, dup ${r.duplicated}, leaked ${r.leaked}`,
    );
  } catch (error) {
    results.failed.push({ system: system.name, workload: 'rooms', error: (error as Error).message });
    ctx.log(`bench: ${system.name} rooms failed: ${(error as Error).message}`);
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  let options: BenchOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2), REPO_ROOT);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  // Ctrl-C: exit, and process.ts's exit hook kills every server started; generators follow their parent.
  process.once('SIGINT', () => process.exit(130));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const output = await runBench(options, log);
  process.stdout.write(`\n${output.report}`);
  process.stdout.write(
    `\nResults:  ${output.files.json}\nTable:    ${output.files.text}\nMarkdown: ${output.files.markdown}\n${output.files.chart === undefined ? '' : `Chart:    ${output.files.chart}\n`}`,
  );
}
