#!/bin/sh
# Speed of `mtesim trace capture` (docs/performance.md): sort of N generated lines, natively,
# under valgrind --tool=none (the instrumentation framework alone), and captured with
# --accesses=heap and --accesses=all. Medians of RUNS runs.
#   bench/capture_speed.sh BUILD_DIR [LINES] [RUNS] [BASELINE_BUILD_DIR]
# With BASELINE_BUILD_DIR (another build's directory, e.g. main's: its bin/mtesim and capture/),
# each capture is also timed with the baseline, the two alternating run by run in the same go
# (the host is shared and noisy), and the ratio of the medians is given.
set -eu
build=${1:-build}; lines=${2:-200000}; runs=${3:-3}; base=${4:-}
mtesim="$build/bin/mtesim"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seq 1 "$lines" | awk '{printf "line %d %x\n", ($1*7919)%100003, $1*104729}' > "$work/in.txt"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_of() { /usr/bin/time -f %e "$@" > /dev/null 2> "$work/t" || true; tail -1 "$work/t"; }
native=$(for i in $(seq "$runs"); do time_of sort "$work/in.txt"; done | median)
none=$(for i in $(seq "$runs"); do time_of valgrind -q --tool=none sort "$work/in.txt"; done | median)
echo "sort of $lines lines, medians of $runs runs"
echo "native                 $native s"
echo "valgrind --tool=none   $none s"
for mode in heap all; do
  : > "$work/new"; : > "$work/old"
  for i in $(seq "$runs"); do
    [ -z "$base" ] || time_of "$base/bin/mtesim" trace capture "$work/b.mtb" --accesses $mode -- sort "$work/in.txt" >> "$work/old"
    time_of "$mtesim" trace capture "$work/c.mtb" --accesses $mode -- sort "$work/in.txt" >> "$work/new"
  done
  new=$(median < "$work/new")
  events=$("$mtesim" trace stat "$work/c.mtb" | awk '/^events/ {print $2}')
  echo "capture --accesses=$mode $new s, $events events ($(awk "BEGIN {printf \"%.0f\", $events / $new}") events/s); runs: $(tr '\n' ' ' < "$work/new")"
  if [ -n "$base" ]; then
    old=$(median < "$work/old")
    old_events=$("$mtesim" trace stat "$work/b.mtb" | awk '/^events/ {print $2}')
    echo "  baseline $base: $old s, $old_events events; runs: $(tr '\n' ' ' < "$work/old"); new/baseline $(awk "BEGIN {printf \"%.2f\", $new / $old}")x"
  fi
done
