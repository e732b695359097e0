#!/usr/bin/env bash
# Issue 13's streaming loop on mtesim and on QEMU's user-mode emulation of an MTE-capable
# AArch64 CPU (qemu-aarch64 -cpu max: functional, tag checks on, no timing), alternated in
# the same go. The issue's 10 M/s target is set against QEMU's "about 60 M/s on this class of
# host": this script measures what QEMU does on the host at hand, so that mtesim's rate can be
# read against it (docs/performance.md, "Session 27"). Not part of CI.
#   bench/qemu_reference.sh MTESIM [RUNS] [WORKDIR]
# Needs the Debian packages qemu-user, gcc-aarch64-linux-gnu and libc6-dev-arm64-cross.
# The AArch64 program does what bench/make_stream_trace.sh's trace does: 16 MiB mmap'd
# PROT_MTE (tag checks synchronous, PR_SET_TAGGED_ADDR_CTRL), an STG of each granule, then two
# passes of a load and a store of each 8-byte word: 8 388 608 checked accesses on either side.
# Prints one line per run (simulator, user seconds, checked accesses per user second), then
# the medians and mtesim's rate as a fraction of QEMU's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ]; then
  echo "usage: bench/qemu_reference.sh MTESIM [RUNS] [WORKDIR]" >&2
  exit 2
fi
mtesim=$(realpath "$1") runs=${2:-5}
work=${3:-$(mktemp -d)}
for tool in qemu-aarch64 aarch64-linux-gnu-gcc; do
  if ! command -v "$tool" > /dev/null; then
    echo "bench/qemu_reference.sh: $tool not found, expected the Debian packages qemu-user, gcc-aarch64-linux-gnu and libc6-dev-arm64-cross" >&2
    exit 2
  fi
done
mkdir -p "$work"
cd "$work"
[ -f stream.bin ] || "$here/make_stream_trace.sh" "$mtesim" stream.bin
cat > loop.c <<'C'
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#define PROT_MTE_ 0x20
#define PR_SET_TAGGED_ADDR_CTRL_ 55
#define PR_TAGGED_ADDR_ENABLE_ 1UL
#define PR_MTE_TCF_SYNC_ (1UL << 1)
#define PR_MTE_TAG_SHIFT_ 3
int main(void) {
    const size_t n = 16u << 20;
    if (prctl(PR_SET_TAGGED_ADDR_CTRL_, PR_TAGGED_ADDR_ENABLE_ | PR_MTE_TCF_SYNC_ | (0xfffeUL << PR_MTE_TAG_SHIFT_), 0, 0, 0)) {
        perror("prctl");
        return 1;
    }
    char *b = mmap(0, n, PROT_READ | PROT_WRITE | PROT_MTE_, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (size_t a = 0; a < n; a += 16) __asm__ volatile("stg %0, [%0]" : : "r"(b + a) : "memory");
    volatile uint64_t *p = (volatile uint64_t *)b;
    for (int pass = 0; pass < 2; ++pass)
        for (size_t i = 0; i < n / 8; ++i) p[i] = p[i] + 1; /* one LDR and one STR */
    return p[0] == 2 ? 0 : 1;
}
C
aarch64-linux-gnu-gcc -O2 -march=armv8.5-a+memtag -static -o loop loop.c
# A tag mismatch must fault, or QEMU is not checking tags and the comparison means nothing.
cat > mismatch.c <<'C'
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
int main(void) {
    if (prctl(55, 1UL | (1UL << 1) | (0xfffeUL << 3), 0, 0, 0)) return 2;
    char *b = mmap(0, 4096, PROT_READ | PROT_WRITE | 0x20, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *(volatile uint64_t *)((uintptr_t)b | (1ull << 56)) = 1; /* logical tag 1, allocation tag 0 */
    return 0;
}
C
aarch64-linux-gnu-gcc -O2 -march=armv8.5-a+memtag -static -o mismatch mismatch.c
if ( qemu-aarch64 -cpu max ./mismatch ) 2> /dev/null; then
  echo "bench/qemu_reference.sh: qemu-aarch64 -cpu max did not fault on a tag mismatch, expected MTE checks on" >&2
  exit 1
fi
n=8388608
declare -A times
for i in $(seq "$runs"); do
  for s in qemu mtesim; do
    if [ "$s" = qemu ]; then
      { TIMEFORMAT=%3U; time qemu-aarch64 -cpu max ./loop; } 2> time.txt
    else
      { TIMEFORMAT=%3U; time "$mtesim" run --board virt-4g-mte --trace stream.bin --out out > /dev/null 2> err.txt; } 2> time.txt
      checks=$(awk '/^board\.cpu@[0-9]+\.tag_checks / { s += $2 } END { print s }' out/stats.txt)
      [ "$checks" = "$n" ] || { echo "bench/qemu_reference.sh: mtesim made $checks checked accesses, expected $n" >&2; exit 1; }
    fi
    u=$(cat time.txt)
    echo "$s $u $(awk -v n="$n" -v u="$u" 'BEGIN { printf "%.2f M/s", n / u / 1e6 }')"
    times[$s]="${times[$s]:-} $u"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mq=$(echo "${times[qemu]}" | median) mm=$(echo "${times[mtesim]}" | median)
awk -v n="$n" -v q="$mq" -v m="$mm" 'BEGIN {
  printf "qemu median %.3f s (%.2f M/s), mtesim median %.3f s (%.2f M/s); mtesim/qemu rate %.3f (the issue: 10 against about 60, 0.167)\n",
         q, n / q / 1e6, m, n / m / 1e6, q / m }'
