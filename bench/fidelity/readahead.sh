#!/usr/bin/env bash
# Reproduces the "File readahead against a measured SSD" rows of docs/fidelity.md: a buffered
# sequential read's throughput by readahead size, against Li Shaohua's measurement on an Intel
# X25-M G2 80 GB SSD quoted in Wu Fengguang's readahead patch series (linux-fsdevel, 2010-02,
# "[PATCH 00/11] enlarge readahead size"; http://mail.spinics.net/lists/linux-fsdevel/msg29239.html).
#   bench/fidelity/readahead.sh [BUILD_DIR]
# The reference's script: for each read_ahead_kb, `dd if=/dev/sdb of=/dev/null bs=4k
# count=102400` (400 MiB in 4 KiB read(2) calls; dd's figure is bytes over its
# elapsed time, MB = 10^6 bytes). Here: one thread on virt-4g-mte reads 400 MiB of a file with
# 102,400 read(2) calls of 4 KiB into one buffer, the file's disk the X25-M G2
# (configs/storage/intel-x25m-g2.ini, its figures from Intel's specifications), for each
# storage.read_ahead_kb. mtesim's figure: 419,430,400 bytes over the run's simulated time less
# its boot's. Prints one row per size: mtesim's MB/s, the reference's first run, the difference,
# and the run's readahead windows (storage requests) and pages read.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
mtesim="$build/bin/mtesim"
[ -x "$mtesim" ] || mtesim="$build/mtesim"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

reads=102400
awk -v n="$reads" 'BEGIN { print "mtesim-trace 1\nthread 1 core=0 process=1 tcf=none\n1 mmap 0x20000000 0x1000";
  print "1 st 0x20000000 8";
  for (i = 0; i < n; i++) printf "1 read 3 %d 0x1000 buf=0x20000000\n", i * 4096 }' >"$tmp/dd.trace"

# The reference's first run (MB/s) by read_ahead_kb.
declare -A ref=([4]=123 [8]=153 [16]=161 [32]=167 [64]=197 [128]=217 [256]=238 [512]=251 [1024]=259 [2048]=269 [4096]=266)

echo "| read_ahead_kb | mtesim (MB/s) | X25-M G2, measured (MB/s) | mtesim vs measured | readahead windows | pages read |"
echo "|---|---|---|---|---|---|"
for ra in 4 8 16 32 64 128 256 512 1024 2048 4096; do
  "$mtesim" run --board virt-4g-mte --trace "$tmp/dd.trace" --config "$root/configs/storage/intel-x25m-g2.ini" \
    --set storage.read_ahead_kb="$ra" --out "$tmp/out" >/dev/null
  awk -v ra="$ra" -v ref="${ref[$ra]}" -v bytes=$((reads * 4096)) '
    { v[$1] = $2 }
    END {
      mbps = bytes / ((v["sim.time_ps"] - v["boot.time_ps"]) / 1e12) / 1e6
      printf "| %d | %.1f | %d | %+.1f%% | %d | %d |\n", ra, mbps, ref, 100 * (mbps / ref - 1),
             v["kernel.file.readahead_sync"] + v["kernel.file.readahead_async"], v["kernel.file.reads"]
    }' "$tmp/out/stats.txt"
  rm -rf "$tmp/out"
done
