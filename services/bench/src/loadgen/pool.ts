/**
 * The load generator as the benchmark sees it: W processes (child_process.fork of worker.ts),
 * clients dealt to them round-robin, and runs that start at the same monotonic instant in all of
 * them. Results from the processes are merged here.
 *
 *   const gen = await LoadGenerator.start(2);
 *   await gen.open(socketIoDialect.name, targets);
 *   const sent = await gen.run({ run: 1, rate: 200, durationS: 30, senders: 10 });
 *   const seen = await gen.collect();
 *   await gen.stop();
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DialectName } from './dialects.ts';
import { Histogram } from './histogram.ts';
import { monoUs } from './marker.ts';
import type {
  ClientSpec,
  CollectResult,
  OpenResult,
  ProgressResult,
  Request,
  Response,
  RunResult,
  SenderSpec,
} from './messages.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** Lead time between sending a run to the processes and its first message, so all start together. */
const START_LEAD_US = 300_000;

class WorkerHandle {
  readonly child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 0;
  /** Clients this process holds. */
  clients = 0;

  constructor(index: number) {
    // Advanced serialization carries the histograms' Float64Arrays as they are.
    this.child = fork(WORKER, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (response: Response) => {
      const pending = this.#pending.get(response.id);
      if (pending === undefined) return;
      this.#pending.delete(response.id);
      if (response.ok) pending.resolve(response.result);
      else pending.reject(new Error(`load generator ${index}: ${response.error}`));
    });
    this.child.on('exit', (code, signal) => {
      for (const pending of this.#pending.values()) {
        pending.reject(new Error(`load generator ${index} exited (${code ?? signal})`));
      }
      this.#pending.clear();
    });
  }

  request<T>(request: Request): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ ...request, id });
    });
  }
}

export interface RunOptions {
  run: number;
  /** Messages a second, all senders together. */
  rate: number;
  durationS: number;
  senders: number;
  /** Extra characters per message (0: just the marker, about 30 bytes). */
  padding?: number;
}

export interface SentResult {
  sent: number;
  /**
   * Deliveries the messages sent call for: each message once to every client in its audience (all
   * clients, or with rooms the sender's room), its sender included.
   */
  expected: number;
  firstSendUs: number;
  lastSendUs: number;
  lag: Histogram;
}

export interface Collected extends Omit<CollectResult, 'latency'> {
  latency: Histogram;
}

export class LoadGenerator {
  readonly #workers: WorkerHandle[];
  /** Where each client lives: global index -> [process, slot]. */
  #placement: [WorkerHandle, number][] = [];
  /** The room of each client (global index), when clients were opened into rooms. */
  #roomOf: (number | undefined)[] = [];
  /** Clients per room. */
  #members = new Map<number, number>();
  #open = 0;

  private constructor(workers: WorkerHandle[]) {
    this.#workers = workers;
  }

  static async start(processes: number): Promise<LoadGenerator> {
    const workers = Array.from({ length: Math.max(1, processes) }, (_, i) => new WorkerHandle(i));
    await Promise.all(workers.map((w) => new Promise((resolve) => w.child.once('spawn', resolve))));
    return new LoadGenerator(workers);
  }

  get pids(): number[] {
    return this.#workers.map((w) => w.child.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Clients that opened (some may have been closed by the server since: those count as lost). */
  get clients(): number {
    return this.#open;
  }

  /**
   * Opens one client per target (client i goes to process i mod W), `concurrency` handshakes in
   * flight per process. Resolves when every client is ready or has failed. A target with a `room`
   * joins it: its messages are then meant for that room's members only. (Room sizes count every
   * target: a session whose clients did not all open is not measured.)
   */
  async open(
    dialect: DialectName,
    targets: readonly ClientSpec[],
    options: { concurrency?: number; timeoutMs?: number; deadlineMs?: number } = {},
  ): Promise<Omit<OpenResult, 'connect'> & { connect: Histogram }> {
    const perWorker: ClientSpec[][] = this.#workers.map(() => []);
    targets.forEach((target, i) => {
      const w = i % this.#workers.length;
      const worker = this.#workers[w] as WorkerHandle;
      perWorker[w]?.push(target);
      this.#placement.push([worker, worker.clients + (perWorker[w]?.length ?? 0) - 1]);
      this.#roomOf.push(target.room);
      if (target.room !== undefined) this.#members.set(target.room, (this.#members.get(target.room) ?? 0) + 1);
    });
    const results = await Promise.all(
      this.#workers.map((worker, w) => {
        const clients = perWorker[w] ?? [];
        const result = worker.request<OpenResult>({
          op: 'open',
          dialect,
          clients,
          concurrency: options.concurrency ?? 64,
          timeoutMs: options.timeoutMs ?? 15_000,
          deadlineMs: options.deadlineMs ?? 300_000,
        });
        worker.clients += clients.length;
        return result;
      }),
    );
    const connect = new Histogram();
    const errors: Record<string, number> = {};
    this.#open += sum(results.map((r) => r.opened));
    for (const r of results) {
      connect.merge(r.connect);
      for (const [reason, n] of Object.entries(r.errors)) errors[reason] = (errors[reason] ?? 0) + n;
    }
    return {
      opened: sum(results.map((r) => r.opened)),
      failed: sum(results.map((r) => r.failed)),
      errors,
      connect,
      firstStartUs: Math.min(...results.map((r) => r.firstStartUs)),
      lastReadyUs: Math.max(...results.map((r) => r.lastReadyUs)),
    };
  }

  /**
   * One fixed-rate run: the first `senders` clients (so senders are spread over replicas and
   * processes like everyone else; a room layout puts its senders first) send `rate` messages a
   * second between them, evenly interleaved, for `durationS`. Resolves when the last message has
   * been sent; deliveries may still be in flight.
   */
  async run(options: RunOptions): Promise<SentResult> {
    const senders = Math.min(options.senders, this.#placement.length);
    if (senders === 0) throw new Error('no clients to send from');
    const roomOf = this.#roomOf.slice(0, senders);
    const senderRooms = roomOf.every((room) => room !== undefined) ? (roomOf as number[]) : undefined;
    const perSender = Math.max(1, Math.round((options.rate * options.durationS) / senders));
    const intervalUs = (senders / options.rate) * 1e6;
    const specs = new Map<WorkerHandle, SenderSpec[]>(this.#workers.map((w) => [w, []]));
    for (let sender = 0; sender < senders; sender++) {
      const [worker, slot] = this.#placement[sender] as [WorkerHandle, number];
      specs
        .get(worker)
        ?.push({ sender, slot, count: perSender, intervalUs, offsetUs: (sender * intervalUs) / senders });
    }
    const startUs = monoUs() + START_LEAD_US;
    const results = await Promise.all(
      this.#workers.map((worker) =>
        worker.request<RunResult>({
          op: 'run',
          run: options.run,
          senders: specs.get(worker) ?? [],
          totalSenders: senders,
          senderRooms,
          startUs,
          padding: options.padding ?? 0,
        }),
      ),
    );
    const active = results.filter((r) => r.sent > 0);
    const lag = new Histogram();
    for (const r of results) lag.merge(r.lag);
    let expected = 0;
    this.#workers.forEach((worker, w) => {
      const sentBy = results[w]?.sentBySender ?? [];
      specs.get(worker)?.forEach((spec, k) => {
        expected += (sentBy[k] ?? 0) * this.#audience(spec.sender);
      });
    });
    return {
      sent: sum(results.map((r) => r.sent)),
      expected,
      firstSendUs: Math.min(...active.map((r) => r.firstSendUs)),
      lastSendUs: Math.max(...active.map((r) => r.lastSendUs)),
      lag,
    };
  }

  /** How many clients each message of client `sender` is for. */
  #audience(sender: number): number {
    const room = this.#roomOf[sender];
    return room === undefined ? this.#open : (this.#members.get(room) ?? 0);
  }

  /** Deliveries counted so far in the current run, summed over processes. */
  async progress(): Promise<ProgressResult> {
    const results = await Promise.all(this.#workers.map((w) => w.request<ProgressResult>({ op: 'progress' })));
    return mergeProgress(results);
  }

  /** Everything the processes counted in the current run, latency histograms merged. */
  async collect(): Promise<Collected> {
    const results = await Promise.all(this.#workers.map((w) => w.request<CollectResult>({ op: 'collect' })));
    const latency = new Histogram();
    const closeReasons: Record<string, number> = {};
    const refused: Record<string, number> = {};
    for (const r of results) {
      for (const [code, n] of Object.entries(r.refused)) refused[code] = (refused[code] ?? 0) + n;
      latency.merge(r.latency);
      for (const [reason, n] of Object.entries(r.closeReasons)) closeReasons[reason] = (closeReasons[reason] ?? 0) + n;
    }
    return { ...mergeProgress(results), latency, closeReasons, refused };
  }

  /** Drops every client (no closing handshake). */
  async closeClients(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.request({ op: 'close' })));
    for (const w of this.#workers) w.clients = 0;
    this.#placement = [];
    this.#roomOf = [];
    this.#members.clear();
    this.#open = 0;
  }

  /** Ends the generator processes. */
  async stop(): Promise<void> {
    await Promise.all(
      this.#workers.map(async (w) => {
        if (w.child.exitCode !== null || w.child.signalCode !== null) return;
        const exited = new Promise((resolve) => w.child.once('exit', resolve));
        w.child.disconnect();
        const timer = setTimeout(() => w.child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

function mergeProgress(results: readonly ProgressResult[]): ProgressResult {
  return {
    run: results[0]?.run ?? -1,
    received: sum(results.map((r) => r.received)),
    unique: sum(results.map((r) => r.unique)),
    duplicated: sum(results.map((r) => r.duplicated)),
    leaked: sum(results.map((r) => r.leaked)),
    stale: sum(results.map((r) => r.stale)),
    lastRecvUs: Math.max(0, ...results.map((r) => r.lastRecvUs)),
    closed: sum(results.map((r) => r.closed)),
  };
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
