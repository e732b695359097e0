#!/usr/bin/env bash
# DRAM cross-validation against DRAMsim3 and Ramulator 2 (docs/fidelity.md, DRAM section).
# Not run in CI.
#   bench/fidelity/dram_peers.sh BUILD_DIR DRAMSIM3_DIR [RAMULATOR2_DIR]
# DRAMSIM3_DIR: a DRAMsim3 checkout (github.com/umd-memsys/DRAMsim3) built with
# `cmake -S . -B build && make -C build dramsim3main`, so that DRAMSIM3_DIR/libdramsim3.so exists.
# RAMULATOR2_DIR (optional): a Ramulator 2 checkout (github.com/CMU-SAFARI/ramulator2) built with
# `cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DRAMULATOR_PYTHON_BINDINGS=OFF && cmake --build
# build`, so that RAMULATOR2_DIR/libramulator.so exists (docs/fidelity.md says how it was built
# without network access); python3 exports its configuration from RAMULATOR2_DIR/python.
# Same trace, same geometry, timing, mapping and queue sizes in both; prints one markdown table
# row per run. N (default 1000000) requests per trace. PATTERNS (default "random stream mixed")
# and SETS (default "peers dramsim3-capacity") choose the rows: "peers" is the main table,
# "dramsim3-capacity" the rows where mtesim's read queue holds as many reads as DRAMsim3 can
# (its transaction queue plus its per-bank command queues; DRAMsim3 only, run once per trace).
# "dramsim3-perbank" (not in the default SETS) gives mtesim DRAMsim3's queue structure itself
# (dram.queue_structure=per-bank; DRAMsim3 only).
set -euo pipefail
build=$(cd "${1:?BUILD_DIR}" && pwd)
d3=$(cd "${2:?DRAMSIM3_DIR}" && pwd)
r2=${3:+$(cd "$3" && pwd)}
N=${N:-1000000}
PATTERNS=${PATTERNS:-random stream mixed}
SETS=${SETS:-peers dramsim3-capacity}
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

# Ramulator 2: the same driver loop over its External frontend (Ramulator 2.1 README, section
# 7.2), ticking the memory system once per DRAM cycle. Its own DDR3/DDR4 specs and presets
# (DDR3_4Gb_x8 + DDR3_1600K, DDR4_8Gb_x8 + DDR4_3200AA: the timings of DRAMsim3's files; tRRD,
# tFAW, tRFC and tREFI set to DRAMsim3's values), one rank, RoBaRaCoCh (with one channel and
# one rank the same bit order as rochrababgco: Ro Ba Bg Co), its controller's own defaults
# otherwise (FRFCFS, open page, all-bank refresh, 32-entry read and write buffers, write mode
# between 80% and 20% of the write buffer).
if [ -n "$r2" ]; then
  cat > "$work/rdrive.cc" <<'EOF'
#include <ramulator/base/config.h>
#include <ramulator/base/factory.h>
#include <ramulator/base/request.h>
#include <ramulator/frontend/i_frontend.h>
#include <ramulator/memory_system/i_memory_system.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
int main(int argc, char **argv) {
    auto config = Ramulator::Config::parse_config_file(argv[1]);
    auto *fe = Ramulator::Factory::create_frontend(config);
    auto *ms = Ramulator::Factory::create_memory_system(config);
    fe->connect_memory_system(ms);
    ms->connect_frontend(fe);
    std::ifstream in(argv[2]);
    uint64_t clk = 0, outstanding = 0, last_read = 0;
    std::string a, op; uint64_t cyc = 0; bool have = false, done = false;
    for (;;) {
        if (!have && !done) { if (in >> a >> op >> cyc) have = true; else done = true; }
        if (have && cyc <= clk) {
            const uint64_t addr = std::strtoull(a.c_str(), nullptr, 16);
            const bool w = op == "WRITE";
            if (fe->receive_external_requests(w ? 1 : 0, addr, 0,
                    [&, w](Ramulator::Request &) { if (!w) { --outstanding; last_read = clk; } }, 64)) {
                if (!w) ++outstanding;
                have = false;
            }
        }
        ms->tick();
        ++clk;
        if (done && outstanding == 0) break;
    }
    fe->finalize();
    ms->finalize();
    ms->update_stats_recursive();
    ms->print_stats(std::cout);
    std::printf("last_read %llu\n", (unsigned long long)last_read);
    return 0;
}
EOF
  g++ -O2 -std=c++20 -I"$r2/src" "$work/rdrive.cc" -L"$r2" -lramulator -lfmt -lyaml-cpp -Wl,-rpath,"$r2" -o "$work/rdrive"
  for mem in ddr3 ddr4; do
    if [ $mem = ddr3 ]; then spec='DDR3(org_preset="DDR3_4Gb_x8", timing_preset="DDR3_1600K", rank=1, nRRD=5, nFAW=24, nRFC=208, nREFI=6240)'
    else spec='DDR4(org_preset="DDR4_8Gb_x8", timing_preset="DDR4_3200AA", rank=1, nRRDS=4, nRRDL=8, nFAW=34, nRFC=560, nREFI=12480)'; fi
    cat > "$work/r2_$mem.py" <<EOF
import ramulator
frontend = ramulator.frontend.External(clock_ratio=1)
ctrl = ramulator.controller.GenericDDR(dram=ramulator.dram.$spec,
    scheduler=ramulator.scheduler.FRFCFS(), refresh_manager=ramulator.refresh_manager.AllBank(),
    row_policy=ramulator.row_policy.Open(), addr_mapper=ramulator.addr_mapper.RoBaRaCoCh())
mem = ramulator.memory_system.GenericDRAM(clock_ratio=1, controllers=[ctrl],
    channel_mapper=ramulator.channel_mapper.CacheLineInterleave())
sim = ramulator.Simulation(frontend, mem)
EOF
    (cd "$r2" && PYTHONPATH="$r2/python" python3 -m ramulator export "$work/r2_$mem.py" -o "$work/r2_$mem.yaml" >/dev/null)
  done
fi

# mtesim with the peers' configuration: their mapping (rochrababgco = RoBaRaCoCh here), their
# 32-entry read and write queues, and Ramulator 2's write mode (controller_base.cpp
# set_write_mode: in above 80% of the write queue, out below 20%). Ramulator 2's controller
# has mtesim's structure (one read and one write queue, writes only between watermarks);
# DRAMsim3's has none that a single-level controller can copy: its write_draining_
# (controller.cc ScheduleTransaction) moves writes into per-bank command queues where reads
# and writes mix, never a writes-only phase (docs/fidelity.md, DRAM section).
match=(--set dram.address_mapping=rochrababgco --set dram.read_queue=32 --set dram.write_queue=32
       --set dram.write_high_watermark=0.8 --set dram.write_low_watermark=0.2)
ddr3=(--preset ddr3-1600)
ddr4=(--preset ddr4-3200 --set dram.channels=1 --set dram.ranks=1 --set dram.rows=65536 --set dram.tRFC=560)
# DRAMsim3's read capacity: a read leaves its 32-entry transaction queue (trans_queue_size) when
# ScheduleTransaction moves it into its bank's command queue (cmd_queue_size = 8 per bank with
# queue_structure = PER_BANK), so up to 32 + 8 x banks reads wait to be served: 8 banks on
# DDR3, 16 on DDR4. mtesim has one flat read queue: the same capacity, not the same structure
# (docs/fidelity.md).
ddr3_capacity=(--set dram.read_queue=$((32 + 8 * 8)))
ddr4_capacity=(--set dram.read_queue=$((32 + 8 * 16)))
# DRAMsim3's structure (docs/timing-model.md, "Per-bank command queues"), from its files and
# code: queue_structure = PER_BANK and cmd_queue_size = 8 (DDR3_4Gb_x8_1600.ini,
# DDR4_8Gb_x8_3200.ini), 32-entry transaction queues (trans_queue_size = 32, as "match"); the
# write drain of controller.cc ScheduleTransaction: at a full write buffer (high watermark 1.0)
# or above 8 writes (8 / 32 = 0.25) with every command queue empty; the PRE rule of
# command_queue.cc ArbitratePrecharge: a queued row hit holds the PRE until the row has served
# 4 column commands (bypass_cap=4).
perbank=(--set dram.queue_structure=per-bank --set dram.command_queue=8 --set dram.write_high_watermark=1
         --set dram.write_low_watermark=0.25 --set dram.bypass_cap=4)

row() { # mem pattern read% pace [set]
  local mem=$1 pat=$2 rd=$3 pace=$4 set=${5:-peers} key="$2-$3-$4"
  local t="$work/trace-$key"
  [ -f "$t" ] || "$build/bench/gen_dram_trace" dramsim3 "$pat" "$N" "$rd" 1 | awk -v p="$pace" '{ print $1, $2, $3 * p }' > "$t"
  local -n args=$mem
  local extra=()
  if [ "$set" = dramsim3-capacity ]; then local -n cap=${mem}_capacity; extra=("${cap[@]}"); fi
  if [ "$set" = dramsim3-perbank ]; then extra=("${perbank[@]}"); fi
  local out; out=$("$build/bin/mtesim" dram-replay -t "$t" "${args[@]}" "${match[@]}" "${extra[@]}")
  local m_cyc m_lat m_hit
  m_cyc=$(sed -n 's/^simulated .*(\([0-9]*\) cycles)/\1/p' <<<"$out")
  m_lat=$(sed -n 's/^read lat .*(\([0-9.]*\) cycles).*/\1/p' <<<"$out")
  m_hit=$(sed -n 's/^row buffer  hits [0-9]* (\([0-9.]*\)%).*/\1/p' <<<"$out")
  # DRAMsim3 once per memory and trace: the capacity rows reuse the main table's run.
  local s="$work/d3-$mem-$key.txt" d_cyc d_lat d_hit
  if [ ! -f "$s" ]; then
    mkdir -p "$work/out"
    "$work/d3drive" "$work/$mem.ini" "$t" "$work/out" > "$work/d3-$mem-$key.stdout"
    cp "$work/out/dramsim3.txt" "$s"
  fi
  d_cyc=$(sed -n 's/^last_read //p' "$work/d3-$mem-$key.stdout")
  d_lat=$(awk '/^average_read_latency/ { print $3 }' "$s")
  d_hit=$(awk '/^num_read_row_hits/ { h += $3 } /^num_write_row_hits/ { h += $3 } /^num_read_cmds/ { c += $3 }
               /^num_write_cmds/ { c += $3 } END { printf "%.1f", 100 * h / c }' "$s")
  local r_cyc=0 r_lat=0 r_hit=0
  if [ -n "$r2" ] && [ "$set" = peers ]; then
    local r; r=$("$work/rdrive" "$work/r2_$mem.yaml" "$t")
    r_cyc=$(sed -n 's/^last_read //p' <<<"$r")
    r_lat=$(awk '$1 == "avg_read_latency:" { print $2; exit }' <<<"$r")
    r_hit=$(awk '$1 == "row_hits:" && !h { h = $2 } $1 == "row_misses:" && !m { m = $2 }
                 $1 == "row_conflicts:" && !c { c = $2 } END { printf "%.1f", 100 * h / (h + m + c) }' <<<"$r")
  fi
  awk -v mem="$mem" -v pat="$pat" -v rd="$rd" -v pace="$pace" -v mc="$m_cyc" -v dc="$d_cyc" -v ml="$m_lat" \
      -v dl="$d_lat" -v mh="$m_hit" -v dh="$d_hit" -v rc="$r_cyc" -v rl="$r_lat" -v rh="$r_hit" -v set="$set" 'BEGIN {
    r = rc > 0
    printf "| %s | %s, %s%% reads%s%s | %d | %d | %+.1f%% | %s | %s | %.1f | %.1f | %+.1f%% | %s | %.1f%% | %.1f%% | %s |\n",
      mem, pat, rd, (pace > 1 ? ", 1 per " pace " cycles" : ""), (set == "peers" ? "" : set == "dramsim3-perbank" ? "; mtesim per-bank queues" : "; mtesim read queue = DRAMsim3 capacity"),
      mc, dc, 100 * (mc - dc) / dc,
      (r ? sprintf("%d", rc) : "–"), (r ? sprintf("%+.1f%%", 100 * (mc - rc) / rc) : "–"),
      ml, dl, 100 * (ml - dl) / dl, (r ? sprintf("%.1f", rl) : "–"), mh, dh, (r ? rh "%" : "–") }'
}

echo "| memory | trace ($N requests) | mtesim cycles | DRAMsim3 cycles | mtesim vs DRAMsim3 | Ramulator 2 cycles | mtesim vs Ramulator 2 | mtesim read latency (cycles) | DRAMsim3 | mtesim vs DRAMsim3 | Ramulator 2 | mtesim row hits | DRAMsim3 | Ramulator 2 |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for set in $SETS; do
  for mem in ddr3 ddr4; do
    for pat in $PATTERNS; do
      for rd in 80 50; do row $mem $pat $rd 1 $set; done
    done
  done
  # The paced rows: in the main table and with the per-bank structure (not in the capacity set,
  # which replaced only the unpaced rows of the main table).
  if [ "$set" != dramsim3-capacity ] && [[ " $PATTERNS " == *" random "* ]]; then
    row ddr3 random 80 10 "$set"
    row ddr4 random 80 8 "$set"
  fi
done
