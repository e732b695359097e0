#!/usr/bin/env bash
# Kernel costs of docs/fidelity.md ("Kernel costs"):
#   bench/fidelity/kernel.sh BUILD_DIR
# 1. One lru_cache_disable (an alloc_contig_range on the RFC's slow path, mm.tag_reserve =
#    contig-range) on boards of 4, 8, 16 and 64 CPUs, generated from virt-4g-mte with more
#    cpu nodes. "idle": only the caller runs. "busy": every other CPU runs a thread that has
#    faulted in 4 pages (its LRU-add batch holds them) and computes. Prints the caller's wait
#    and the time taken from the other CPUs (kernel.lru_disable.*), in cycles and microseconds
#    at the board's 2 GHz.
# 2. The cost of order-0 allocations with and without per-CPU page lists (mm.pcp_lists): a
#    kernel thread allocating and freeing order-0 blocks, in two patterns: "bulk", 4000
#    allocations then 4000 frees, twice (every list refill and spill, rmqueue_bulk and
#    free_pcppages_bulk, is on the path), and "loop", an alloc and a free 8000 times, as
#    page_bench01's single_page_alloc_free does (the page goes back to the list it came from).
#    Mean mm.alloc_cycles, and the kernel work per alloc+free pair: board.cpu@0.kernel_cycles
#    over the pairs, less the same run's kernel work without them (the boot's linear map,
#    built on CPU 0, is kernel work too: an empty trace with the same settings gives it), with
#    kernel.entry_cycles=0 (page_bench01 loops inside a kernel module, with no exception entry).
# 3. Proactive compaction after the "frag" pattern, and 4. a full compaction (vm.compact_memory)
#    after it (below).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
mtesim="$build/bin/mtesim"; [ -x "$mtesim" ] || mtesim="$build/mtesim"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

board() { # N: virt-4g-mte with N cpu nodes
  awk -v n="$1" '
    /^\tcpus \{/ { print; incpus = 1; next }
    incpus && /^\t\tcpu@0 \{/ {
      for (i = 0; i < n; i++)
        printf "\t\tcpu@%x {\n\t\t\tdevice_type = \"cpu\";\n\t\t\tcompatible = \"arm,cortex-a710\";\n\t\t\treg = <%d>;\n\t\t\tclock-frequency = <2000000000>;\n\t\t};\n", i, i
      skip = 1
    }
    incpus && skip && /^\t\};/ { incpus = 0; skip = 0; print; next }
    incpus && skip { next }
    { print }' "$root/dts/virt-4g-mte.dts" > "$work/virt-$1.dts"
}

trace() { # N STATE
  local n=$1 state=$2 f="$work/t-$1-$2.trace"
  {
    echo "mtesim-trace 1"
    echo "thread 1 core=0"
    if [ "$state" = busy ]; then
      for ((c = 1; c < n; c++)); do echo "thread $((c + 1)) core=$c process=$((c + 1))"; done
      for ((c = 1; c < n; c++)); do
        t=$((c + 1))
        echo "$t mmap 0x10000000 0x10000"
        for p in 0 1 2 3; do echo "$t st $((0x10000000 + p * 4096)) 8"; done
        echo "$t compute 400000000"
      done
    fi
    echo "1 compute 2000000"
    echo "1 kalloc t 0 tagged"
  } > "$f"
  echo "$f"
}

stat() { python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
rows = d['stats'] if isinstance(d, dict) else d
print(next(r['value'] for r in rows if r['name'] == sys.argv[2]))" "$1" "$2"; }

echo "lru_cache_disable (one alloc_contig_range, contig-range), cycles at 2 GHz"
printf "%-5s %-5s %6s %12s %10s %14s %12s\n" cpus state ipis wait_cycles wait_us remote_cycles remote_us
for n in 4 8 16 64; do
  board "$n"
  for state in idle busy; do
    out="$work/out-$n-$state"
    "$mtesim" run --board "$work/virt-$n.dts" --trace "$(trace "$n" "$state")" --set mm.tag_reserve=contig-range \
      --out "$out" > /dev/null
    ipis=$(stat "$out/stats.json" mm.ipis)
    wait=$(stat "$out/stats.json" kernel.lru_disable.wait_cycles)
    remote=$(stat "$out/stats.json" kernel.lru_disable.remote_cycles)
    printf "%-5s %-5s %6s %12s %10.2f %14s %12.2f\n" "$n" "$state" "$ipis" "$wait" "$(echo "$wait / 2000" | bc -l)" \
      "$remote" "$(echo "$remote / 2000" | bc -l)"
  done
done

echo
echo "order-0 allocation (kalloc unmovable; bulk: 4000 allocations then 4000 frees, twice; loop: alloc+free 8000 times), virt-4g-mte"
printf "%-8s %-10s %18s %14s %18s\n" pattern pcp_lists alloc_cycles_avg alloc_ns_avg pair_kernel_cycles
{
  echo "mtesim-trace 1"
  echo "thread 1 core=0"
  for round in 1 2; do
    for ((i = 0; i < 4000; i++)); do echo "1 kalloc k$i 0 unmovable"; done
    for ((i = 0; i < 4000; i++)); do echo "1 kfree k$i"; done
  done
} > "$work/bulk.trace"
{
  echo "mtesim-trace 1"
  echo "thread 1 core=0"
  for ((i = 0; i < 8000; i++)); do echo "1 kalloc k 0 unmovable"; echo "1 kfree k"; done
} > "$work/loop.trace"
printf 'mtesim-trace 1\nthread 1 core=0\n1 compute 1\n' > "$work/empty.trace"
for pcp in false true; do
  "$mtesim" run --trace "$work/empty.trace" --set mm.pcp_lists=$pcp --set kernel.entry_cycles=0 --out "$work/empty-$pcp" > /dev/null
  k0=$(stat "$work/empty-$pcp/stats.json" board.cpu@0.kernel_cycles)
  for pattern in bulk loop; do
    out="$work/$pattern-$pcp"
    "$mtesim" run --trace "$work/$pattern.trace" --set mm.pcp_lists=$pcp --set kernel.entry_cycles=0 --out "$out" > /dev/null
    c=$(stat "$out/stats.json" mm.alloc_cycles_avg.unmovable)
    k=$(stat "$out/stats.json" board.cpu@0.kernel_cycles)
    printf "%-8s %-10s %18.1f %14.1f %18.1f\n" "$pattern" "$pcp" "$c" "$(echo "$c / 2" | bc -l)" "$(echo "($k - $k0) / 8000" | bc -l)"
  done
done

# 3. Proactive compaction of a fragmented node, Gupta's "frag" pattern (the proactive compaction
#    patch, v5.9: allocate almost all memory, then free 3 of every 4 pages of each 2 MiB-aligned
#    chunk). One thread maps FRAG_MIB MiB (default 3840 of virt-4g-mte's 4 GiB; swap off), stores
#    to every page, unmaps 3 of every 4, then computes 1.2 s so that kcompactd's 500 ms checks
#    find the fragmented state (vm.compaction_proactiveness at its default, 20: compact above a
#    score of 90, down to 80). Untagged and PROT_MTE. Prints the pages proactive compaction
#    migrated and kcompactd's time (its checks' context switches included) at 2 GHz.
frag_mib=${FRAG_MIB:-3840}
frag_trace() { # PROT TAIL: the frag pattern (PROT: mte or empty), then TAIL (lines, \n escapes)
  awk -v mib="$frag_mib" -v prot="$1" -v tail="$2" 'BEGIN {
    base = 268435456; n = mib * 256;
    printf "mtesim-trace 1\nthread 1 core=0\n1 mmap 0x%x 0x%x %s\n", base, n * 4096, prot;
    for (p = 0; p < n; p++) printf "1 st 0x%x 8\n", base + p * 4096;
    for (p = 0; p < n; p += 4) printf "1 munmap 0x%x 0x%x\n", base + (p + 1) * 4096, 3 * 4096;
    printf "%s", tail;
  }'
}
echo
echo "proactive compaction after Gupta's frag pattern, ${frag_mib} MiB of virt-4g-mte, vm.compaction_proactiveness=20"
printf "%-8s %7s %5s %14s %16s %14s %12s %12s\n" prot checks runs pages_migrated kcompactd_cycles cycles_per_page us_per_page ms_total
for prot in untagged mte; do
  tail=""; for ((i = 0; i < 12; i++)); do tail+='1 compute 200000000\n'; done
  frag_trace "$([ $prot = mte ] && echo mte)" "$tail" > "$work/frag.trace"
  out="$work/frag-$prot"
  "$mtesim" run --trace "$work/frag.trace" --set swap.size_mbytes=0 --out "$out" > /dev/null
  checks=$(stat "$out/stats.json" kernel.kcompactd.proactive.checks)
  runs=$(stat "$out/stats.json" kernel.kcompactd.proactive.runs)
  pages=$(stat "$out/stats.json" kernel.kcompactd.proactive.pages_migrated)
  cyc=$(stat "$out/stats.json" kernel.kcompactd.cycles)
  per=$(python3 -c "import sys; p, c = int(sys.argv[1]), int(sys.argv[2]); print(f'{c / p:.0f} {c / p / 2000:.3f}' if p else '- -')" "$pages" "$cyc")
  printf "%-8s %7s %5s %14s %16s %14s %12s %12.2f\n" "$prot" "$checks" "$runs" "$pages" "$cyc" ${per} "$(echo "$cyc / 2000000" | bc -l)"
done

# 4. The same fragmented state, then a full compaction as Gupta's reference measured it (a write
#    of 1 to /proc/sys/vm/compact_memory: every zone compacted whole, MIGRATE_SYNC, by the writing
#    thread), proactive compaction off so that kcompactd does not go first. The time is
#    kernel.compact_memory.time_ps; "per 32 GiB" scales it by 32 GiB / the node's memory
#    (4 GiB), as if the state and the rate were the same on a larger node. into_pool: the
#    destinations the free scanner took from the tag-storage pool's pageblocks
#    (mm.compact.into_pool).
echo
echo "full compaction (sysctl vm.compact_memory 1) after Gupta's frag pattern, ${frag_mib} MiB of virt-4g-mte, proactiveness 0"
printf "%-8s %14s %12s %14s %12s %14s %12s\n" prot pages_migrated ms us_per_page pages_per_GiB s_per_32GiB into_pool
for prot in untagged mte; do
  frag_trace "$([ $prot = mte ] && echo mte)" '1 sysctl vm.compact_memory 1\n' > "$work/full.trace"
  out="$work/full-$prot"
  "$mtesim" run --trace "$work/full.trace" --set swap.size_mbytes=0 --set vm.compaction_proactiveness=0 --out "$out" > /dev/null
  pages=$(stat "$out/stats.json" kernel.compact_memory.pages_migrated)
  ps=$(stat "$out/stats.json" kernel.compact_memory.time_ps)
  pool=$(stat "$out/stats.json" mm.compact.into_pool)
  python3 -c "
import sys
ps, pages = int(sys.argv[1]), int(sys.argv[2])
print('%-8s %14d %12.2f %14s %12.0f %14.2f %12s' % (sys.argv[3], pages, ps / 1e9, '%.3f' % (ps / 1e6 / pages) if pages else '-',
      pages / 4.0, ps / 1e12 * 32 / 4, sys.argv[4]))" "$ps" "$pages" "$prot" "$pool"
done
