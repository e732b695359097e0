#!/usr/bin/env bash
# mtesim's own DRAM figures of docs/fidelity.md (DRAM section), no peer needed:
# 10^6-request random and stream traces on DDR3-1600 and DDR4-3200 with the peers'
# configuration (the mtesim columns of the peer table; dram_peers.sh adds the peers').
#   bench/fidelity/dram.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
N=${N:-1000000}
t=$(mktemp)
trap 'rm -f "$t"' EXIT
# The peers' configuration (dram_peers.sh): the mapping (rochrababgco = RoBaRaCoCh here), the
# 32-entry read and write queues, and Ramulator 2's write mode (controller_base.cpp
# set_write_mode: in above 80% of the write queue, out below 20%). Ramulator 2's controller
# has mtesim's structure (one read and one write queue, writes only between watermarks);
# DRAMsim3's has none that a single-level controller can copy: its write_draining_
# (controller.cc ScheduleTransaction) moves writes into per-bank command queues where reads
# and writes mix, never a writes-only phase (docs/fidelity.md, DRAM section).
match=(--set dram.address_mapping=rochrababgco --set dram.read_queue=32 --set dram.write_queue=32
       --set dram.write_high_watermark=0.8 --set dram.write_low_watermark=0.2)
for mem in ddr3 ddr4; do
  if [ $mem = ddr3 ]; then args=(--preset ddr3-1600)
  else args=(--preset ddr4-3200 --set dram.channels=1 --set dram.ranks=1 --set dram.rows=65536 --set dram.tRFC=560); fi
  for pat in random stream; do
    for rd in 80 50; do
      "$build/bench/gen_dram_trace" dramsim3 $pat "$N" $rd 1 > "$t"
      out=$("$build/bin/mtesim" dram-replay -t "$t" "${args[@]}" "${match[@]}")
      echo "$mem $pat ${rd}% reads: $(sed -n 's/^simulated .*(\([0-9]*\) cycles)/\1 cycles/p' <<<"$out"), read latency $(sed -n 's/^read lat .*(\([0-9.]*\) cycles).*/\1 cycles/p' <<<"$out"), $(sed -n 's/^row buffer  hits [0-9]* (\([0-9.]*%\)).*/\1 row hits/p' <<<"$out")"
    done
  done
done
