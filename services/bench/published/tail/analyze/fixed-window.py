# Usage: TRACE=DIR [SHIFT=µs] [WINDOW_MS=15] python3 fixed-window.py NAME:RUN...
# p99 of deliveries with and without the messages sent within WINDOW_MS before a kdamond pass or
# during it: the same window for every system, whatever its own latency (kdamond.py's test is a
# message's own latency, which a slower system widens).
import os, sys, glob
import numpy as np
TRACE = os.environ.get('TRACE', '.')
SHIFT = float(os.environ.get('SHIFT', '0'))
W = float(os.environ.get('WINDOW_MS', '15')) * 1000
kd = np.loadtxt(TRACE + '/kd.txt', ndmin=2)
ends = kd[:, 0] + SHIFT
starts = ends - kd[:, 1] - 1000  # the probe polls every ms


def p(latencies):
    return np.percentile(latencies, 99) / 1000


for arg in sys.argv[1:]:
    name, run = arg.split(':')
    rows = np.concatenate([np.loadtxt(f, ndmin=2) for f in glob.glob(f'{TRACE}/*-{run}.txt')])
    sent, lat = rows[:, 3], rows[:, 4]
    # a message is exposed when a pass starts within W after its send, or it was sent during one
    i = np.searchsorted(starts, sent, side='left')  # the first pass starting at or after the send
    nxt = np.where(i < len(starts), starts[np.minimum(i, len(starts) - 1)], np.inf)
    exposed = (nxt - sent) <= W
    j = np.searchsorted(starts, sent, side='right') - 1  # the last pass started before the send
    during = (j >= 0) & (sent <= ends[np.maximum(j, 0)])
    exposed |= during
    keys = rows[:, 0] * 1e7 + rows[:, 1]
    share = len(np.unique(keys[exposed])) / len(np.unique(keys))
    print(f'{name:12s} run {run:>3s}  p99 all {p(lat):6.2f} ms  without messages exposed to a pass ({100*share:4.1f} % of messages) {p(lat[~exposed]):6.2f} ms  exposed only {p(lat[exposed]):6.2f} ms')
