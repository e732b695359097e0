#!/usr/bin/env bash
# Host user seconds of several mtesim binaries on the built-in workload (one core, 10^7 checked
# accesses, virt-4g-mte), run in turn in one go (a, b, c, a, b, c, ...), to the millisecond; prints
# each binary's median and its runs. For comparing a series of commits when the host is noisy
# (docs/performance.md, "Session 15"); bench/speed_check.sh compares two and checks their stats.
#   bench/speed_alternate.sh RUNS MTESIM...
set -euo pipefail
runs=$1
shift
work=$(mktemp -d)
declare -A times
for _ in $(seq "$runs"); do
  for b in "$@"; do
    { TIMEFORMAT=%3U; time "$b" run --board virt-4g-mte --set workload.threads=1 --set workload.accesses_per_thread=10000000 \
        --set workload.use_after_free=false --out "$work/out" > /dev/null 2> "$work/err"; } 2> "$work/time"
    times[$b]="${times[$b]:-} $(cat "$work/time")"
  done
done
for b in "$@"; do
  median=$(echo "${times[$b]}" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  echo "$b: median $median s; runs${times[$b]}"
done
rm -rf "$work"
