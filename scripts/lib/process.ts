/**
 * Child processes that are stopped by their PID and only by it: each one's output arrives line by
 * line, its last lines are kept for error messages, and whatever is still running when this
 * process exits is killed, so an interrupted cluster or test leaves nothing behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { waitUntil } from './wait.ts';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessSpec {
  /** Label for logs and errors, e.g. "replica-1". */
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Own process group: a Ctrl-C in the terminal then reaches only the parent, which stops it in order. */
  detached?: boolean;
  /** Every line the process writes, without its newline. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** Lines kept per process for error messages. */
const TAIL_LINES = 20;

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

export class ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  readonly #detached: boolean;
  readonly #tail: string[] = [];
  #exit: Exit | undefined;

  constructor(spec: ProcessSpec) {
    this.name = spec.name;
    this.#detached = spec.detached ?? false;
    this.child = spawn(spec.command, spec.args, {
      env: spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: this.#detached,
    });
    live.add(this);
    installExitHook();
    this.exited = new Promise((resolve) => {
      const done = (exit: Exit) => {
        if (this.#exit !== undefined) return;
        this.#exit = exit;
        live.delete(this);
        resolve(exit);
      };
      this.child.once('exit', (code, signal) => done({ code, signal }));
      // Spawning failed (ENOENT, EACCES): there will be no 'exit'.
      this.child.once('error', (error) => {
        this.#keep(`${spec.command}: ${error.message}`);
        if (this.child.pid === undefined) done({ code: null, signal: null });
      });
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      let pending = '';
      this.child[stream]?.setEncoding('utf8').on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          this.#keep(line);
          spec.onLine?.(line, stream);
        }
      });
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.#exit === undefined && this.child.pid !== undefined;
  }

  /** The last lines it wrote, for an error message. */
  tail(): string {
    return this.#tail.join('\n');
  }

  /**
   * Polls `check` until it is true, like waitUntil; fails at once, with the last lines the process
   * wrote (and `detail()`, for what it logs elsewhere), if the process exits first.
   */
  async waitReady(
    what: string,
    timeoutMs: number,
    check: () => boolean | Promise<boolean>,
    detail: () => string = () => '',
  ): Promise<void> {
    await waitUntil(what, timeoutMs, async () => {
      if (!this.running) throw new Error(`${this.name} exited at start:\n${this.tail()}${detail()}`);
      return check();
    });
  }

  /** Sends a signal if it is still running. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /**
   * Sends `signal` and waits for the exit; SIGKILL after `timeoutMs`. A detached process gets the
   * SIGKILL on its whole group (nginx's workers would outlive a killed master otherwise); the group
   * is the one spawn created for it, holding nothing else.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<Exit> {
    if (this.running) {
      this.child.kill(signal);
      const timer = setTimeout(() => this.#killHard(), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }

  #killHard(): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(this.#detached ? -pid : pid, 'SIGKILL');
    } catch {} // already gone
  }

  #keep(line: string): void {
    this.#tail.push(line);
    if (this.#tail.length > TAIL_LINES) this.#tail.shift();
  }

  /** For the exit hook: no waiting is possible there. */
  static killAllNow(): void {
    for (const managed of live) managed.#killHard();
    live.clear();
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => ManagedProcess.killAllNow());
}
