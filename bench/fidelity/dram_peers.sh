#!/usr/bin/env bash
# DRAM cross-validation against DRAMsim3 (docs/fidelity.md, DRAM section). Not run in CI.
#   bench/fidelity/dram_peers.sh BUILD_DIR DRAMSIM3_DIR
# DRAMSIM3_DIR: a DRAMsim3 checkout (github.com/umd-memsys/DRAMsim3) built with
# `cmake -S . -B build && make -C build dramsim3main`, so that DRAMSIM3_DIR/libdramsim3.so exists.
# Same trace, same geometry, timing, mapping and queue sizes in both; prints one markdown table
# row per run. N (default 1000000) requests per trace.
set -euo pipefail
build=$(cd "${1:?BUILD_DIR}" && pwd)
d3=$(cd "${2:?DRAMSIM3_DIR}" && pwd)
N=${N:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A driver of our own for DRAMsim3's MemorySystem: one request per cycle at most (as its
# TraceBasedCPU), until every read has returned.
cat > "$work/d3drive.cc" <<'EOF'
#include "memory_system.h"
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
int main(int argc, char **argv) {
    std::ifstream in(argv[2]);
    uint64_t clk = 0, outstanding = 0, last_read = 0;
    dramsim3::MemorySystem ms(argv[1], argv[3], [&](uint64_t) { --outstanding; last_read = clk; }, [&](uint64_t) {});
    std::string a, op; uint64_t cyc = 0; bool have = false, done = false;
    for (;;) {
        if (!have && !done) { if (in >> a >> op >> cyc) have = true; else done = true; }
        if (have && cyc <= clk) {
            const uint64_t addr = std::strtoull(a.c_str(), nullptr, 16);
            const bool w = op == "WRITE";
            if (ms.WillAcceptTransaction(addr, w)) { ms.AddTransaction(addr, w); if (!w) ++outstanding; have = false; }
        }
        ms.ClockTick();
        ++clk;
        if (done && outstanding == 0) break;
    }
    ms.PrintStats();
    std::printf("last_read %llu\n", (unsigned long long)last_read);
    return 0;
}
EOF
g++ -O2 -std=c++11 -I"$d3/src" -I"$d3/ext/headers" -I"$d3/ext/fmt/include" "$work/d3drive.cc" -L"$d3" -ldramsim3 \
    -Wl,-rpath,"$d3" -o "$work/d3drive"

# DRAMsim3's own configs, one rank per channel as mtesim's (channel_size = one rank's
# capacity). Its DDR3 file spells the refresh interval REFI, a key DRAMsim3 does not read
# (configuration.cc reads tREFI, default 7800): give it the 6240 the file means.
sed -e 's/^channel_size = .*/channel_size = 4096/' -e 's/^REFI = 6240/REFI = 6240\ntREFI = 6240/' \
    "$d3/configs/DDR3_4Gb_x8_1600.ini" > "$work/ddr3.ini"
sed -e 's/^channel_size = .*/channel_size = 8192/' "$d3/configs/DDR4_8Gb_x8_3200.ini" > "$work/ddr4.ini"

# mtesim with DRAMsim3's configuration: its mapping, 32-entry read and write queues, writes
# drained from full to empty (DRAMsim3 controller.cc ScheduleTransaction).
match=(--set dram.address_mapping=rochrababgco --set dram.read_queue=32 --set dram.write_queue=32
       --set dram.write_high_watermark=1 --set dram.write_low_watermark=0)
ddr3=(--preset ddr3-1600)
ddr4=(--preset ddr4-3200 --set dram.channels=1 --set dram.ranks=1 --set dram.rows=65536 --set dram.tRFC=560)

row() { # mem pattern read% pace
  local mem=$1 pat=$2 rd=$3 pace=$4 t="$work/trace"
  "$build/bench/gen_dram_trace" dramsim3 "$pat" "$N" "$rd" 1 | awk -v p="$pace" '{ print $1, $2, $3 * p }' > "$t"
  local -n args=$mem
  local out; out=$("$build/bin/mtesim" dram-replay -t "$t" "${args[@]}" "${match[@]}")
  local m_cyc m_lat m_hit
  m_cyc=$(sed -n 's/^simulated .*(\([0-9]*\) cycles)/\1/p' <<<"$out")
  m_lat=$(sed -n 's/^read lat .*(\([0-9.]*\) cycles).*/\1/p' <<<"$out")
  m_hit=$(sed -n 's/^row buffer  hits [0-9]* (\([0-9.]*\)%).*/\1/p' <<<"$out")
  mkdir -p "$work/out"
  local d; d=$("$work/d3drive" "$work/$mem.ini" "$t" "$work/out")
  local d_cyc d_lat d_hit
  d_cyc=$(sed -n 's/^last_read //p' <<<"$d")
  local s="$work/out/dramsim3.txt"
  d_lat=$(awk '/^average_read_latency/ { print $3 }' "$s")
  d_hit=$(awk '/^num_read_row_hits/ { h += $3 } /^num_write_row_hits/ { h += $3 } /^num_read_cmds/ { c += $3 }
               /^num_write_cmds/ { c += $3 } END { printf "%.1f", 100 * h / c }' "$s")
  awk -v mem="$mem" -v pat="$pat" -v rd="$rd" -v pace="$pace" -v mc="$m_cyc" -v dc="$d_cyc" -v ml="$m_lat" \
      -v dl="$d_lat" -v mh="$m_hit" -v dh="$d_hit" 'BEGIN {
    printf "| %s | %s, %s%% reads%s | %d | %d | %+.1f%% | %.1f | %.1f | %+.1f%% | %.1f%% | %.1f%% |\n", mem, pat, rd,
      (pace > 1 ? ", 1 per " pace " cycles" : ""), mc, dc, 100 * (mc - dc) / dc, ml, dl, 100 * (ml - dl) / dl, mh, dh }'
}

echo "| memory | trace ($N requests) | mtesim cycles | DRAMsim3 cycles | diff | mtesim read latency (cycles) | DRAMsim3 | diff | mtesim row hits | DRAMsim3 |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for mem in ddr3 ddr4; do
  for pat in random stream; do
    for rd in 80 50; do row $mem $pat $rd 1; done
  done
done
row ddr3 random 80 10
row ddr4 random 80 8
