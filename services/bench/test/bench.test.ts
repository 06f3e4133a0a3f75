/**
 * The benchmark harness works end to end: every system starts, every client connects, every
 * message reaches every client exactly once, and the report, the JSON file and the chart come out.
 * The runs are tiny and nothing here judges speed: the benchmark measures, tests do not.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { expect, it } from 'vitest';
import { REPLICA_NODE_FLAGS } from '../../chat/src/node-flags.ts';
import { useTestRedis } from '../../chat/test/support/lifecycle.ts';
import { runBench } from '../src/main.ts';
import { parseOptions } from '../src/options.ts';
import { REPO_ROOT } from '../src/repo-path.ts';
import type { BenchResults } from '../src/report/results.ts';
import { chat, chatAlt } from '../src/systems/chat.ts';
import type { StartOptions } from '../src/systems/system.ts';

const OUT = `${REPO_ROOT}/test-results/bench-test`;

const redis = useTestRedis();

function losses(results: BenchResults): number {
  return [...results.fanout, ...results.max.flatMap((m) => m.steps)].reduce((a, r) => a + r.lost + r.duplicated, 0);
}

/** Runs the bench in-process with these arguments (as typed, split on spaces), on the test's Redis, collecting what it logs. */
async function bench(commandLine: string) {
  const options = parseOptions(commandLine.split(/\s+/), REPO_ROOT);
  if (options === 'help') throw new Error('unexpected --help');
  const log: string[] = [];
  const run = await runBench({ ...options, redisUrl: redis().url, outDir: OUT }, (line) => log.push(line));
  return { ...run, log };
}

it('runs a short fan-out on every system with nothing lost or duplicated, and writes the table, JSON and chart', async () => {
  const { results, report, files, log } = await bench(
    '--workloads fanout --clients 30 --senders 5 --rate 40 --duration 1.5 --warmup 0 --burn-in 1',
  );

  expect(results.failed, log.join('\n')).toEqual([]);
  // Go is optional (a toolchain and Debian's Go packages); everything else must have run.
  expect(Object.keys(results.skipped).filter((s) => s !== 'article-go')).toEqual([]);
  const ran = results.fanout.map((r) => r.system).sort();
  expect(ran).toEqual(
    ['article-go', 'article-node', 'chat', 'floor', 'socketio'].filter((s) => !(s in results.skipped)),
  );
  for (const r of results.fanout) {
    expect(r.sent, r.system).toBe(60);
    expect(r.expected, r.system).toBe(60 * 30);
    expect(r.delivered, r.system).toBe(r.expected);
    expect(
      r.rssMiB.every((m) => m > 0),
      r.system,
    ).toBe(true);
    expect(r.cpu.serverS, r.system).toBeGreaterThan(0);
  }
  expect(losses(results)).toBe(0);
  // The burn-in ran on the first system (chat) and is in the notes, not in the results.
  expect(log).toContain('bench: burn-in: 1 s of chat fan-out, not recorded');
  // 40 messages (1 s at 40/s) to 30 clients.
  expect(log).toContain('bench: burn-in done: 1200 deliveries, 0 lost, 0 duplicated');
  expect(results.notes).toContain(
    'the run began with 1 s of unrecorded chat fan-out (--burn-in): 1200 deliveries, 0 lost, 0 duplicated',
  );

  expect(report).toMatch(/^Fan-out: 30 clients, 5 senders, 40 msg\/s/m);
  for (const system of ran) expect(report).toMatch(new RegExp(`^${system} `, 'm'));
  expect(report).toMatch(/Ratios to the peers/);
  expect(report).toMatch(/server CPU per delivery <= 0\.65x plain port: \d+\.\d\dx/);

  const saved = JSON.parse(readFileSync(files.json, 'utf8')) as BenchResults;
  expect(saved.fanout).toHaveLength(ran.length);
  expect(saved.machine.nproc).toBeGreaterThan(0);
  expect(readFileSync(files.text, 'utf8')).toBe(report);
  expect(files.chart).toBeDefined();
  const png = readFileSync(files.chart as string);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
});

it('runs the max ramps after every fan-out round, then idle connections and a connect storm, through nginx where asked', async () => {
  const { results, report, files, log } = await bench(
    '--systems chat,socketio --workloads fanout,max,idle,storm --rounds 2 --duration 1 --warmup 0 --clients 20 --senders 4 --max-start 20 --max-factor 2 --max-step 1 --max-steps 2 --burn-in 0 --idle 200 --idle-settle 0.5 --storm 100 --nginx --no-chart',
  );
  expect(results.failed, log.join('\n')).toEqual([]);
  // A ramp holds the machine at its limit: no fan-out round may follow one.
  expect(results.fanout.map((r) => `${r.system} ${r.round}`)).toEqual(['chat 0', 'socketio 0', 'socketio 1', 'chat 1']);
  const lastFanout = log.findLastIndex((line) => line.includes(' fan-out: '));
  const firstMax = log.findIndex((line) => / max: starting$/.test(line));
  expect(lastFanout).toBeGreaterThan(0);
  expect(firstMax).toBeGreaterThan(lastFanout);
  for (const m of results.max) {
    expect(m.steps.length, m.system).toBeGreaterThanOrEqual(2);
    expect(
      m.steps.every((s) => s.lost === 0 && s.duplicated === 0 && s.delivered === s.expected),
      m.system,
    ).toBe(true);
    expect(m.best, m.system).not.toBeNull();
  }
  for (const idle of results.idle) {
    expect(idle.opened, idle.system).toBe(200);
    expect(idle.droppedBeforeRead, idle.system).toBe(0);
    expect(idle.rssAfterMiB, idle.system).toBeGreaterThan(0);
  }
  for (const storm of results.storm) {
    expect(storm.opened, storm.system).toBe(100);
    expect(storm.lostAfter, storm.system).toBe(0);
  }
  expect(report).toMatch(/^Max sustained/m);
  expect(report).toMatch(/^Idle connections: 200 to one replica/m);
  expect(report).toMatch(/^Connect storm: 100 clients/m);
  expect(files.chart).toBeUndefined();
  expect(existsSync(files.json)).toBe(true);
});

it('runs a connect storm of room clients into one room, skipping the systems without rooms', async () => {
  expect(() => parseOptions(['--storm-room', 'lobby'], REPO_ROOT)).toThrow(
    /--storm-room: unknown "lobby" \(one of none, presence, no-presence\)/,
  );
  const { results, report, log } = await bench(
    '--systems chat,article-node --workloads storm --storm 60 --storm-room presence --no-chart',
  );
  expect(results.failed, log.join('\n')).toEqual([]);
  expect(log).toContain('bench: storm article-node skipped: it has no rooms');
  expect(results.storm.map((s) => [s.system, s.room, s.opened, s.lostAfter])).toEqual([['chat', 'presence', 60, 0]]);
  expect(results.storm[0]?.serverCpuS).toBeGreaterThan(0);
  expect(report).toMatch(/^Connect storm: 60 clients at once over 3 replicas, all joining one room in its presence/m);
});

it('runs the rooms workload: each message reaches exactly the members of its room, the sender included, with a write interval too', async () => {
  const { results, report, files, log } = await bench(
    '--systems chat,chat-alt,socketio,article-node --alt-env=WRITE_INTERVAL_MS=50 --workloads rooms --clients 24 --rooms 4 --room-senders 2 --rate 40 --duration 1.5 --warmup 0 --burn-in 0 --no-chart --profile',
  );
  expect(results.failed, log.join('\n')).toEqual([]);
  expect(results.rooms.map((r) => r.system).sort()).toEqual(['chat', 'chat-alt', 'socketio']);
  // --profile: each Node system's first replica, cut to the rooms window, with samples in it.
  const profiles = results.profiles.map((p) => [p.system, p.workload, p.samples > 0]).sort();
  expect(profiles).toEqual([
    ['chat', 'measured rooms window', true],
    ['chat-alt', 'measured rooms window', true],
    ['socketio', 'measured rooms window', true],
  ]);
  // Paths in the results are the repository's, not this machine's, so a run can be published as is.
  for (const p of results.profiles)
    expect(p.file).toMatch(/^test-results\/bench-test\/work\/profiles\/.+\.cpuprofile$/);
  for (const r of results.rooms) {
    expect(r.members, r.system).toEqual({ min: 6, max: 6 });
    // 8 senders (2 in each of 4 rooms), 40 msg/s for 1.5 s: 60 messages, rounded up to 8 each.
    expect(r.sent, r.system).toBe(64);
    expect(r.expected, r.system).toBe(64 * 6);
    expect(r.delivered, r.system).toBe(r.expected);
    expect([r.lost, r.duplicated, r.leaked], r.system).toEqual([0, 0, 0]);
  }
  expect(results.fanout).toEqual([]);
  expect(results.notes.join('\n')).toMatch(/rooms: article-node skipped/);
  expect(results.notes).toContain('chat-alt ran with WRITE_INTERVAL_MS=50');

  expect(report).toMatch(/^Rooms: 24 clients in 4 rooms of 6, 8 senders \(2 per room\), 40 msg\/s/m);
  expect(report).toMatch(/^system +deliv\/s .* dup +leaked /m);
  expect(report).toMatch(/^chat +\S+( +\S+){5} +0 +0 +0 +0 /m);
  expect(report).toMatch(/no message delivered outside its room \(rooms runs, all systems\): none {2}MET/);
  expect(report).not.toMatch(/LEAK/);
  const saved = JSON.parse(readFileSync(files.json, 'utf8')) as BenchResults;
  expect(saved.rooms.map((r) => r.leaked)).toEqual([0, 0, 0]);
  expect(saved.options.outDir).toBe('test-results/bench-test');
  expect(readFileSync(files.markdown, 'utf8')).toMatch(/^\*\*Rooms\*\*: 3 replicas, 24 clients in 4 rooms of 6/m);
});

/** What chat-alt is asked for in the two tests below, before its own option. */
const ALT_ARGS = ['--systems', 'chat,chat-alt', '--workloads', 'fanout', '--replicas', '1'];

function parseAlt(extra: string[]) {
  const options = parseOptions([...ALT_ARGS, ...extra], REPO_ROOT);
  if (options === 'help') throw new Error('unexpected --help');
  return options;
}

/** Starts one replica of `system` with what chat-alt was given, and reads what its process runs with. */
async function startedWith(system: typeof chat, alt: Pick<StartOptions, 'chatAltFlags' | 'chatAltEnv' | 'logDir'>) {
  const running = await system.start({
    replicas: 1,
    redis: { url: redis().url, host: '127.0.0.1', port: redis().port },
    workDir: OUT,
    ...alt,
  });
  try {
    const [pid] = running.pids;
    const read = (file: string) => readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\0');
    return { argv: read('cmdline'), environment: read('environ') };
  } finally {
    await running.stop();
  }
}

it("runs chat-alt with the Node flags --alt-flags gives it instead of the chat's own, and asks for them", async () => {
  expect(() => parseAlt([])).toThrow(/chat-alt needs --alt-flags/);
  expect(() => parseAlt(['--alt-flags= '])).toThrow(/--alt-flags is empty/);
  const options = parseAlt(['--alt-flags=--max-semi-space-size=2  --no-opt']);
  expect(options.altFlags).toEqual(['--max-semi-space-size=2', '--no-opt']);

  for (const [system, present, absent] of [
    [chatAlt, ['--max-semi-space-size=2', '--no-opt'], REPLICA_NODE_FLAGS],
    [chat, REPLICA_NODE_FLAGS, ['--no-opt']],
  ] as const) {
    const { argv } = await startedWith(system, { chatAltFlags: options.altFlags });
    for (const flag of present) expect(argv, system.name).toContain(flag);
    for (const flag of absent) expect(argv, system.name).not.toContain(flag);
  }
});

it("runs chat-alt with the chat's own flags and the variables --alt-env adds", async () => {
  expect(() => parseAlt(['--alt-env=write_interval'])).toThrow(/NAME=value/);
  const options = parseAlt(['--alt-env=WRITE_INTERVAL_MS=7  LOG_LEVEL=error']);
  expect(options.altEnv).toEqual({ WRITE_INTERVAL_MS: '7', LOG_LEVEL: 'error' });

  const { argv, environment } = await startedWith(chatAlt, { chatAltEnv: options.altEnv });
  expect(environment).toEqual(expect.arrayContaining(['WRITE_INTERVAL_MS=7', 'LOG_LEVEL=error', 'RATE_LIMIT=0']));
  expect(argv).toEqual(expect.arrayContaining([...REPLICA_NODE_FLAGS]));
});

it("appends each replica's output to its own file with --replica-logs, one section per start", async () => {
  const options = parseAlt(['--alt-env=LOG_LEVEL=info', '--replica-logs=LOGS']);
  expect(options.replicaLogs).toBe('LOGS');
  const dir = mkdtempSync(`${tmpdir()}/bench-replica-logs-`);
  try {
    for (let start = 0; start < 2; start++) await startedWith(chatAlt, { chatAltEnv: options.altEnv, logDir: dir });
    const log = readFileSync(`${dir}/chat-alt-1.log`, 'utf8');
    const starts = log.split('\n').filter((line) => line.startsWith('--- '));
    expect(starts).toHaveLength(2);
    expect(starts[0]).toContain('services/chat/src/main.ts');
    // What the replica itself printed: pino's lines at the level --alt-env asked for.
    expect(log).toMatch(/"replica":"chat-alt-1".*"msg":"stopped"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
