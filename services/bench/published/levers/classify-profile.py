# Usage: perf script -i perf.data -F comm,tid,ip,sym,dso | python3 classify-profile.py
# Sorts a chat replica's perf samples (recorded with --perf-basic-prof
# --interpreted-frames-native-stack) by the part of the message path on their stack, in the kernel
# (k) or in user space (u), and lists the user-space leaves of the rest.
import re
import sys
from collections import Counter


def parts(lines):
    head, frames = None, []
    for line in lines:
        line = line.rstrip('\n')
        if not line.strip():
            if frames:
                yield head, frames
            head, frames = None, []
        elif head is None:
            head = line
        else:
            frames.append(line.strip())
    if frames:
        yield head, frames


def where(thread, chain):
    if thread != 'node' and 'MainThread' not in thread:
        return 'other threads (' + thread + ')'
    if 'writeRoom' in chain:
        return 'writes to members, per delivery (writeRoom and below)'
    if 'DataHandler.js' in chain:
        return 'from Redis: decode, RedisBroker.#deliver, Hub.enqueue'
    if 'connection.ts' in chain or 'ws/lib' in chain:
        return 'from clients: frame, validate, publish (ioredis command)'
    if 'epoll' in chain:
        return 'event loop wait'
    return 'other'


def short(symbol):
    # Drop directories: the samples name files on the machine that recorded them.
    return re.sub(r'(/[^ /():]+)+/', '', symbol)[:100]


counts, leaves, total = Counter(), Counter(), 0
for head, frames in parts(sys.stdin):
    total += 1
    side = 'k' if '[kernel' in frames[0] else 'u'
    part = where(head.split()[0], ' | '.join(frames))
    counts[(part, side)] += 1
    if part == 'other' and side == 'u':
        leaves[short(frames[0].split(' ', 1)[1])] += 1

print('samples', total)
for (part, side), n in counts.most_common():
    print(f'{100 * n / total:5.1f}%  {side}  {part}')
print('--- user-space leaves of "other"')
for leaf, n in leaves.most_common(20):
    print(f'{100 * n / total:5.2f}%  {leaf}')
