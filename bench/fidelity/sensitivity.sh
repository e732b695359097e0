#!/usr/bin/env bash
# How much one run's figures move when a named cost moves by a cycle or two (docs/fidelity.md,
# "Sensitivity of a run to small timing changes"):
#   bench/fidelity/sensitivity.sh BUILD_DIR
# The README's compare example's workload (`trace gen --profile browser --scale 0.2`, on the
# built-in virt-4g-mte board), its static carve-out point with seed 1 (mm.shuffle on), run with
# kernel.tlbi_cycles from 496 to 510 in steps of 2 (500 is the default). Prints the simulated
# end time, the CPUs' idle time added up, and the kernel cycles added up.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
mtesim="$build/bin/mtesim"; [ -x "$mtesim" ] || mtesim="$build/mtesim"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$mtesim" trace gen "$work/browser.mtb" --profile browser --scale 0.2 > /dev/null
echo "browser profile (scale 0.2), static carve-out, seed 1: one named cost moved by a few cycles"
printf "%-18s %12s %12s %16s\n" kernel.tlbi_cycles end_ms idle_ms kernel_Mcycles
for t in 496 498 500 502 504 506 508 510; do
  out="$work/run-$t"
  "$mtesim" run --trace "$work/browser.mtb" --set mm.tag_storage=static --set sim.seed=1 --set mm.shuffle=true \
    --set kernel.tlbi_cycles=$t --out "$out" > /dev/null
  python3 - "$out/stats.json" "$t" <<'PY'
import json, sys
rows = {r['name']: r['value'] for r in json.load(open(sys.argv[1]))['stats']}
cpu = lambda suffix: sum(v for k, v in rows.items() if k.startswith('board.cpu@') and k.endswith(suffix))
print('%-18s %12.3f %12.2f %16.3f' % (sys.argv[2], rows['sim.time_ps'] / 1e9, cpu('.idle_ps') / 1e9, cpu('.kernel_cycles') / 1e6))
PY
done
