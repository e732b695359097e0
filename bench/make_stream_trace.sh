#!/usr/bin/env bash
# Writes issue 13's DRAM-streaming loop as a binary mtesim trace: one thread, 16 MiB mmap'd
# PROT_MTE at 0x40000000, an STG of each 16-byte granule, then two passes of a ld and a st of
# each 8-byte word (8 388 608 checked accesses). bench/speed_check.sh and
# bench/qemu_reference.sh time it; the latter runs the same loop as an AArch64 program.
#   bench/make_stream_trace.sh MTESIM OUT.bin
set -euo pipefail
mtesim=$1 out=$2
text=$(mktemp)
trap 'rm -f "$text"' EXIT
awk 'BEGIN { base = 1073741824; n = 16 * 1048576;   # 0x40000000 (mawk reads no hex literals)
  printf "mtesim-trace 1\nthread 1 core=0 tcf=sync\n1 mmap 0x%x 0x%x mte\n", base, n;
  for (a = 0; a < n; a += 16) printf "1 stg 0x%x\n", base + a;
  for (p = 0; p < 2; p++) for (a = 0; a < n; a += 8) printf "1 ld 0x%x 8\n1 st 0x%x 8\n", base + a, base + a }' > "$text"
"$mtesim" trace convert "$text" "$out" > /dev/null
