#!/usr/bin/env bash
# File reads on two mtesim binaries: what file readahead (session 41, docs/policies.md "File
# readahead") changes in simulated time, storage reads and waits. Not part of CI.
#   bench/readahead_compare.sh OLD_MTESIM NEW_MTESIM [WORKDIR]
# Traces (virt-4g-mte, the built-in board: configs/default.ini's NVMe storage; until session 42
# 80 us a request and 2000 MB/s, since a Samsung 970 EVO Plus, 51.5 us and 3500 MB/s a read):
#   seqread   read(2) of 64 MiB of file 3, 128 KiB a call, into one 128 KiB buffer
#   smallread the same 16 MiB, 4 KiB a call
#   mmapscan  a 64 MiB mapping of file 5, one load per page in order
#   random    1024 read(2)s of 4 KiB at pages of file 7 spread 97 pages apart (none adjacent)
# Prints, per trace and binary, the simulated time, the read rate it implies (MiB per simulated
# second of the whole run, boot included) and the page-cache counts.
set -euo pipefail
old=$(realpath "$1") new=$(realpath "$2")
work=${3:-$(mktemp -d)}
mkdir -p "$work"
cd "$work"
awk 'BEGIN { print "mtesim-trace 1\nthread 1 core=0 process=1 tcf=none\n1 mmap 0x20000000 0x20000";
             print "1 st 0x20000000 8";
             for (i = 0; i < 512; i++) printf "1 read 3 %d 0x20000 buf=0x20000000\n", i * 131072 }' >seqread.trace
awk 'BEGIN { print "mtesim-trace 1\nthread 1 core=0 process=1 tcf=none\n1 mmap 0x20000000 0x1000";
             print "1 st 0x20000000 8";
             for (i = 0; i < 4096; i++) printf "1 read 3 %d 0x1000 buf=0x20000000\n", i * 4096 }' >smallread.trace
awk 'BEGIN { print "mtesim-trace 1\nthread 1 core=0 process=1 tcf=none\n1 mmap 0x40000000 0x4000000 file=5";
             for (i = 0; i < 16384; i++) printf "1 ld 0x%x 8\n", 1073741824 + i * 4096 }' >mmapscan.trace
awk 'BEGIN { print "mtesim-trace 1\nthread 1 core=0 process=1 tcf=none\n1 mmap 0x20000000 0x1000";
             print "1 st 0x20000000 8";
             for (i = 0; i < 1024; i++) printf "1 read 7 %d 0x1000 buf=0x20000000\n", i * 97 * 4096 }' >random.trace
keys="sim.time_ps kernel.file.reads kernel.file.hits kernel.file.readahead_sync kernel.file.readahead_async kernel.page_lock_waits kernel.fault_retries"
echo "trace binary MiB/s $keys"
for t in seqread smallread mmapscan random; do
  case $t in seqread | mmapscan) mib=64 ;; smallread) mib=16 ;; random) mib=4 ;; esac
  for b in old new; do
    bin=$old
    [[ $b == new ]] && bin=$new
    "$bin" run --trace "$t.trace" --out "$b.$t" >/dev/null
    python3 - "$b.$t/stats.json" "$t" "$b" "$mib" $keys <<'EOF'
import json, sys
stats = {e["name"]: e["value"] for e in json.load(open(sys.argv[1]))["stats"]}
rate = float(sys.argv[4]) / (stats["sim.time_ps"] / 1e12)
print(sys.argv[2], sys.argv[3], f"{rate:.1f}", " ".join(str(stats.get(k, "-")) for k in sys.argv[5:]))
EOF
  done
done
