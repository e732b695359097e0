#!/usr/bin/env bash
# The study of docs/studies/compaction-into-pool.md, reproduced:
#   docs/studies/compaction-into-pool.sh BUILD_DIR [OUT_DIR] [SEEDS]
# Does compacting memory make the next tag reservations slow? On virt-4g-mte (swap off,
# proactive compaction off), one thread fragments memory with Gupta's "frag" pattern (maps
# 3840 MiB, stores to every page, unmaps 3 of every 4), then either writes vm.compact_memory,
# or makes 256 kernel allocations of order 9 (kalloc, unmovable: direct compaction once the
# free pageblocks are gone), or neither, then maps 224 MiB PROT_MTE and stores to every page (57,344 tagged pages: their tag
# blocks are reserved on the fast path if free, else by migrating the data out). Under
# mm.cma_policy linux-balance (the default: movable data may use the pool), linux-balance with
# mm.compaction_into_pool=false (a what-if kernel whose compaction does not fill the pool) and
# never (the pool holds tag blocks only), SEEDS seeds each (default 2: sim.seed 1.., mm.shuffle on). Prints the
# study's table (Markdown) on stdout; OUT_DIR/results.md holds the same.
set -euo pipefail
source "$(dirname "$0")/study_lib.sh"
build=$(cd "${1:?usage: compaction-into-pool.sh BUILD_DIR [OUT_DIR] [SEEDS]}" && pwd)
out=${2:-$(mktemp -d)}
seeds=${3:-2}
mtesim="$build/bin/mtesim"; [ -x "$mtesim" ] || mtesim="$build/mtesim"
mkdir -p "$out"
out=$(cd "$out" && pwd)

for variant in none compact kalloc; do
  awk -v v="$variant" 'BEGIN { base = 268435456; n = 3840 * 256;   # 0x10000000 (mawk reads no hex literals)
    printf "mtesim-trace 1\nthread 1 core=0\n1 mmap 0x%x 0x%x\n", base, n * 4096;
    for (p = 0; p < n; p++) printf "1 st 0x%x 8\n", base + p * 4096;
    for (p = 0; p < n; p += 4) printf "1 munmap 0x%x 0x%x\n", base + (p + 1) * 4096, 3 * 4096;
    if (v == "compact") printf "1 sysctl vm.compact_memory 1\n";
    if (v == "kalloc") for (k = 0; k < 256; k++) printf "1 kalloc k%d 9 unmovable\n", k;
    printf "1 mmap 0x1000000 0xe000000 mte\n";
    for (p = 0; p < 57344; p++) printf "1 st 0x%x 8\n", 16777216 + p * 4096 }' > "$out/$variant.trace"
done

study_start
for config in linux-balance linux-balance-no-targets never; do
  policy=${config%-no-targets}
  into_pool=true; [ "$config" = "$policy" ] || into_pool=false
  for variant in none compact kalloc; do
    for ((s = 1; s <= seeds; s++)); do
      dir="$out/$config-$variant-seed$s"
      study_run "$mtesim" run --trace "$out/$variant.trace" --set swap.size_mbytes=0 --set vm.compaction_proactiveness=0 \
        --set mm.cma_policy="$policy" --set mm.compaction_into_pool="$into_pool" \
        --set sim.seed="$s" --set mm.shuffle=true --out "$dir"
    done
  done
done
study_wait

PYTHONPATH="$(dirname "$0")" python3 - "$out" "$seeds" "$study_host" <<'PY' | tee "$out/results.md"
import sys
from study_table import cell, stats as run_stats
root, seeds, host = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def stats(d):
    return run_stats(root, d)

print("| cma_policy (mm.compaction_into_pool) | before the tagged workload | direct compactions: async / sync_light | of them, freed a block | compaction's destinations in the pool | tag blocks reserved: fast path | slow path (data migrated out) | refcount hits | reservation time (cycles) | reservation time per tagged page (cycles) |")
print("|---|---|---|---|---|---|---|---|---|---|")
what = {"none": "nothing", "compact": "compact_memory", "kalloc": "256 order-9 kallocs"}
label = {"linux-balance": "linux-balance", "linux-balance-no-targets": "linux-balance (false)", "never": "never"}
for config in ("linux-balance", "linux-balance-no-targets", "never"):
    for variant in ("none", "compact", "kalloc"):
        runs = [stats(f"{config}-{variant}-seed{s}") for s in range(1, seeds + 1)]
        col = lambda k: [r[k] for r in runs]
        per_page = [r["mm.reserve.cycles"] / 57344 for r in runs]
        print(f"| {label[config]} | {what[variant]} | {cell(col('mm.compact.priority.async'))} / {cell(col('mm.compact.priority.sync_light'))} | "
              f"{cell(col('mm.compact.success'))} | {cell(col('mm.compact.into_pool'))} | "
              f"{cell(col('mm.reserve.fast'))} | {cell(col('mm.reserve.slow'))} | {cell(col('mm.reserve.refcount_hits'))} | "
              f"{cell(col('mm.reserve.cycles'))} | {cell(per_page, '{:.1f}')} |")
print()
print(f"{seeds} seeds a row (sim.seed 1..{seeds}, mm.shuffle on): mean ± sd. Host time: {host} for {9 * seeds} runs, two at a time.")
PY
