import { describe, expect, it } from 'vitest';
import { BUCKETS, bucketIndex, bucketRange, Histogram } from './histogram.ts';

describe('bucketIndex', () => {
  it('is exact below 128 and continuous and monotonic above', () => {
    for (let v = 0; v < 128; v++) expect(bucketIndex(v)).toBe(v);
    // Checked in plain code: an expect() per value would take seconds.
    let previous = -1;
    let broken: number | undefined;
    for (let v = 0; v < 1 << 20 && broken === undefined; v += 7) {
      const index = bucketIndex(v);
      if (index < previous || index - previous > 7) broken = v;
      previous = index;
    }
    expect(broken).toBeUndefined();
  });

  it('puts every value inside its bucket, with under 1 % relative width', () => {
    for (const v of [0, 1, 127, 128, 129, 255, 256, 1000, 12_345, 999_999, 60_000_000, 2 ** 31 - 1]) {
      const { low, high } = bucketRange(bucketIndex(v));
      expect(low).toBeLessThanOrEqual(v);
      expect(high).toBeGreaterThanOrEqual(v);
      if (v >= 128) expect((high - low) / low).toBeLessThan(0.008);
    }
    expect(bucketIndex(2 ** 40)).toBe(BUCKETS - 1);
    expect(bucketIndex(-5)).toBe(0);
  });
});

describe('Histogram', () => {
  it('reports percentiles within the bucket error', () => {
    const h = new Histogram();
    for (let v = 1; v <= 100_000; v++) h.record(v);
    expect(h.percentile(0.5)).toBeGreaterThan(50_000 * 0.99);
    expect(h.percentile(0.5)).toBeLessThan(50_000 * 1.01);
    expect(h.percentile(0.99)).toBeGreaterThan(99_000 * 0.99);
    expect(h.percentile(0.99)).toBeLessThan(99_000 * 1.01);
    expect(h.percentile(1)).toBe(100_000);
    expect(h.min).toBe(1);
    expect(h.mean()).toBeCloseTo(50_000.5, 5);
  });

  it('merges data from other processes', () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let v = 0; v < 1000; v++) (v % 2 === 0 ? a : b).record(v);
    const merged = Histogram.from(a.toData()).merge(b.toData());
    expect(merged.total).toBe(1000);
    expect(merged.max).toBe(999);
    expect(merged.min).toBe(0);
    expect(merged.percentile(0.5)).toBeCloseTo(499.5, -1);
  });

  it('is NaN when empty', () => {
    expect(new Histogram().percentile(0.5)).toBeNaN();
  });
});
