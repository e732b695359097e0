#!/bin/sh
# Speed of `mtesim trace capture` (docs/performance.md): sort of N generated lines, natively,
# under valgrind --tool=none (the instrumentation framework alone), and captured with
# --accesses=heap and --accesses=all. Medians of RUNS runs.
#   bench/capture_speed.sh BUILD_DIR [LINES] [RUNS]
set -eu
build=${1:-build}; lines=${2:-200000}; runs=${3:-3}
mtesim="$build/bin/mtesim"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seq 1 "$lines" | awk '{printf "line %d %x\n", ($1*7919)%100003, $1*104729}' > "$work/in.txt"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_of() { /usr/bin/time -f %e "$@" > /dev/null 2> "$work/t" || true; tail -1 "$work/t"; }
native=$(for i in $(seq "$runs"); do time_of sort "$work/in.txt"; done | median)
none=$(for i in $(seq "$runs"); do time_of valgrind -q --tool=none sort "$work/in.txt"; done | median)
for mode in heap all; do
  eval "$mode=\$(for i in \$(seq $runs); do time_of $mtesim trace capture $work/c.mtb --accesses $mode -- sort $work/in.txt; done | median)"
  events=$("$mtesim" trace stat "$work/c.mtb" | awk '/^events/ {print $2}')
  eval "${mode}_events=$events"
done
echo "sort of $lines lines, medians of $runs runs"
echo "native                 $native s"
echo "valgrind --tool=none   $none s"
echo "capture --accesses=heap $heap s, $heap_events events ($(awk "BEGIN {printf \"%.0f\", $heap_events / $heap}") events/s)"
echo "capture --accesses=all  $all s, $all_events events ($(awk "BEGIN {printf \"%.0f\", $all_events / $all}") events/s)"
