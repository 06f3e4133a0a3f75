#!/bin/bash
# Usage (as root): working-set.sh PATTERN: for each process whose command line matches PATTERN
# (pgrep -f; write e.g. "[c]hat/src/main.ts" so the pattern does not match this script), the memory
# it touches in 0.5 s, one DAMON sampling interval (clear its pages' accessed bits, wait, read
# smaps_rollup's Referenced), 5 samples each, with its RSS.
for pid in $(pgrep -f "$1"); do
  for _ in 1 2 3 4 5; do
    echo 1 > "/proc/$pid/clear_refs"
    sleep 0.5
    referenced=$(awk '/^Referenced:/ { print $2 }' "/proc/$pid/smaps_rollup")
    rss=$(awk '/^Rss:/ { print $2 }' "/proc/$pid/smaps_rollup")
    echo "$1 pid $pid: touched ${referenced} kB in 0.5 s, RSS ${rss} kB"
  done
done
