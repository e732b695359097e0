#!/usr/bin/env bash
# mtesim's own DRAM figures of docs/fidelity.md (DRAM section), no peer needed:
# 10^6-request random and stream traces on DDR3-1600 and DDR4-3200 with DRAMsim3's
# configuration (the mtesim columns of the peer table; dram_peers.sh adds DRAMsim3's).
#   bench/fidelity/dram.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
N=${N:-1000000}
t=$(mktemp)
trap 'rm -f "$t"' EXIT
match=(--set dram.address_mapping=rochrababgco --set dram.read_queue=32 --set dram.write_queue=32
       --set dram.write_high_watermark=1 --set dram.write_low_watermark=0)
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
