/**
 * Command-line options of `npm run bench`, with their defaults (the workloads: 3 replicas,
 * 300 clients, 10 senders, 200 messages a second for 30 s; max ramp to p99 100 ms; 5,000 idle;
 * rooms: the same clients and rate in 30 rooms of 10).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_SYSTEMS, SYSTEM_NAMES } from './systems/index.ts';
import type { SystemName } from './systems/system.ts';

const WORKLOADS = ['fanout', 'max', 'idle', 'storm', 'rooms'] as const;
export type Workload = (typeof WORKLOADS)[number];
const STORM_ROOMS = ['none', 'presence', 'no-presence'] as const;
export type StormRoom = (typeof STORM_ROOMS)[number];

export interface BenchOptions {
  workloads: Workload[];
  systems: SystemName[];
  replicas: number;
  clients: number;
  senders: number;
  /** Messages a second, all senders together (fan-out: deliveries a second = rate x clients). */
  rate: number;
  /** Rooms workload: rooms the clients are divided over. */
  rooms: number;
  /** Rooms workload: members of each room that send. */
  roomSenders: number;
  durationS: number;
  warmupS: number;
  /** Unrecorded seconds of fan-out on the first system before the first round (0: none). */
  burnInS: number;
  /** Load generator processes. */
  generators: number;
  maxP99Ms: number;
  maxStartRate: number;
  maxFactor: number;
  maxStepS: number;
  maxSteps: number;
  /** Max workload: a failing step is run again this many times before the ramp stops. */
  maxRetries: number;
  idle: number;
  /** Idle workload: how long connections sit before memory is read. */
  idleSettleS: number;
  storm: number;
  /**
   * Connect storm: each system's own clients (`none`: the chat's are article clients, in no
   * presence), or room clients all joining one room, in its presence or out of it.
   */
  stormRoom: StormRoom;
  /** Source addresses 127.0.0.2 ... for the idle workload (about 28k connections each). */
  sourceAddresses: number;
  nginx: boolean;
  redisUrl: string | undefined;
  outDir: string;
  profile: boolean;
  /** Idle workload: heap snapshots of Node replicas with no connections and with all of them. */
  heap: boolean;
  padding: number;
  rounds: number;
  /** Scheduling priority of the benchmark and everything it starts (nice value; negative needs root). */
  nice: number | undefined;
  chart: boolean;
  /** Node flags of the `chat-alt` system (instead of the chat's own node-flags.ts). */
  altFlags: string[] | undefined;
  /** Environment of the `chat-alt` system's replicas, over the chat's own (NAME=value). */
  altEnv: Record<string, string> | undefined;
  /** Where each server process's output is appended (--replica-logs); undefined: not kept. */
  replicaLogs: string | undefined;
}

/** Every option's default, read by both the usage text and the parser. */
const DEFAULTS = {
  workloads: 'fanout,max,idle',
  replicas: '3',
  clients: '300',
  senders: '10',
  rate: '200',
  rooms: '30',
  // One sender per room: every room is live and the rate is split evenly over the rooms, while
  // each message still reaches members on every replica. More senders per room change who
  // sends, not the server's work per message; they only thin each sender's schedule.
  'room-senders': '1',
  duration: '30',
  warmup: '5',
  'burn-in': '30', // why: burnIn in main.ts
  generators: '2',
  'max-p99': '100',
  'max-start': '100',
  'max-factor': '1.3',
  'max-step': '8',
  'max-steps': '20',
  'max-retries': '1',
  idle: '5000',
  'idle-settle': '5',
  storm: '2000',
  'storm-room': 'none',
  'source-addresses': '4',
  padding: '0',
  rounds: '1',
} as const;

/** parseArgs' declaration of every option with a default above: a string, parsed and checked below. */
const STRING_OPTIONS = Object.fromEntries(
  Object.entries(DEFAULTS).map(([name, value]) => [name, { type: 'string', default: value }]),
) as { [Name in keyof typeof DEFAULTS]: { type: 'string'; default: string } };

export const USAGE = `npm run bench -- [options]

Starts one redis-server (or uses --redis-url), the systems under test as separate processes, and
load generator processes; prints a table, writes JSON and a PNG chart to --out.

  --workloads LIST      fanout,max,idle,storm,rooms (default ${DEFAULTS.workloads}); "all" for every one
  --systems LIST        any of ${SYSTEM_NAMES.join(',')}
                        (default: ${DEFAULT_SYSTEMS.join(',')}, those that can run here)
  --replicas N          server processes per system (default ${DEFAULTS.replicas}; the floor always runs 1)
  --clients N           connected clients, round-robin over the replicas (default ${DEFAULTS.clients})
  --senders N           clients that send (default ${DEFAULTS.senders})
  --rate N              messages/s from all senders together, fan-out and rooms workloads (default ${DEFAULTS.rate})
  --duration S          measured seconds of the fan-out and rooms workloads (default ${DEFAULTS.duration})
  --warmup S            unmeasured seconds before each (default ${DEFAULTS.warmup})
  --burn-in S           fan-out, rooms and max: seconds of unrecorded fan-out on the first system before
                        anything is measured, as a run's first round is slower (default ${DEFAULTS['burn-in']}; 0: none)
  --rooms N             rooms workload: rooms the --clients are divided over, each with members on
                        every replica (default ${DEFAULTS.rooms}: rooms of 10); systems without rooms are skipped
  --room-senders N      rooms workload: members of each room that send (default ${DEFAULTS['room-senders']})
  --generators N        load generator processes (default ${DEFAULTS.generators})
  --max-p99 MS          max workload: the p99 bound (default ${DEFAULTS['max-p99']})
  --max-start N         max workload: first rate in messages/s (default ${DEFAULTS['max-start']})
  --max-factor F        max workload: rate multiplier per step (default ${DEFAULTS['max-factor']})
  --max-step S          max workload: seconds per step (default ${DEFAULTS['max-step']})
  --max-steps N         max workload: at most this many steps (default ${DEFAULTS['max-steps']})
  --max-retries N       max workload: tries again of a failing step before stopping (default ${DEFAULTS['max-retries']})
  --idle N              idle workload: connections to one replica (default ${DEFAULTS.idle})
  --idle-settle S       idle workload: seconds before memory is read (default ${DEFAULTS['idle-settle']})
  --storm N             connect storm: clients connecting at once (default ${DEFAULTS.storm})
  --storm-room MODE     connect storm: none (default: each system's own clients), presence (room clients,
                        all joining one room with a name, in its presence) or no-presence (the same with
                        presence=0); systems without rooms are skipped unless none
  --source-addresses N  idle workload: source addresses 127.0.0.2.. (default ${DEFAULTS['source-addresses']}; ~28k connections each)
  --nginx               clients connect through nginx (docker/nginx.conf) instead of directly
  --redis-url URL       use this Redis instead of starting a redis-server
  --out DIR             where results go (default test-results/bench, git-ignored)
  --profile             CPU profile (node --cpu-prof) of the first replica of each Node system, cut
                        to the measured window of fan-out and of rooms (round 1), with a flame graph
  --heap                idle workload: heap snapshots of each Node replica without and with the
                        connections, live bytes per connection by constructor (disturbs RSS figures)
  --padding N           extra characters per message (default ${DEFAULTS.padding}: about 30-byte texts)
  --rounds N            repeat fanout this many times, systems interleaved; medians reported (default ${DEFAULTS.rounds})
  --nice=N              run everything at this nice value (e.g. --nice=-10 as root: other work on a shared
                        machine then disturbs the run less, and is slowed more); default: unchanged
  --alt-flags="FLAGS"   Node flags for the chat-alt system instead of the chat's own (node-flags.ts), to
                        measure one as an A/B (with "=", as the flags begin with --):
                        --systems chat,chat-alt --alt-flags="--max-semi-space-size=8"
  --alt-env="NAME=V .." the chat-alt system's replicas run with these variables too (the chat's own flags
                        unless --alt-flags): --systems chat,chat-alt --alt-env="WRITE_INTERVAL_MS=5"
  --replica-logs DIR    append each server process's output to DIR/<name>.log (e.g. chat-1.log), one
                        section per start: what a replica prints, such as V8's --trace-gc in --alt-flags
  --no-chart            skip the PNG chart
  --help`;

export function parseOptions(argv: readonly string[], repoRoot: string): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      ...STRING_OPTIONS,
      systems: { type: 'string', default: DEFAULT_SYSTEMS.join(',') },
      nginx: { type: 'boolean', default: false },
      'redis-url': { type: 'string' },
      out: { type: 'string', default: `${repoRoot}/test-results/bench` },
      profile: { type: 'boolean', default: false },
      heap: { type: 'boolean', default: false },
      nice: { type: 'string' },
      'no-chart': { type: 'boolean', default: false },
      'alt-flags': { type: 'string' },
      'alt-env': { type: 'string' },
      'replica-logs': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const workloads = values.workloads === 'all' ? [...WORKLOADS] : list(values.workloads, WORKLOADS, '--workloads');
  const systems = list(values.systems, SYSTEM_NAMES, '--systems');
  const options: BenchOptions = {
    workloads,
    systems,
    replicas: int(values.replicas, '--replicas', 1, 64),
    clients: int(values.clients, '--clients', 1, 200_000),
    senders: int(values.senders, '--senders', 1, 10_000),
    rate: num(values.rate, '--rate', 0.1, 1e7),
    rooms: int(values.rooms, '--rooms', 1, 100_000),
    roomSenders: int(values['room-senders'], '--room-senders', 1, 10_000),
    durationS: num(values.duration, '--duration', 0.5, 86_400),
    warmupS: num(values.warmup, '--warmup', 0, 3_600),
    burnInS: num(values['burn-in'], '--burn-in', 0, 3_600),
    generators: int(values.generators, '--generators', 1, 64),
    maxP99Ms: num(values['max-p99'], '--max-p99', 0.1, 60_000),
    maxStartRate: num(values['max-start'], '--max-start', 0.1, 1e7),
    maxFactor: num(values['max-factor'], '--max-factor', 1.01, 10),
    maxStepS: num(values['max-step'], '--max-step', 0.5, 3_600),
    maxSteps: int(values['max-steps'], '--max-steps', 1, 100),
    maxRetries: int(values['max-retries'], '--max-retries', 0, 10),
    idle: int(values.idle, '--idle', 1, 1_000_000),
    idleSettleS: num(values['idle-settle'], '--idle-settle', 0, 3_600),
    storm: int(values.storm, '--storm', 1, 1_000_000),
    stormRoom: one(values['storm-room'], STORM_ROOMS, '--storm-room'),
    sourceAddresses: int(values['source-addresses'], '--source-addresses', 1, 250),
    nginx: values.nginx,
    redisUrl: values['redis-url'],
    outDir: values.out,
    profile: values.profile,
    heap: values.heap,
    padding: int(values.padding, '--padding', 0, 1_000_000),
    rounds: int(values.rounds, '--rounds', 1, 100),
    nice: values.nice === undefined ? undefined : int(values.nice, '--nice', -20, 19),
    chart: !values['no-chart'],
    altFlags: values['alt-flags'] === undefined ? undefined : nodeFlags(values['alt-flags']),
    altEnv: values['alt-env'] === undefined ? undefined : envAssignments(values['alt-env']),
    replicaLogs: values['replica-logs'],
  };
  if (options.systems.includes('chat-alt') && options.altFlags === undefined && options.altEnv === undefined) {
    throw new Error(
      '--systems chat-alt needs --alt-flags="FLAGS" or --alt-env="NAME=value ..." (what it runs with instead)',
    );
  }
  if (options.senders > options.clients) throw new Error('--senders cannot exceed --clients');
  if (options.workloads.includes('rooms') && options.rooms * options.roomSenders > options.clients) {
    throw new Error('--rooms x --room-senders cannot exceed --clients (every sender is a member of its room)');
  }
  return options;
}

function one<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!allowed.includes(value as T)) throw new Error(`${flag}: unknown "${value}" (one of ${allowed.join(', ')})`);
  return value as T;
}

function list<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => one(item, allowed, flag));
  if (items.length === 0) throw new Error(`${flag}: empty`);
  return items;
}

function num(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new Error(`${flag} must be a number from ${min} to ${max}, got "${value}"`);
  return n;
}

function int(value: string, flag: string, min: number, max: number): number {
  const n = num(value, flag, min, max);
  if (!Number.isInteger(n)) throw new Error(`${flag} must be a whole number, got "${value}"`);
  return n;
}

/** The words of an option's value (the flags or assignments it lists, split on spaces). */
function words(raw: string): string[] {
  return raw.split(/\s+/).filter((word) => word !== '');
}

/** `--flag --flag=value` as a list of Node flags. */
function nodeFlags(raw: string): string[] {
  const flags = words(raw);
  if (flags.length === 0) throw new Error('--alt-flags is empty');
  return flags;
}

/** `NAME=value NAME=value` (values without spaces) as an environment. */
function envAssignments(raw: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const assignment of words(raw)) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(assignment);
    if (match === null) throw new Error(`--alt-env takes NAME=value words, got ${JSON.stringify(assignment)}`);
    env[match[1] as string] = match[2] as string;
  }
  if (Object.keys(env).length === 0) throw new Error('--alt-env is empty');
  return env;
}
