#!/usr/bin/env bash
# The study of docs/studies/browser-startup-phone.md, reproduced:
#   docs/studies/browser-startup-phone.sh BUILD_DIR [OUT_DIR] [SEEDS]
# A browser cold start (docs/studies/browser-startup-trace.py) on the phone board with memory
# full of page cache (vm.prefill_page_cache_mbytes), under the static carve-out (the baseline of
# `mtesim compare`), the fast path, contig-range and cleancache, SEEDS seeds each (default 3:
# sim.seed 1.., mm.shuffle on). Writes OUT_DIR/compare (mtesim compare's output) and prints the
# study's tables (Markdown) on stdout; OUT_DIR/results.md holds the same.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: browser-startup-phone.sh BUILD_DIR [OUT_DIR] [SEEDS]}" && pwd)
out=${2:-$(mktemp -d)}
seeds=${3:-3}
mtesim="$build/bin/mtesim"; [ -x "$mtesim" ] || mtesim="$build/mtesim"
mkdir -p "$out"
out=$(cd "$out" && pwd)

python3 "$here/browser-startup-trace.py" "$out/browser-startup.trace"
start=$(date +%s)
# STUDY_SUMMARY_ONLY=1 re-prints the tables of an OUT_DIR whose runs are done.
[ "${STUDY_SUMMARY_ONLY:-0}" = 1 ] || "$mtesim" compare --board phone-8g-lpddr5 --trace "$out/browser-startup.trace" \
  --vary mm.tag_reserve=fast-path,contig-range,cleancache --seeds "$seeds" -j 2 \
  --set vm.prefill_page_cache_mbytes=8192 --out "$out/compare" > "$out/compare.log"
host="$(( $(date +%s) - start )) s"
[ "${STUDY_SUMMARY_ONLY:-0}" = 1 ] && host="not measured (summary only)"

python3 - "$out/compare" "$seeds" "$host" "$("$mtesim" --version 2>/dev/null | head -1 || true)" <<'PY' | tee "$out/results.md"
import json, math, os, sys
root, seeds, host, version = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

host_seconds = 0.0

def load(run_dir):
    global host_seconds
    doc = json.load(open(os.path.join(root, run_dir, "stats.json")))
    host_seconds += float(doc.get("host", {}).get("seconds", 0.0))
    return {r["name"]: r["value"] for r in doc["stats"]}

# grid.json lists every run: points/<point>/seed<k> (one seed: points/<point>), in seed order.
grid = json.load(open(os.path.join(root, "grid.json")))
points, policy, stats = [], {}, {}
for run in grid["runs"]:
    name = os.path.dirname(run["dir"]) if seeds > 1 else run["dir"]
    if name not in points:
        points.append(name)
        stats[name] = []
        sets = dict((k, v) for k, v in run["settings"])
        policy[name] = "static carve-out" if sets.get("mm.tag_storage") == "static" else sets.get("mm.tag_reserve", name)
    stats[name].append(load(run["dir"]))
base = stats[points[0]]

def startup_ms(s):
    return (s["sim.time_ps"] - s.get("boot.time_ps", 0)) / 1e9

def mean_sd(xs):
    m = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return m, sd

def cell(xs, fmt):
    m, sd = mean_sd(xs)
    return (fmt % m) + ((" ± " + fmt % sd) if seeds > 1 else "")

print(f"Run: `docs/studies/browser-startup-phone.sh BUILD` ({version or 'mtesim'}; {seeds} seeds, mm.shuffle on; "
      f"{len(grid['runs'])} runs taking {host_seconds:.0f} s of host time in all, run two at a time; wall time of the "
      f"grid: {host}). Mean ± sample standard deviation over the seeds.")
print()
print("| policy | start-up (ms) | slowdown vs static | fast | slow (alloc_contig_range) | cleancache drops | failed | IPIs | lru_cache_disable calls | caller wait (M cycles) | remote CPUs lose (M cycles) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
slow_by = {}
for name in points:
    ss = stats[name]
    sl = [startup_ms(s) / startup_ms(b) for s, b in zip(ss, base)]
    slow_by[name] = sl
    g = lambda key: [s.get(key, 0) for s in ss]
    print(f"| {policy[name]} | {cell([startup_ms(s) for s in ss], '%.2f')} | {cell(sl, '%.4f')} | "
          f"{cell(g('mm.reserve.fast'), '%.0f')} | {cell(g('mm.reserve.slow'), '%.0f')} | {cell(g('mm.reserve.dropped'), '%.0f')} | "
          f"{cell(g('mm.reserve.failed'), '%.0f')} | {cell(g('mm.ipis'), '%.0f')} | {cell(g('kernel.lru_disable.calls'), '%.0f')} | "
          f"{cell([v / 1e6 for v in g('kernel.lru_disable.wait_cycles')], '%.2f')} | "
          f"{cell([v / 1e6 for v in g('kernel.lru_disable.remote_cycles')], '%.2f')} |")
print()
print("Memory and reclaim (same runs):")
print()
print("| policy | pool pages holding data, peak | pool pages holding tags, peak | kswapd reclaimed pages | direct reclaims | cleancache drops / refaults (pages) | page cache at the end (pages) |")
print("|---|---|---|---|---|---|---|")
for name in points:
    ss = stats[name]
    g = lambda key: [s.get(key, 0) for s in ss]
    print(f"| {policy[name]} | {cell(g('mm.pool.peak_data_pages'), '%.0f')} | {cell(g('mm.pool.peak_tag_pages'), '%.0f')} | "
          f"{cell(g('kernel.kswapd.reclaimed'), '%.0f')} | {cell(g('kernel.direct_reclaim.runs'), '%.0f')} | "
          f"{cell(g('kernel.cleancache.drops'), '%.0f')} / {cell(g('kernel.cleancache.refaults'), '%.0f')} | "
          f"{cell(g('kernel.page_cache_pages'), '%.0f')} |")
print()
print("Differences between policies, paired by seed (start-up time ratio; a difference is within the seed spread when |mean − 1| ≤ sd):")
print()
print("| policies | ratio of start-up times | within seed spread? |")
print("|---|---|---|")
names = points
for i in range(len(names)):
    for j in range(i + 1, len(names)):
        a, b = names[i], names[j]
        r = [startup_ms(x) / startup_ms(y) for x, y in zip(stats[b], stats[a])]
        m, sd = mean_sd(r)
        within = "yes" if seeds > 1 and abs(m - 1) <= sd else ("no" if seeds > 1 else "n/a (1 seed)")
        print(f"| {policy[b]} / {policy[a]} | {cell(r, '%.4f')} | {within} |")
PY
