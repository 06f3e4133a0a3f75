# Usage: python3 touch-stalls.py KD_FILE SWEEPS_FILE...: each touch-probe.py log's sweeps near a
# kdamond pass (overlapping one, or ending within 20 ms after it) against the others; then the same
# with the passes moved by 260 ms, as a control.
import sys
import numpy as np
kd = np.loadtxt(sys.argv[1], ndmin=2)
for f in sys.argv[2:]:
    t = np.loadtxt(f, ndmin=2)
    end, dur = t[:, 0], t[:, 1]
    start = end - dur
    for shift in (0, 260000):
        e = kd[:, 0] + shift
        s = e - kd[:, 1] - 1000  # the probe polls every ms
        i = np.searchsorted(s, end, side='right') - 1
        near = (i >= 0) & (start <= e[np.maximum(i, 0)] + 20000)
        print(f'{f} passes moved by {shift/1000:.0f} ms: {len(dur)} sweeps, median {np.median(dur):.0f} µs; '
              f'near a pass {near.sum()}: p99 {np.percentile(dur[near], 99):.0f} max {dur[near].max():.0f} µs; '
              f'others p99 {np.percentile(dur[~near], 99):.0f} max {dur[~near].max():.0f} µs')
d = np.sort(kd[:, 1])
print(f'kdamond CPU per pass: p50 {d[len(d)//2]:.0f} µs, max {d[-1]:.0f} µs, {len(d)} passes')
