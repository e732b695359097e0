#!/usr/bin/env bash
# The study of docs/studies/unmovable-starvation.md, reproduced:
#   docs/studies/unmovable-starvation.sh BUILD_DIR [OUT_DIR] [SEEDS]
# Do the kernel's unmovable allocations starve when movable data may use the tag-storage pool?
# On virt-4g-mte (1 GiB of swap, the other settings at their defaults), thread 1 maps 950,000 or
# 985,000 pages (3.62 or 3.76 GiB) of anonymous memory, stores to every page and keeps it (sleeps 20 s); thread 2,
# in a process of its own on another core, sleeps 3 s (the fill is done by then) and makes 65,536 unmovable kernel
# allocations of order 0, 256 of order 3 and 32 of order 9 (kalloc: 328 MiB). Under each
# mm.cma_policy, with 1 GiB of swap and without swap (then only the OOM killer can free the
# data's memory), and without swap with the data's process protected from the OOM killer
# (`oom_score_adj -1000`, as a production service is), SEEDS seeds each (default 2: sim.seed 1..,
# mm.shuffle on). Prints the study's table (Markdown) on stdout; OUT_DIR/results.md holds the same.
set -euo pipefail
source "$(dirname "$0")/study_lib.sh"
build=$(cd "${1:?usage: unmovable-starvation.sh BUILD_DIR [OUT_DIR] [SEEDS]}" && pwd)
out=${2:-$(mktemp -d)}
seeds=${3:-2}
mtesim="$build/bin/mtesim"; [ -x "$mtesim" ] || mtesim="$build/mtesim"
mkdir -p "$out"
out=$(cd "$out" && pwd)
for fill in 950000 985000; do
  for adj in 0 -1000; do
    name=fill$fill; [ "$adj" = 0 ] || name=fill$fill-adj$adj
    awk -v n="$fill" -v adj="$adj" 'BEGIN { base = 16777216;   # 0x1000000 (mawk reads no hex literals)
      printf "mtesim-trace 1\nthread 1 core=0\nthread 2 core=1 process=2\n";
      if (adj != 0) printf "1 oom_score_adj %d\n", adj;
      printf "1 mmap 0x%x 0x%x\n", base, n * 4096;
      for (p = 0; p < n; p++) printf "1 st 0x%x 8\n", base + p * 4096;
      printf "1 sleep 20000000000\n2 sleep 3000000000\n";
      for (k = 0; k < 65536; k++) printf "2 kalloc a%d 0 unmovable\n", k;
      for (k = 0; k < 256; k++) printf "2 kalloc b%d 3 unmovable\n", k;
      for (k = 0; k < 32; k++) printf "2 kalloc c%d 9 unmovable\n", k }' > "$out/$name.trace"
  done
done
study_start
# variants: swap MiB and the data's trace (adj: its process protected)
for variant in 1024:fill 0:fill 0:adj; do
  swap=${variant%%:*}
  for fill in 950000 985000; do
    trace=fill$fill; [ "${variant#*:}" = adj ] && trace=fill$fill-adj-1000
    for policy in linux-balance cma-last cma-first never; do
      for ((s = 1; s <= seeds; s++)); do
        study_run "$mtesim" run --trace "$out/$trace.trace" --set mm.cma_policy="$policy" \
          --set swap.size_mbytes="$swap" --set sim.seed="$s" --set mm.shuffle=true \
          --out "$out/swap$swap-$trace-$policy-seed$s"
      done
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

cols = [
    ("pool pages holding data (peak)", lambda r: r["mm.pool.peak_data_pages"], "{:.0f}"),
    ("kallocs failed", lambda r: r["board.cpu@1.kalloc_failures"], "{:.0f}"),
    ("starved allocations", lambda r: r["mm.starvation"], "{:.0f}"),
    ("pages reclaimed while the pool had free pages", lambda r: r["mm.starvation_reclaimed"], "{:.0f}"),
    ("direct reclaims", lambda r: r["kernel.direct_reclaim.runs"], "{:.0f}"),
    ("pages direct reclaim freed", lambda r: r["kernel.direct_reclaim.pages"], "{:.0f}"),
    ("pages kswapd freed", lambda r: r["kernel.kswapd.reclaimed"], "{:.0f}"),
    ("pages swapped out", lambda r: r["kernel.swap.outs"], "{:.0f}"),
    ("OOM kills by the kallocs", lambda r: r["kernel.oom.kalloc"], "{:.0f}"),
    ("threads killed: data / burst", None, None),
    ("jiffies the burst slept for the victim's exit", lambda r: r["kernel.oom.waits"], "{:.0f}"),
    ("direct compactions: async / sync_light / succeeded (a block of the order free: COMPACT_SUCCESS)", None, None),
    ("pages compaction migrated", lambda r: r["mm.compact.pages_migrated"], "{:.0f}"),
    ("kallocs' kernel time (ms at 2 GHz)", lambda r: r["board.cpu@1.kernel_cycles"] / 2e6, "{:.1f}"),
    ("kswapd's time (ms)", lambda r: r["kernel.kswapd.cycles"] / 2e6, "{:.1f}"),
]
print("| swap (MiB) | data's oom_score_adj | pages filled | mm.cma_policy | " + " | ".join(c[0] for c in cols) + " |")
print("|---" * (len(cols) + 4) + "|")
for swap, adj, fill, policy in [(w, a, f, p) for w, a in ((1024, 0), (0, 0), (0, -1000)) for f in (950000, 985000)
                                for p in ("linux-balance", "cma-last", "cma-first", "never")]:
    trace = f"fill{fill}" + (f"-adj{adj}" if adj else "")
    runs = [stats(f"swap{swap}-{trace}-{policy}-seed{s}") for s in range(1, seeds + 1)]
    cells = []
    for name, f, fmt in cols:
        if name.startswith("threads killed"):
            cells.append(" / ".join(cell([r[k] for r in runs]) for k in
                                    ("board.cpu@0.threads_killed", "board.cpu@1.threads_killed")))
        elif f is None:
            cells.append(" / ".join(cell([r[k] for r in runs]) for k in
                                    ("mm.compact.priority.async", "mm.compact.priority.sync_light", "mm.compact.success")))
        else:
            cells.append(cell([f(r) for r in runs], fmt))
    print(f"| {swap:,} | {adj} | {fill:,} | {policy} | " + " | ".join(cells) + " |")
print()
print(f"{seeds} seeds a row (sim.seed 1..{seeds}, mm.shuffle on): mean ± sd. Host time: {host} for {24 * seeds} runs, two at a time.")
PY
