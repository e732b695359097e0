#!/usr/bin/env bash
# The Cores section of docs/fidelity.md: generated traces run on virt-4g-mte with the in-order
# and the out-of-order core model.
#   [BOARD=virt-4g-mte] [CORE=0] [PRESET=arm,...] [TLB_PAGES="16 ... 4096"] [CHASE_ONLY=1] [TLB_ONLY=1] [BW_ONLY=1]
#   [BRANCH_ONLY=1] [BRANCH_PRESETS="..."] [PAR_ONLY=1] [PAR_KIB="64 ..."] [CONFIG=F.ini] [SET="k=v ..."] [BW_MIB=16] [MIN_KIB=4] [OOO_ONLY=1|INORDER_ONLY=1] [DEP_ONLY=1]
#   [SAMPLE_FROM_KIB=262144] [SAMPLE_WARM=262144] [SAMPLE_TIMED=65536] bench/fidelity/cores.sh [BUILD_DIR] [MAX_KIB]
# The default run (no BOARD, PRESET or *_ONLY) ends with the other boards' tables (NO_EXTRA=1: not).
# CORE: the cpu the traces run on (the phone board's Cortex-X3 is cpu 7); PRESET: a core preset
# forced on every cpu (core.preset), e.g. arm,neoverse-n1 on a board whose cpus name another.
# - load-to-use latency of a dependent pointer chase (lat_mem_rd-style, one load per 64-byte
#   line in a random cyclic order, dep=1) by working-set size, MIN_KIB .. MAX_KIB (default 4 KiB
#   .. 1 GiB, by fours); from SAMPLE_FROM_KIB (256 MiB) on, a sampled chase of distinct lines
#   drawn from the whole set (chase_sampled_trace: a full 1 GiB chase is too slow to simulate on
#   a shared host). OOO_ONLY / INORDER_ONLY: one core model only (INORDER_ONLY for the in-order
#   preset arm,cortex-a55, whose ooo columns mean nothing; OOO_ONLY for arm,cortex-a510, whose
#   preset runs the window model with its own small window); DEP_ONLY: no independent (MLP) run;
# - memory-level parallelism: the same addresses loaded without the dependence;
# - single-core bandwidth, STREAM-like: a read pass (one 64-byte load per line) and a copy
#   pass (a 64-byte load and a 64-byte store per line) over 16 MiB (twice the LLC);
# - TLB reach: a dependent chase over one line per page (pages in a random cyclic order) against
#   the same number of lines packed into few pages, by page count: the difference is what
#   translation costs per load (L1 dTLB, L2 TLB, walks);
# - the kernel's page work: cycles of one 4 KiB copy_page (a slow tag reservation migrates
#   an order-10 block), of the whole reservation per page migrated, and of one clear_page
#   (demand faults; the boot's zeroing subtracted);
# - branch mispredictions: the sorted-versus-unsorted array sum on each core preset (cycles per
#   mispredict and the slowdown of the unsorted run).
# Each phase is timed by markers: a load of an unmapped address is a fault recorded with its
# time (core.on_fault = continue); the marker's kernel entry drains the window first.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
max_kib=${2:-1048576}
mtesim="$build/bin/mtesim"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
base=$((0x80000000))
core=${CORE:-0}

# chase_trace KIB DEP: map KIB, touch every page, then a warming pass over the lines in a random
# cyclic order (seeded) and a timed one (between markers 2 and 3) that repeats the order until
# it has made at least 16384 loads (so the markers' cost is negligible for small sets).
# map_and_shuffle(kib, seed), an awk function the chase generators share: the trace's header,
# a store to each page of the KIB set (the page faults), and perm[0 .. lines) the set's lines in
# a random order drawn with srand(seed); sets `lines`.
awk_map_and_shuffle='function map_and_shuffle(kib, seed,   i, j, t, p, pages) {
    srand(seed); lines = kib * 16; pages = int((kib + 3) / 4);
    printf "mtesim-trace 1\nthread 1 core=%d\n1 mmap 0x%x 0x%x\n", core, base, kib * 1024;
    for (p = 0; p < pages; p++) printf "1 st 0x%x 8\n", base + p * 4096;
    for (i = 0; i < lines; i++) perm[i] = i;
    for (i = lines - 1; i > 0; i--) { j = int(rand() * (i + 1)); t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
  }'
chase_trace() {
  awk -v kib="$1" -v dep="$2" -v base="$base" -v core="$core" "$awk_map_and_shuffle"' BEGIN {
    map_and_shuffle(kib, 1);
    reps = lines >= 16384 ? 1 : int(16384 / lines);
    for (pass = 0; pass < 2; pass++) {
      printf "1 ld 0x10 8\n";
      for (r = 0; r < (pass ? reps : 1); r++)
        for (i = 0; i < lines; i++) printf "1 ld 0x%x 8%s\n", base + perm[i] * 64, (dep && (i || r)) ? " dep=1" : "";
    }
    printf "1 ld 0x10 8\n";
  }' > "$tmp/chase.trace"
}

# chase_sampled_trace KIB DEP: the chase of a set too large to walk in full on a shared host
# (KIB >= SAMPLE_FROM_KIB, default 262144 = 256 MiB; a full 1 GiB chase is 16 M loads a pass).
# SAMPLE_WARM + SAMPLE_TIMED distinct lines (default 262144 + 65536) are drawn uniformly
# (seeded) from the whole set and chased once, in the drawn order: a warming part, then a timed
# one (between markers 2 and 3). Only the pages those lines fall in are touched (faulted in)
# first, in address order. Why it measures the same thing: once the set is several times the
# LLC, a full cyclic chase re-uses a line only after every other line of the set, so every data
# access misses every cache (LRU), exactly as a line chased once does; what a large set adds is
# translation, and the drawn lines spread over the whole set's pages, so the L1 dTLB, the L2
# TLB and the walk cache miss as they would, and the walk's descriptors (leaf tables: 8 bytes a
# page, 2 MiB for 1 GiB; the upper levels' 512 entries beyond 1 GiB) compete with the data in
# the caches as in the full chase. The warming part (4x the timed one; 16 MiB of data, twice
# the default LLC) brings those descriptor lines to their steady state, and evicts the zeroed
# lines the page faults left in the LLC. The check: at 64 MiB, where both run, the sampled chase
# gives the full one's figure (97.4 against 97.3 ns on virt-4g-mte; SAMPLE_FROM_KIB=65536
# MIN_KIB=65536; docs/fidelity.md, "Cores"). Below 64 MiB the draw (capped at half the set's
# lines) leaves the warming part too short to evict those zeroed lines (at 16 MiB it reads 84
# against the full chase's 94 ns): SAMPLE_FROM_KIB below 65536 is refused.
chase_sampled_trace() {
  awk -v kib="$1" -v dep="$2" -v base="$base" -v core="$core" -v warm="${SAMPLE_WARM:-262144}" \
      -v timed="${SAMPLE_TIMED:-65536}" 'BEGIN {
    srand(1); lines = kib * 16; pages = int((kib + 3) / 4); n = warm + timed;
    if (n > lines / 2) n = int(lines / 2);
    printf "mtesim-trace 1\nthread 1 core=%d\n1 mmap 0x%x 0x%x\n", core, base, kib * 1024;
    for (k = 0; k < n; ) { l = int(rand() * lines); if (!(l in seen)) { seen[l] = 1; pick[k++] = l; used[int(l / 64)] = 1 } }
    for (p = 0; p < pages; p++) if (p in used) printf "1 st 0x%x 8\n", base + p * 4096;
    printf "1 ld 0x10 8\n";
    for (k = 0; k < n; k++) {
      if (k == n - timed) printf "1 ld 0x10 8\n";
      printf "1 ld 0x%x 8%s\n", base + pick[k] * 64, (dep && k && k != n - timed) ? " dep=1" : "";
    }
    printf "1 ld 0x10 8\n";
  }' > "$tmp/chase.trace"
}
sample_from=${SAMPLE_FROM_KIB:-262144}
[ "$sample_from" -ge 65536 ] || { echo "cores.sh: SAMPLE_FROM_KIB=$sample_from, expected at least 65536 (the sampled chase needs a set of 64 MiB or more)" >&2; exit 2; }

# ns per load of the timed pass (between the 2nd and 3rd markers).
per_load_ns() {
  local kib=$1
  local lines=$((kib * 16)); [ "$lines" -lt 16384 ] && lines=$(( (16384 / lines) * lines ))
  [ "$kib" -ge "$sample_from" ] && lines=${SAMPLE_TIMED:-65536}
  awk -F, -v lines=$lines 'NR > 1 { t[NR - 1] = $1 } END { printf "%.1f", (t[3] - t[2]) / lines / 1000 }' "$tmp/out/faults.csv"
}

board=${BOARD:-virt-4g-mte}
preset_set=(); [ -n "${PRESET:-}" ] && preset_set=(--set core.preset="$PRESET")
# CONFIG: an INI file given to every run (mtesim run --config). The 192-core AmpereOne-class board
# takes its published core sizes (2 MiB L2, 64 MiB SLC) from configs/boards/ampereone.ini, which
# is therefore its default here: BOARD=ampereone-192c bench/fidelity/cores.sh build runs
# `mtesim run --board ampereone-192c --config configs/boards/ampereone.ini` (its cpus name the
# arm,neoverse-n1 preset; docs/timing-model.md, "Core presets").
config=${CONFIG:-}
[ -z "$config" ] && [ "$board" = ampereone-192c ] && config="$(dirname "$0")/../../configs/boards/ampereone.ini"
config_args=(); [ -z "$config" ] || config_args=(--config "$config")
preset_set+=("${config_args[@]}")
# SET="k=v ...": further settings for every chase run, e.g. SET="tlb.entries=262144 tlb.ways=16"
# (an L2 TLB that maps a whole 1 GiB set: the chase without page walks, docs/fidelity.md "Cores").
for kv in ${SET:-}; do preset_set+=(--set "$kv"); done
run() { "$mtesim" run --board "$board" --trace "$1" --set core.on_fault=continue "${preset_set[@]}" --set core.model="$2" --out "$tmp/out" > /dev/null; }

# Branch mispredictions: the classic sorted-versus-unsorted array sum,
#   for (i = 0; i < n; i++) if (data[i] >= 128) sum += data[i];
# over 4096 random bytes' worth of 4-byte elements (values 0..255, seeded; 16 KiB, inside every
# preset's L1D), once in the drawn order and once sorted: the same loads, the same instructions
# (ldr; cmp; b.lt; [add]; add; cmp; b.ne: the add only where taken), only the branch's
# predictability differs. Which branches mispredict is the trace's to say (mispredict=M); the
# generator runs a 2-bit saturating counter on the one static branch (Smith, ISCA 1981; as the
# generated workloads do, docs/trace-format.md) and marks each miss on the compute record that
# holds the cmp and b.lt. A warming pass, then 8 timed passes between markers 2 and 3. Each preset
# is forced with core.preset (its own core.model and core.mispredict_penalty_cycles); the
# board's clock converts time to cycles.
branch_trace() {  # SORTED -> $tmp/branch.trace; timed mispredicts -> $tmp/branch.count
  awk -v sorted="$1" -v base="$base" -v core="$core" -v countfile="$tmp/branch.count" 'BEGIN {
    srand(3); n = 4096; passes = 8;
    for (i = 0; i < n; i++) { v[i] = int(rand() * 256); cnt[v[i]]++ }
    if (sorted) { k = 0; for (x = 0; x < 256; x++) for (c = 0; c < cnt[x]; c++) v[k++] = x }
    printf "mtesim-trace 1\nthread 1 core=%d\n1 mmap 0x%x 0x%x\n", core, base, n * 4;
    for (p = 0; p < n * 4 / 4096; p++) printf "1 st 0x%x 8\n", base + p * 4096;
    ctr = 0; timed = 0;
    for (pass = 0; pass <= passes; pass++) {
      if (pass <= 1) printf "1 ld 0x10 8\n";
      for (i = 0; i < n; i++) {
        taken = v[i] >= 128; miss = (ctr >= 2) != taken;
        if (taken) { if (ctr < 3) ctr++ } else if (ctr > 0) ctr--;
        if (miss && pass > 0) timed++;
        printf "1 ld 0x%x 4\n1 compute %d%s\n", base + i * 4, taken ? 6 : 5, miss ? " mispredict=1" : "";
      }
    }
    printf "1 ld 0x10 8\n";
    print timed > countfile;
  }' > "$tmp/branch.trace"
}
branch_table() {
  local dts clock_hz
  dts="$(dirname "$0")/../../dts/$board.dts"
  clock_hz=$(awk -F'[<>]' '/clock-frequency/ { print $2; exit }' "$dts")
  echo "== branch mispredictions: sorted vs unsorted array sum (4096 x 4 bytes, 8 timed passes), per preset on $board's cpu@$core =="
  printf "%-18s %-8s %-10s %-11s %-11s %-11s %-12s %-10s\n" preset model "penalty" "sorted cyc" "random cyc" "mispredicts" "cyc/mispred" "ratio"
  for preset in ${BRANCH_PRESETS:-arm,cortex-a55 arm,cortex-a510 arm,cortex-a78 arm,cortex-a710 arm,cortex-a715 arm,cortex-x3 arm,neoverse-n1 arm,neoverse-v2}; do
    local t ms model pen
    for s in 1 0; do
      branch_trace "$s"
      "$mtesim" run --board "$board" --trace "$tmp/branch.trace" --set core.on_fault=continue "${config_args[@]}" \
        --set core.preset="$preset" --out "$tmp/out" > /dev/null
      t[$s]=$(awk -F, -v hz="$clock_hz" 'NR > 1 { t[NR - 1] = $1 } END { printf "%.0f", (t[3] - t[2]) * hz / 1e12 }' "$tmp/out/faults.csv")
      ms[$s]=$(cat "$tmp/branch.count")
    done
    # the preset's model (src/cpu/core_preset.cpp) and its penalty as charged (stats of the last run)
    case $preset in arm,cortex-a55) model=inorder ;; *) model=ooo ;; esac
    pen=$(awk -v cpu="board.cpu@$core." '$1 == cpu "mispredict_cycles" { c = $2 } $1 == cpu "branch_mispredicts" { n = $2 }
               END { if (n) printf "%g", c / n; else print "-" }' "$tmp/out/stats.txt")
    printf "%-18s %-8s %-10s %-11s %-11s %-11s %-12s %-10s\n" "$preset" "$model" "$pen" "${t[1]}" "${t[0]}" "${ms[1]} / ${ms[0]}" \
      "$(awk -v a="${t[0]}" -v b="${t[1]}" -v ma="${ms[0]}" -v mb="${ms[1]}" 'BEGIN { printf "%.2f", (a - b) / (ma - mb) }')" \
      "$(awk -v a="${t[0]}" -v b="${t[1]}" 'BEGIN { printf "%.2f", a / b }')"
  done
}
[ -n "${BRANCH_ONLY:-}" ] && { branch_table; exit 0; }  # BRANCH_ONLY=1: only the mispredict table

# Parallel dependent chases, as sbc-bench's ramlat 1xPTR..8xPTR: K chases walk the same random
# cyclic order of the set's lines from K evenly spaced starting points, one load of each per
# step, each load depending on its own chase's previous one (dep=K). A warming pass of one cycle,
# then a timed one of max(lines, 8192) steps between markers 2 and 3. Printed: ns per step (K
# loads), on the cpus' own core model (their preset's, not forced). With K misses that can all be
# in flight, a step costs about one chase's load; with M miss buffers, about K / M of them.
# PAR_ONLY=1: only this table, over PAR_KIB (default "64 128 256 512 1024 2048", ramlat's L2 and
# L3 sizes on the sbc-bench A510 run of docs/fidelity.md).
par_trace() {
  awk -v kib="$1" -v k="$2" -v base="$base" -v core="$core" "$awk_map_and_shuffle"' BEGIN {
    map_and_shuffle(kib, 3);
    steps = lines >= 8192 ? lines : 8192;
    for (pass = 0; pass < 2; pass++) {
      printf "1 ld 0x10 8\n";
      n = pass ? steps : lines;
      for (i = 0; i < n; i++)
        for (c = 0; c < k; c++)
          printf "1 ld 0x%x 8%s\n", base + perm[(i + int(c * lines / k)) % lines] * 64, (i || pass) ? " dep=" k : "";
    }
    printf "1 ld 0x10 8\n";
  }' > "$tmp/par.trace"
}
if [ -n "${PAR_ONLY:-}" ]; then
  echo "== parallel dependent chases (ramlat-style), ns per step of K loads, the cpu's own core model =="
  printf "%-10s %-8s %-8s %-8s %-8s\n" "set KiB" 1x 2x 4x 8x
  for kib in ${PAR_KIB:-64 128 256 512 1024 2048}; do
    row=""
    for k in 1 2 4 8; do
      par_trace "$kib" "$k"
      "$mtesim" run --board "$board" --trace "$tmp/par.trace" --set core.on_fault=continue "${preset_set[@]}" --out "$tmp/out" > /dev/null
      lines=$((kib * 16)); steps=$lines; [ "$steps" -lt 8192 ] && steps=8192
      row="$row $(awk -F, -v n=$steps 'NR > 1 { t[NR - 1] = $1 } END { printf "%-8.1f", (t[3] - t[2]) / n / 1000 }' "$tmp/out/faults.csv")"
    done
    printf "%-10s%s\n" "$kib" "$row"
  done
  exit 0
fi

if [ -z "${BW_ONLY:-}" ]; then  # BW_ONLY=1: only the single-core bandwidth table
echo "== load-to-use latency (dependent chase) and MLP (same addresses, independent), ns per load =="
printf "%-10s %-12s %-12s %-16s %s\n" "set KiB" "inorder dep" "ooo dep" "ooo independent" "page walks (whole run, dependent chase)"
kib=${MIN_KIB:-4}
while [ "$kib" -le "$max_kib" ]; do
  gen=chase_trace; [ "$kib" -ge "$sample_from" ] && gen=chase_sampled_trace
  "$gen" "$kib" 1
  if [ -z "${OOO_ONLY:-}" ]; then run "$tmp/chase.trace" inorder; a=$(per_load_ns "$kib"); else a=-; fi
  if [ -z "${INORDER_ONLY:-}" ]; then
    run "$tmp/chase.trace" ooo; b=$(per_load_ns "$kib")
    walks=$(awk -v k="board.cpu@$core.page_walks" '$1 == k { print $2 }' "$tmp/out/stats.txt")
    c=-
    if [ -z "${DEP_ONLY:-}" ]; then "$gen" "$kib" 0; run "$tmp/chase.trace" ooo; c=$(per_load_ns "$kib"); fi
  else
    b=-; c=-; walks=$(awk -v k="board.cpu@$core.page_walks" '$1 == k { print $2 }' "$tmp/out/stats.txt")
  fi
  printf "%-10s %-12s %-12s %-16s %s\n" "$kib$([ "$kib" -ge "$sample_from" ] && echo '*')" "$a" "$b" "$c" "$walks"
  kib=$((kib * 4))
done
[ "$max_kib" -ge "$sample_from" ] && echo "(* sampled chase: ${SAMPLE_TIMED:-65536} timed loads after ${SAMPLE_WARM:-262144} warming ones, distinct lines drawn from the whole set)"

[ -n "${CHASE_ONLY:-}" ] && exit 0  # CHASE_ONLY=1: stop after the latency / MLP table

echo "== TLB reach: dependent chase, one line per page vs the same lines packed, ns per load =="
# tlb_trace PAGES SPREAD: PAGES lines in a random cyclic order; SPREAD=1 one line per page (its
# line chosen so that consecutive pages use different L1D sets), SPREAD=0 the same count of
# lines packed 64 to a page. A warming pass, then a timed one of at least 16384 loads.
tlb_trace() {
  awk -v n="$1" -v spread="$2" -v base="$base" -v core="$core" 'BEGIN {
    srand(2); pages = spread ? n : int((n + 63) / 64);
    printf "mtesim-trace 1\nthread 1 core=%d\n1 mmap 0x%x 0x%x\n", core, base, pages * 4096;
    for (p = 0; p < pages; p++) printf "1 st 0x%x 8\n", base + p * 4096;
    for (i = 0; i < n; i++) perm[i] = i;
    for (i = n - 1; i > 0; i--) { j = int(rand() * (i + 1)); t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
    for (i = 0; i < n; i++) addr[i] = spread ? base + perm[i] * 4096 + (int(perm[i] / 4) % 64) * 64 : base + perm[i] * 64;
    reps = n >= 16384 ? 1 : int(16384 / n);
    for (pass = 0; pass < 2; pass++) {
      printf "1 ld 0x10 8\n";
      for (r = 0; r < (pass ? reps : 1); r++)
        for (i = 0; i < n; i++) printf "1 ld 0x%x 8%s\n", addr[i], (i || r) ? " dep=1" : "";
    }
    printf "1 ld 0x10 8\n";
  }' > "$tmp/tlb.trace"
}
per_load_n() {
  local lines=$1; [ "$lines" -lt 16384 ] && lines=$(( (16384 / lines) * lines ))
  awk -F, -v lines=$lines 'NR > 1 { t[NR - 1] = $1 } END { printf "%.2f", (t[3] - t[2]) / lines / 1000 }' "$tmp/out/faults.csv"
}
printf "%-8s %-12s %-12s %-12s %-12s %-10s\n" pages "spread ns" "packed ns" "extra ns" "l2_tlb_hits" "walks"
for n in ${TLB_PAGES:-16 32 64 128 256 512 1024 2048 4096}; do
  tlb_trace "$n" 1; run "$tmp/tlb.trace" ooo; a=$(per_load_n "$n")
  hits=$(awk -v k="board.cpu@$core.l2_tlb_hits" '$1 == k { print $2 }' "$tmp/out/stats.txt")
  walks=$(awk -v k="board.cpu@$core.page_walks" '$1 == k { print $2 }' "$tmp/out/stats.txt")
  tlb_trace "$n" 0; run "$tmp/tlb.trace" ooo; b=$(per_load_n "$n")
  printf "%-8s %-12s %-12s %-12s %-12s %-10s\n" "$n" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a - b }')" "$hits" "$walks"
done

[ -n "${TLB_ONLY:-}" ] && exit 0  # TLB_ONLY=1: stop after the TLB-reach table
fi

# The out-of-order model, or with INORDER_ONLY the in-order one (the A55's).
bw_model=ooo
[ -n "${INORDER_ONLY:-}" ] && bw_model=inorder
# BW_MIB: the buffer (default 16 MiB, twice the default LLC; 32 on the Altra boards, as
# tinymembench's buffers, beside their 32 MiB SLC).
bw_mib=${BW_MIB:-16}
echo "== single-core bandwidth over $bw_mib MiB (GB/s; one 64-byte access per line; $bw_model) =="
# bw_trace OP: map and touch 2 x BW_MIB, then a timed pass between markers 1 and 2: OP 0 reads
# one 64-byte load per line; 1 also copies each line with one 64-byte store; 2 with four 16-byte
# stores in order (as an STP/STR Q copy loop; the L1D's write streaming sees them gather a line);
# 3 fills the second buffer with four 16-byte stores a line and no load (tinymembench's "ARM STP
# fill": STPs of two 64-bit registers).
bw_trace() {
  awk -v copy="$1" -v base="$base" -v core="$core" -v mib="$bw_mib" 'BEGIN {
    lines = mib * 16384; pages = mib * 256;
    printf "mtesim-trace 1\nthread 1 core=%d\n1 mmap 0x%x 0x%x\n", core, base, 2 * mib * 1048576;
    for (p = 0; p < 2 * pages; p++) printf "1 st 0x%x 8\n", base + p * 4096;
    printf "1 ld 0x10 8\n";
    for (i = 0; i < lines; i++) {
      if (copy == 3) { for (s = 0; s < 64; s += 16) printf "1 st 0x%x 16\n", base + mib * 1048576 + i * 64 + s; continue; }
      printf "1 ld 0x%x 64\n", base + i * 64;
      if (copy == 1) printf "1 st 0x%x 64\n", base + mib * 1048576 + i * 64;
      if (copy == 2) for (s = 0; s < 64; s += 16) printf "1 st 0x%x 16\n", base + mib * 1048576 + i * 64 + s;
    }
    printf "1 ld 0x10 8\n";
  }' > "$tmp/bw.trace"
}
gbps() { awk -F, -v bytes="$1" 'NR > 1 { t[NR - 1] = $1 } END { printf "%.1f", bytes / ((t[2] - t[1]) / 1e12) / 1e9 }' "$tmp/out/faults.csv"; }
bw_trace 0; run "$tmp/bw.trace" "$bw_model"; echo "read  $(gbps $((bw_mib * 1048576)))"
bw_trace 1; run "$tmp/bw.trace" "$bw_model"; echo "copy  $(gbps $((2 * bw_mib * 1048576))) (bytes read + written)"
bw_trace 2; run "$tmp/bw.trace" "$bw_model"; echo "copy  $(gbps $((2 * bw_mib * 1048576))) (bytes read + written; 16-byte stores)"
bw_trace 3; run "$tmp/bw.trace" "$bw_model"; echo "fill  $(gbps $((bw_mib * 1048576))) (bytes written; 16-byte stores)"

[ -n "${BW_ONLY:-}" ] && exit 0

echo "== kernel page work: copy_page (a migration) and clear_page (demand faults), cycles per 4 KiB page =="
# Migration: movable order-10 blocks fill the CMA pool, then a tagged allocation's slow tag
# reservation migrates the blocks on its tag storage (copy_page each). Zeroing: 1024 demand
# faults, each clearing its new page; the boot's own zeroing (an empty trace) is subtracted.
{ echo "mtesim-trace 1"; echo "thread 1 core=0"
  for i in $(seq 0 30); do echo "1 kalloc m$i 10 movable"; done
  echo "1 kalloc t 0 tagged"; } > "$tmp/mig.trace"
{ echo "mtesim-trace 1"; echo "thread 1 core=0"; echo "1 mmap 0x80000000 0x400000"
  for p in $(seq 0 1023); do printf "1 st 0x%x 8\n" $((0x80000000 + p * 4096)); done; } > "$tmp/fault.trace"
printf "mtesim-trace 1\nthread 1 core=0\n1 compute 10\n" > "$tmp/empty.trace"
stat() { awk -v k="$2" '$1 == k { print $2 }' "$1/stats.txt"; }
printf "%-8s %-14s %-22s %-14s\n" model "copy_page" "reservation/page" "clear_page"
for m in inorder ooo; do
  "$mtesim" run --board "$board" "${config_args[@]}" --trace "$tmp/mig.trace" --set mm.cma_policy=cma-first --set core.model=$m --out "$tmp/mig" > /dev/null
  "$mtesim" run --board "$board" "${config_args[@]}" --trace "$tmp/fault.trace" --set core.model=$m --out "$tmp/fault" > /dev/null
  "$mtesim" run --board "$board" "${config_args[@]}" --trace "$tmp/empty.trace" --set core.model=$m --out "$tmp/empty" > /dev/null
  copied=$(stat "$tmp/mig" board.cpu@0.pages_copied); migrated=$(stat "$tmp/mig" mm.pages_migrated)
  copy=-; reserve=-  # '-': this board's pool layout gave the trace no migration
  [ "${copied:-0}" -gt 0 ] && copy=$(( $(stat "$tmp/mig" board.cpu@0.page_copy_cycles) / copied ))
  [ "${migrated:-0}" -gt 0 ] && reserve=$(( $(stat "$tmp/mig" mm.reserve.cycles) / migrated ))
  zero=$(( ($(stat "$tmp/fault" board.cpu@0.page_zero_cycles) - $(stat "$tmp/empty" board.cpu@0.page_zero_cycles)) /
           ($(stat "$tmp/fault" board.cpu@0.pages_zeroed) - $(stat "$tmp/empty" board.cpu@0.pages_zeroed)) ))
  printf "%-8s %-14s %-22s %-14s\n" "$m" "$copy" "$reserve" "$zero"
done

branch_table

# The other boards' tables of docs/fidelity.md "Cores", when this is the default run (no BOARD and
# no *_ONLY; bench/fidelity/run.sh runs it so): the Cortex-X3, A715 and A510 of the phone board, the Neoverse N1
# preset and the board's own Neoverse V2 on server-64g-mte, the Cortex-A55 preset on the phone
# board's little-core cpu 0, the 192-core AmpereOne-class board (with its
# configs/boards/ampereone.ini), the Neoverse N1 on Altra's mesh (its LLC accesses cross the
# CMN-600: docs/timing-model.md) and Altra's single-core bandwidth.
# NO_EXTRA=1 skips them.
if [ -z "${BOARD:-}${PRESET:-}${NO_EXTRA:-}" ]; then
  echo; echo "==== BOARD=phone-8g-lpddr5 CORE=7 (Cortex-X3) ===="
  BOARD=phone-8g-lpddr5 CORE=7 CHASE_ONLY=1 "$0" "$build" "$max_kib"
  echo; echo "==== BOARD=server-64g-mte PRESET=arm,neoverse-n1 ===="
  BOARD=server-64g-mte PRESET=arm,neoverse-n1 CHASE_ONLY=1 "$0" "$build" "$max_kib"
  echo; echo "==== BOARD=server-64g-mte (its Neoverse V2), caches only ===="
  BOARD=server-64g-mte CHASE_ONLY=1 "$0" "$build" 4096
  echo; echo "==== BOARD=server-64g-mte (its Neoverse V2), 256 MiB and 1 GiB, dependent chase only ===="
  BOARD=server-64g-mte MIN_KIB=262144 OOO_ONLY=1 DEP_ONLY=1 CHASE_ONLY=1 "$0" "$build" "$max_kib"
  echo; echo "==== BOARD=phone-8g-lpddr5 CORE=4 (Cortex-A715 middle core at 2.85 GHz) ===="
  BOARD=phone-8g-lpddr5 CORE=4 CHASE_ONLY=1 "$0" "$build" "$max_kib"
  echo; echo "==== BOARD=phone-8g-lpddr5 CORE=0 (its Cortex-A510 little core at 1.8 GHz: its preset's small window) ===="
  BOARD=phone-8g-lpddr5 CORE=0 OOO_ONLY=1 CHASE_ONLY=1 "$0" "$build" "$max_kib"
  echo; echo "==== BOARD=phone-8g-lpddr5 CORE=0 (Cortex-A510), the sizes between: 32 KiB .. 8 MiB (the sbc-bench reference's points) ===="
  BOARD=phone-8g-lpddr5 CORE=0 OOO_ONLY=1 CHASE_ONLY=1 MIN_KIB=32 "$0" "$build" 8192
  echo; echo "==== BOARD=phone-8g-lpddr5 CORE=0 (Cortex-A510), parallel chases (sbc-bench ramlat's sizes) ===="
  BOARD=phone-8g-lpddr5 CORE=0 PAR_ONLY=1 "$0" "$build"
  echo; echo "==== BOARD=phone-8g-lpddr5 CORE=0 (Cortex-A510: its preset's small window), single-core bandwidth ===="
  BOARD=phone-8g-lpddr5 CORE=0 BW_ONLY=1 "$0" "$build"
  echo; echo "==== BOARD=phone-8g-lpddr5 CORE=0 PRESET=arm,cortex-a55 (in-order little core at 1.8 GHz) ===="
  BOARD=phone-8g-lpddr5 CORE=0 PRESET=arm,cortex-a55 INORDER_ONLY=1 CHASE_ONLY=1 "$0" "$build" "$max_kib"
  echo; echo "==== BOARD=ampereone-192c (192 Neoverse-N1-preset cores, configs/boards/ampereone.ini), 16-256 MiB ===="
  BOARD=ampereone-192c MIN_KIB=16384 OOO_ONLY=1 DEP_ONLY=1 CHASE_ONLY=1 "$0" "$build" 262144
  echo; echo "==== BOARD=altra-vm-64g (Neoverse N1 on Altra's CMN-600 mesh), caches only ===="
  BOARD=altra-vm-64g CHASE_ONLY=1 "$0" "$build" 4096
  echo; echo "==== BOARD=altra-vm-64g (Neoverse N1 guest: stage-1 walks only), 256 MiB and 1 GiB, dependent chase only ===="
  BOARD=altra-vm-64g MIN_KIB=262144 OOO_ONLY=1 DEP_ONLY=1 CHASE_ONLY=1 "$0" "$build" "$max_kib"
  echo; echo "==== BOARD=altra-vm-64g (Neoverse N1, 8 channels of DDR4-3200) ===="
  BOARD=altra-vm-64g BW_ONLY=1 BW_MIB=32 "$0" "$build"
fi
