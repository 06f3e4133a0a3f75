/**
 * At most `limit` joins of this replica talk to Redis at once; the others wait their turn here, in
 * order. Without it, a storm of thousands of joins puts all their commands in flight together, and
 * those at the back wait on Redis past the command timeout and are refused; with it, a join's
 * commands are sent when the replica can see them through, and a storm is slower, not refused.
 */
export class JoinGate {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  #head = 0;

  constructor(limit: number) {
    this.#free = limit;
  }

  /** Runs `task` once fewer than `limit` others are running. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      this.#next();
    }
  }

  #next(): void {
    const next = this.#waiting[this.#head];
    if (next === undefined) {
      this.#free++;
      return;
    }
    this.#waiting[this.#head] = undefined as never;
    this.#head++;
    if (this.#head === this.#waiting.length) {
      this.#waiting.length = 0;
      this.#head = 0;
    }
    next();
  }
}
