/**
 * A system under test: something that serves the chat on N processes sharing one Redis, started
 * and stopped by the benchmark, whose processes' CPU and memory the benchmark reads.
 */
import type { DialectName } from '../loadgen/dialects.ts';

export type SystemName = 'chat' | 'chat-alt' | 'article-node' | 'socketio' | 'article-go' | 'floor' | 'floor-ws';

export interface RedisAddress {
  url: string;
  host: string;
  port: number;
}

export interface StartOptions {
  replicas: number;
  redis: RedisAddress;
  /** Scratch space: built binaries, profiles. */
  workDir: string;
  /** Write a V8 CPU profile of the first replica here when it exits (Node systems). */
  cpuProfileDir?: string;
  /** The first replica writes a heap snapshot here on SIGUSR2 (Node systems). */
  heapSnapshotDir?: string;
  /** `chat-alt`: the Node flags its replicas run with instead of the chat's own (--alt-flags). */
  chatAltFlags?: readonly string[];
  /** `chat-alt`: variables its replicas run with on top of the chat's own (--alt-env). */
  chatAltEnv?: Readonly<Record<string, string>>;
  /** Each server process's output is appended to `<logDir>/<name>.log` (--replica-logs). */
  logDir?: string;
}

export interface Endpoint {
  host: string;
  port: number;
}

export interface RunningSystem {
  /** One per process, in order; clients are dealt to them round-robin. */
  readonly endpoints: readonly Endpoint[];
  /** PIDs whose CPU time and memory count as the server's. */
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

export interface SystemUnderTest {
  readonly name: SystemName;
  /** One line for tables and charts. */
  readonly title: string;
  readonly dialect: DialectName;
  /**
   * How a client joins one room and talks in it, for a system that has rooms; absent for those
   * that do not (the article's one chat, the floor): the rooms workload skips them.
   */
  readonly roomDialect?: DialectName;
  /** True for a system that always runs one process and needs no Redis (the floor). */
  readonly singleProcess: boolean;
  /** Runs on Node, so --profile and --heap apply to its first replica (launch.ts nodeFlags). */
  readonly node: boolean;
  /** Gets it ready to start (builds what needs building); resolves with why it cannot run here, or null. */
  prepare(workDir: string): Promise<string | null>;
  start(options: StartOptions): Promise<RunningSystem>;
}
