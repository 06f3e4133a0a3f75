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
import { freePort } from '../../../scripts/lib/wait.ts';
import { LoadGenerator } from './loadgen/pool.ts';
import { type BenchOptions, parseOptions, USAGE } from './options.ts';
import { collectProfile } from './profile/collect.ts';
import { renderHeapDelta } from './profile/heap.ts';
import { REPO_ROOT, repoRelative } from './repo-path.ts';
import { renderChart } from './report/chart.ts';
import { renderMarkdown } from './report/markdown.ts';
import { type BenchResults, emptyResults } from './report/results.ts';
import { renderReport } from './report/table.ts';
import { describeDamon } from './sys/damon.ts';
import { machineInfo } from './sys/machine.ts';
import { raiseFileLimit } from './sys/proc.ts';
import { systemByName } from './systems/index.ts';
import type { RedisAddress, SystemUnderTest } from './systems/system.ts';
import type { BenchContext } from './workloads/context.ts';
import { fanout } from './workloads/fanout.ts';
import type { FixedRateStats } from './workloads/fixed-rate.ts';
import { idleConnections } from './workloads/idle.ts';
import { maxSustained } from './workloads/max.ts';
import { measuredRun } from './workloads/measure.ts';
import { roomsWorkload } from './workloads/rooms.ts';
import { withSession } from './workloads/session.ts';
import { connectStorm } from './workloads/storm.ts';

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

  if (options.systems.includes('chat-alt')) notes.push(`chat-alt ran with ${chatAltDifference(options)}`);

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

  const machine = machineInfo(redisBinary);
  for (const monitor of machine.damon) {
    notes.push(
      `DAMON was on: ${describeDamon(monitor)}. Its passes can stall a process for a few ms, the longer the ` +
        `more memory it touches (a Node server more than a Go one): look for late messages about ` +
        `${monitor.sampleMs} ms apart (BENCHMARKS.md, "The memory monitor over four rounds")`,
    );
  }
  const results = emptyResults({
    startedAt: new Date().toISOString(),
    machine,
    options: { ...options, outDir: repoRelative(options.outDir) },
    notes,
  });
  log(
    `bench: machine ${results.machine.nproc} x ${results.machine.cpuModel}, load ${results.machine.loadAvgAtStart.join(' ')}`,
  );

  const gen = await LoadGenerator.start(options.generators);
  let runs = 0;
  const ctx: BenchContext = {
    options,
    redis,
    redisPid: localRedis?.pid,
    gen,
    fileLimit: files.limit,
    workDir,
    nextRun: () => ++runs,
    log,
    note: (message) => {
      if (!notes.includes(message)) notes.push(message);
    },
  };
  const bench: Bench = { ctx, results, stamp };
  try {
    const systems: SystemUnderTest[] = [];
    for (const name of options.systems) {
      const system = systemByName(name) as SystemUnderTest;
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
    await messageWorkloads(bench, systems);
    await connectionWorkloads(bench, systems);
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

/** What the workload runners share: the context, the results they add to, and the run's stamp. */
interface Bench {
  readonly ctx: BenchContext;
  readonly results: BenchResults;
  readonly stamp: string;
}

/**
 * Fan-out, and rooms (on a deployment of its own, clients seated in rooms) on the systems that
 * have rooms, repeated --rounds times with the systems interleaved; then each system's max ramp.
 * The ramps come last: they hold the machine at its limit for minutes, and no round should be
 * measured right after one (BENCHMARKS.md "The run's first round").
 */
async function messageWorkloads(bench: Bench, systems: readonly SystemUnderTest[]): Promise<void> {
  const { options } = bench.ctx;
  const doFanout = options.workloads.includes('fanout');
  const doMax = options.workloads.includes('max');
  const doRooms = options.workloads.includes('rooms');
  if (!doFanout && !doMax && !doRooms) return;
  const first = systems[0];
  if (options.burnInS > 0 && first !== undefined) await burnIn(bench, first);
  const rounds = doFanout || doRooms ? options.rounds : 0;
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round, so no system always runs first (or right after a heavy one).
    const order = systems.map((_, i) => systems[(i + round) % systems.length] as SystemUnderTest);
    for (const system of order) {
      if (doFanout) await fanoutRound(bench, system, round);
      if (doRooms && system.roomDialect !== undefined) await rooms(bench, system, round);
    }
  }
  if (doMax) for (const system of systems) await maxRamp(bench, system);
}

/**
 * Unrecorded fan-out on the first system before anything is measured. On this machine a run's
 * first round was slower for whichever system took it (up to 2.7x the p99 of its other rounds and
 * 1.4x their CPU per delivery), and the first system listed (chat, by default) always did; half a
 * minute of load first absorbs that (BENCHMARKS.md "The run's first round"). A failure here does
 * not stop the run: it is logged and noted, and the system's own rounds record theirs.
 */
async function burnIn(bench: Bench, system: SystemUnderTest): Promise<void> {
  const { ctx, results } = bench;
  const { options, log } = ctx;
  log(`bench: burn-in: ${options.burnInS} s of ${system.name} fan-out, not recorded`);
  try {
    const { rate, burnInS, senders } = options;
    const stats = await withSession(ctx, system, {}, (session) =>
      measuredRun(ctx, session, { rate, durationS: burnInS, senders }),
    );
    const counts = `${stats.delivered} deliveries, ${stats.lost} lost, ${stats.duplicated} duplicated`;
    log(`bench: burn-in done: ${counts}`);
    results.notes.push(`the run began with ${burnInS} s of unrecorded ${system.name} fan-out (--burn-in): ${counts}`);
  } catch (error) {
    log(`bench: burn-in failed: ${(error as Error).message}`);
    results.notes.push(`the burn-in (--burn-in) failed, so the first round had none: ${(error as Error).message}`);
  }
}

/** A failed workload: into the results (the report lists it) and the log. */
function recordFailure(bench: Bench, system: SystemUnderTest, workload: string, error: unknown): void {
  const message = (error as Error).message;
  bench.results.failed.push({ system: system.name, workload, error: message });
  bench.ctx.log(`bench: ${system.name} ${workload} failed: ${message}`);
}

/** One measured fixed-rate run, for the log. */
function describeRun(run: FixedRateStats): string {
  return (
    `${Math.round(run.deliveredPerSec)} deliveries/s, p99 ${run.latencyMs.p99.toFixed(2)} ms, ` +
    `server ${run.cpu.serverUsPerDelivery.toFixed(2)} µs/delivery, lost ${run.lost}, dup ${run.duplicated}`
  );
}

/** Fan-out round `round` on a deployment of `system`. */
async function fanoutRound(bench: Bench, system: SystemUnderTest, round: number): Promise<void> {
  const { ctx, results } = bench;
  const { options, log } = ctx;
  const profileDir = profileDirFor(bench, system, round, `${system.name}-${bench.stamp}`);
  log(`bench: ${system.name}${options.rounds > 1 ? ` round ${round + 1}` : ''}: starting`);
  let window: [number, number] | undefined;
  try {
    const result = await withSession(ctx, system, { cpuProfileDir: profileDir }, (session) =>
      fanout(ctx, session, round),
    );
    window = result.windowUs;
    results.fanout.push(result);
    log(`  ${system.name} fan-out: ${describeRun(result)}`);
  } catch (error) {
    recordFailure(bench, system, 'fanout', error);
  }
  collectWindowProfile(bench, system, 'measured fan-out window', profileDir, window);
}

/** The max ramp on a deployment of `system`. */
async function maxRamp(bench: Bench, system: SystemUnderTest): Promise<void> {
  const { ctx, results } = bench;
  ctx.log(`bench: ${system.name} max: starting`);
  try {
    results.max.push(await withSession(ctx, system, {}, (session) => maxSustained(ctx, session)));
  } catch (error) {
    recordFailure(bench, system, 'max', error);
  }
}

/** The rooms workload (round `round`) on a system that has rooms, on a deployment of its own. */
async function rooms(bench: Bench, system: SystemUnderTest, round: number): Promise<void> {
  const { ctx, results } = bench;
  ctx.log(`bench: rooms ${system.name}${ctx.options.rounds > 1 ? ` round ${round + 1}` : ''}: starting`);
  const profileDir = profileDirFor(bench, system, round, `${system.name}-rooms-${bench.stamp}`);
  try {
    const r = await roomsWorkload(ctx, system, round, { cpuProfileDir: profileDir });
    collectWindowProfile(bench, system, 'measured rooms window', profileDir, r.windowUs);
    results.rooms.push(r);
    ctx.log(`  ${system.name} rooms: ${describeRun(r)}, leaked ${r.leaked}`);
  } catch (error) {
    recordFailure(bench, system, 'rooms', error);
  }
}

/** Idle connections, then the connect storm, each system on a deployment of its own. */
async function connectionWorkloads(bench: Bench, systems: readonly SystemUnderTest[]): Promise<void> {
  const { ctx, results } = bench;
  for (const workload of ['idle', 'storm'] as const) {
    if (!ctx.options.workloads.includes(workload)) continue;
    for (const system of systems) {
      ctx.log(`bench: ${workload} ${system.name}`);
      try {
        if (workload === 'idle') await idle(bench, system);
        else {
          const storm = await connectStorm(ctx, system);
          if (storm === undefined) ctx.log(`bench: storm ${system.name} skipped: it has no rooms`);
          else results.storm.push(storm);
        }
      } catch (error) {
        recordFailure(bench, system, workload, error);
      }
    }
  }
}

/** Idle connections on `system`; with --heap, the heap's growth per connection; with --profile, the accepting. */
async function idle(bench: Bench, system: SystemUnderTest): Promise<void> {
  const { ctx, results } = bench;
  const name = `${system.name}-idle-${bench.stamp}`;
  const profileDir = profileDirFor(bench, system, 0, name);
  const heapSnapshotDir = ctx.options.heap ? nodeOutputDir(bench, system, 'heap', name) : undefined;
  const result = await idleConnections(ctx, system, { cpuProfileDir: profileDir, heapSnapshotDir });
  results.idle.push(result);
  if (result.heap !== undefined) {
    const text = renderHeapDelta(system.name, result.heap.before, result.heap.after, result.opened);
    writeFileSync(join(heapSnapshotDir as string, 'summary.txt'), text);
    ctx.log(text);
  }
  collectWindowProfile(bench, system, `accepting ${result.opened} connections`, profileDir, result.acceptWindowUs);
}

/** Where --profile puts the CPU profile of a Node system's first replica: round 0 only. */
function profileDirFor(bench: Bench, system: SystemUnderTest, round: number, name: string): string | undefined {
  return bench.ctx.options.profile && round === 0 ? nodeOutputDir(bench, system, 'profiles', name) : undefined;
}

/** A fresh directory for a Node system's profile or heap snapshots; none for the others (V8 flags only). */
function nodeOutputDir(
  bench: Bench,
  system: SystemUnderTest,
  kind: 'profiles' | 'heap',
  name: string,
): string | undefined {
  if (!system.node) return undefined;
  const dir = join(bench.ctx.workDir, kind, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Cuts the profile in `dir` (if any) to the measured window and adds its summary to the results. */
function collectWindowProfile(
  bench: Bench,
  system: SystemUnderTest,
  workload: string,
  dir: string | undefined,
  window: [number, number] | undefined,
): void {
  if (dir === undefined || window === undefined) return;
  const profile = collectProfile(system.name, workload, dir, { fromUs: window[0], toUs: window[1] }, bench.ctx.log);
  if (profile !== undefined) bench.results.profiles.push(profile);
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

/** What sets chat-alt apart from chat, as a reader of the report needs it. */
function chatAltDifference(options: BenchOptions): string {
  const parts: string[] = [];
  if (options.altFlags !== undefined)
    parts.push(`Node flags ${options.altFlags.join(' ')} (instead of the chat's own)`);
  if (options.altEnv !== undefined) {
    parts.push(
      Object.entries(options.altEnv)
        .map(([name, value]) => `${name}=${value}`)
        .join(' '),
    );
  }
  return parts.join(' and ');
}
