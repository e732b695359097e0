#!/usr/bin/env bash
# Reproduces the "TLB flush at run time" rows of docs/fidelity.md: what one kernel TLB flush of
# one page (flush_tlb_page, or a one-TLBI __flush_tlb_range) costs the flushing core on each board
# with an /interconnect (kernel.tlbi_timing = auto: the DVM broadcast from that core), from the
# boot CPU and from the board's last cpu, and on virt-4g-mte (no /interconnect: the fixed keys).
#   bench/fidelity/tlb_flush.sh [BUILD_DIR]
# Each run: one thread maps a page, stores to it and mprotects it read-only (one range flush of one
# TLBI), then exits (exit_mmap's ASID flush): two one-page flushes, read back from the core's
# board.cpu@N.tlb_flush_cycles. A second run does the same with two pages (a range flush of two
# TLBIs before its one DSB ISH; core.tlbi_range=false, so that two pages are two TLBIs and not one
# range TLBI): the difference is what each further TLBI of a batched or range flush costs.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
mtesim="$build/bin/mtesim"
[ -x "$mtesim" ] || mtesim="$build/mtesim"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "| board | cores in the DVM domain | flushing cpu | one flush (cycles) | each further TLBI (cycles) | core clock | one flush (ns) | each further TLBI (ns) |"
echo "|---|---|---|---|---|---|---|---|"
for board in virt-4g-mte m2-vm-16g altra-vm-64g ampereone-192c; do
  info=$("$mtesim" inspect --board "$board")
  cpus=$(awk '/^cpus /{print $2; exit}' <<<"$info" | tr -d ,)
  ghz=$(grep -o '[0-9.]* GHz' <<<"$info" | head -1 | awk '{print $1}')
  domain=$("$mtesim" boot --board "$board" | awk '/per TLBI/ { if (match($0, /to [0-9]+ cores/)) { n = substr($0, RSTART + 3, RLENGTH - 9) + 1; print n } else print "no /interconnect" }')
  for cpu in 0 $((cpus - 1)); do
    for pages in 1 2; do
      printf 'mtesim-trace 1\nthread 1 core=%d\n1 mmap 0x10000000 0x2000\n1 st 0x10000000 8\n1 st 0x10001000 8\n1 mprotect 0x10000000 %#x ro\n' \
        "$cpu" $((pages * 4096)) >"$tmp/t.trace"
      "$mtesim" run --board "$board" --trace "$tmp/t.trace" --set core.tlbi_range=false --out "$tmp/out" >/dev/null
      shootdowns=$(awk '$1 == "kernel.tlb_shootdowns" { print $2 }' "$tmp/out/stats.txt")
      [ "$shootdowns" = $((pages + 1)) ] || { echo "tlb_flush.sh: $board: expected $((pages + 1)) TLBIs, got $shootdowns" >&2; exit 1; }
      cycles[$pages]=$(awk -v k="board.cpu@$cpu.tlb_flush_cycles" '$1 == k { print $2 }' "$tmp/out/stats.txt")
      rm -rf "$tmp/out"
    done
    awk -v b="$board" -v d="$domain" -v c="$cpu" -v one="${cycles[1]}" -v two="${cycles[2]}" -v g="$ghz" \
      'BEGIN { f = one / 2; t = two - one; printf "| %s | %s | cpu@%s | %d | %d | %s GHz | %.0f | %.0f |\n", b, d, c, f, t, g, f / g, t / g }'
  done
done

# Flushes at once: N processes on cores 0..N-1 of ampereone-192c each map a page, store to it,
# mprotect it read-only and exit, all at about the same time; they share the DVM node (DvmNode),
# so their flushes queue. Prints each core's wait for the node (board.cpu@N.dvm_wait_cycles):
# the least, the median and the most, in cycles and ns at 3 GHz, and the flushes' own cost alone.
echo
echo "| processes flushing at once (ampereone-192c) | flushes | wait for the DVM node: least | median | most | most (ns) |"
echo "|---|---|---|---|---|---|"
for n in 1 8 32; do
  {
    echo "mtesim-trace 1"
    for ((t = 1; t <= n; t++)); do echo "thread $t core=$((t - 1)) process=$t"; done
    for ((t = 1; t <= n; t++)); do echo "$t mmap 0x10000000 0x1000"; echo "$t st 0x10000000 8"; done
    for ((t = 1; t <= n; t++)); do echo "$t mprotect 0x10000000 0x1000 ro"; done
  } >"$tmp/n.trace"
  "$mtesim" run --board ampereone-192c --trace "$tmp/n.trace" --out "$tmp/out" >/dev/null
  flushes=$(awk '$1 == "kernel.tlb_shootdowns" { print $2 }' "$tmp/out/stats.txt")
  for ((c = 0; c < n; c++)); do awk -v k="board.cpu@$c.dvm_wait_cycles" '$1 == k { print $2 }' "$tmp/out/stats.txt"; done |
    sort -n | awk -v n="$n" -v f="$flushes" '{ w[NR] = $1 } END { printf "| %d | %d | %d | %d | %d | %.0f |\n", n, f, w[1], w[int((NR + 1) / 2)], w[NR], w[NR] / 3 }'
  rm -rf "$tmp/out"
done
