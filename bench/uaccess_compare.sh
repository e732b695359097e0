#!/usr/bin/env bash
# read(2) and write(2) through user buffers on two mtesim binaries: the simulated results that
# session 38's generic_perform_write / filemap_read changes move (docs/performance.md, "Session
# 38"). Not part of CI.
#   bench/uaccess_compare.sh OLD_MTESIM NEW_MTESIM [WORKDIR]
# Traces (virt-4g-mte, the built-in board):
#   write24   one write(2) of 24 MiB from an untagged buffer, vm.dirty_background_ratio=0 (the
#             flusher writes everything): pages overwritten whole, none read
#   write16u  a 16 MiB write(2) at file offset 100 (every file page spans two user pages), then
#             a 16 MiB read(2) of file 3 into the same buffer
#   tagfault  tcf=sync, 4 MiB PROT_MTE buffer: read(2) 4 MiB of file 3 into it; one granule at
#             byte 0x100800 retagged 3; write(2) 4 MiB of file 4 from it (stops at that granule,
#             inside a page it was to overwrite whole); read(2) 4 MiB of file 4 into it (stops
#             there too)
# Prints, per trace and binary, the simulated time and the page-cache and uaccess counts.
set -euo pipefail
old=$(realpath "$1") new=$(realpath "$2")
work=${3:-$(mktemp -d)}
mkdir -p "$work"
cd "$work"
printf 'mtesim-trace 1\nthread 1 core=0 process=1 tcf=none\n1 mmap 0x20000000 0x1800000\n1 write 3 0 0x1800000 buf=0x20000000\n' >write24.trace
printf 'mtesim-trace 1\nthread 1 core=0 process=1 tcf=sync\n1 mmap 0x20000000 0x1800000 mte\n1 write 3 100 0x1000000 buf=0x20000000\n1 read 3 0 0x1000000 buf=0x20000000\n' >write16u.trace
printf 'mtesim-trace 1\nthread 1 core=0 process=1 tcf=sync\n1 mmap 0x20000000 0x400000 mte\n1 read 3 0 0x400000 buf=0x20000000\n1 stg 0x0300000020100800\n1 write 4 0 0x400000 buf=0x20000000\n1 read 4 0 0x400000 buf=0x20000000\n' >tagfault.trace
keys="sim.time_ps kernel.file.reads kernel.file.overwrites kernel.file.hits kernel.uaccess.bytes kernel.uaccess.short kernel.uaccess.tag_faults board.cpu@0.kernel_cycles"
echo "trace binary $keys"
for t in write24 write16u tagfault; do
  sets=()
  [[ $t == write24 ]] && sets=(--set vm.dirty_background_ratio=0)
  for b in old new; do
    bin=$old
    [[ $b == new ]] && bin=$new
    "$bin" run --trace "$t.trace" --out "$b.$t" "${sets[@]}" >/dev/null
    python3 - "$b.$t/stats.json" "$t" "$b" $keys <<'EOF'
import json, sys
stats = {e["name"]: e["value"] for e in json.load(open(sys.argv[1]))["stats"]}
print(sys.argv[2], sys.argv[3], " ".join(str(stats.get(k, "-")) for k in sys.argv[4:]))
EOF
  done
done
