/**
 * Token bucket: `ratePerSecond` messages a second on average, with bursts up to one second's worth,
 * so a person pasting a few lines at once is not refused. A rate of 0 never limits.
 */
// One shared clock function, not a closure per connection.
const monotonicNow = () => performance.now();

export class RateLimiter {
  readonly #rate: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(ratePerSecond: number, now: () => number = monotonicNow) {
    this.#rate = ratePerSecond;
    this.#now = now;
    this.#tokens = ratePerSecond;
    this.#last = now();
  }

  /** Takes one token; false when the caller is over the limit. */
  take(): boolean {
    if (this.#rate === 0) return true;
    const now = this.#now();
    this.#tokens = Math.min(this.#rate, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
