/**
 * Wall-clock time in epoch milliseconds with a sub-millisecond fraction. Date.now() stops at whole
 * milliseconds, which is the whole size of a cross-replica delivery on one host; the monotonic
 * clock offset by the process's start time keeps the fraction and is comparable across processes.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
