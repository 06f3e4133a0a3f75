import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.ts';

describe('RateLimiter', () => {
  it('allows a burst of one second worth, then refills at the rate', () => {
    let now = 0;
    const limiter = new RateLimiter(5, () => now);
    const burst = Array.from({ length: 6 }, () => limiter.take());
    expect(burst).toEqual([true, true, true, true, true, false]);
    now += 200; // one token back
    expect(limiter.take()).toBe(true);
    expect(limiter.take()).toBe(false);
    now += 10_000; // refill never goes past the burst size
    expect(Array.from({ length: 6 }, () => limiter.take()).filter(Boolean)).toHaveLength(5);
  });

  it('never limits at rate 0', () => {
    const limiter = new RateLimiter(0, () => 0);
    expect(Array.from({ length: 1000 }, () => limiter.take()).every(Boolean)).toBe(true);
  });
});
