#!/usr/bin/env bash
# Reproduces every mtesim figure of docs/fidelity.md.
#   bench/fidelity/run.sh [BUILD_DIR]
# Runs each section's script (cores, dram, kernel, readahead, mte_modes, boot, tlb_flush, sched, sensitivity) that exists, in that order, with the
# build directory as its argument. The peer comparison (dram_peers.sh) needs DRAMsim3 and
# Ramulator 2 builds and is run by hand.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
for section in cores dram kernel readahead mte_modes boot tlb_flush sched sensitivity; do
  script="$here/$section.sh"
  if [ -x "$script" ]; then
    echo "== $section =="
    "$script" "$build"
  fi
done
