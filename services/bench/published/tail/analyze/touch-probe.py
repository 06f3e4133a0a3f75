# Usage: taskset -c CPU python3 touch-probe.py MB SECONDS OUT: sweeps a working set of MB megabytes
# without pause (one write per 4 KiB page per sweep) for SECONDS, logging each sweep's monotonic
# end time and duration (µs). Run one small and one large beside kdamond-probe.py: a sweep that
# takes longer near a kdamond pass than elsewhere was stalled by it.
import sys, time
import numpy as np
mb, secs, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
pages = np.ones(mb << 20, dtype=np.uint8)[::4096]
rows = []
end = time.monotonic() + secs
while time.monotonic() < end:
    t0 = time.monotonic()
    pages += 1
    t1 = time.monotonic()
    rows.append(f'{t1*1e6:.0f} {(t1-t0)*1e6:.1f}')
open(out, 'w').write('\n'.join(rows))
