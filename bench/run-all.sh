#!/usr/bin/env bash
# End-to-end throughput benchmarks (docs/performance.md records their figures).
#   bench/run-all.sh [BUILD_DIR] [RUNS]
# 1. Core throughput: the generated MTE heap workload (caches, DRAM timing and tag checks on)
#    with 10^7 loads/stores in all, on 1, 4 and 16 cores: simulated accesses per host second.
# 2. DRAM replay: a 5-million-request random trace (80% reads) through `mtesim dram-replay`
#    on DDR3-1600, one channel: requests per host second.
# 3. The Google Benchmark programs in BUILD_DIR/bench.
# Each figure is the median of RUNS runs (default 3) made in this one go.
set -euo pipefail
build=${1:-build}
runs=${2:-3}
mtesim=$build/bin/mtesim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "== core throughput (accesses/s, median of $runs) =="
for cfg in "1 virt-4g-mte 10000000" "4 virt-4g-mte 2500000" "16 server-64g-mte 625000"; do
  set -- $cfg
  for _ in $(seq "$runs"); do
    "$mtesim" run --board "$2" --set workload.threads="$1" --set workload.accesses_per_thread="$3" \
      --set workload.use_after_free=false | awk '/^host/ {print $6}'
  done | median | sed "s/^/cores=$1 board=$2 accesses_per_s=/"
done

echo "== dram-replay (requests/s, median of $runs) =="
"$build/bench/gen_dram_trace" dramsim3 random 5000000 80 1 > "$tmp/random5m.trace"
for _ in $(seq "$runs"); do
  "$mtesim" dram-replay --trace "$tmp/random5m.trace" --preset ddr3-1600 | awk '/^host/ {print $4}'
done | median | sed 's/^/ddr3-1600 random 5M requests_per_s=/'

echo "== Google Benchmark programs =="
for b in "$build"/bench/*_bench; do
  "$b" --benchmark_repetitions="$runs" --benchmark_report_aggregates_only=true 2>/dev/null | grep -E "median|^BM_" || true
done
