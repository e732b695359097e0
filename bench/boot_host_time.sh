#!/usr/bin/env bash
# Host time and peak RSS of the 512 GiB boots, a baseline build against this one, run
# alternately in the same go (the host is shared and noisy: compare medians, never runs of
# different goes). docs/performance.md, "Boot".
#   bench/boot_host_time.sh BASELINE_BUILD_DIR BUILD_DIR [RUNS]
# Prints: run, build, board, host seconds (wall), user CPU seconds, peak RSS (KiB), simulated
# linear map (us). On a loaded host the user CPU seconds are the steadier figure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${3:-3}
for i in $(seq "$runs"); do
  for build in "$1" "$2"; do
    for board in linearmap-512g "$root/dts/altra-512g.dts"; do
      out=$(mktemp)
      /usr/bin/time -f "%e %U %M" -o "$out.time" "$build/bin/mtesim" boot --board "$board" > "$out"
      echo "$i $build $(basename "$board" .dts) $(cat "$out.time") $(awk '/^  linear map/ { print $3 }' "$out")"
      rm -f "$out" "$out.time"
    done
  done
done
