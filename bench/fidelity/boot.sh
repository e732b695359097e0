#!/usr/bin/env bash
# Reproduces the Boot rows of docs/fidelity.md: map_mem() on the four machines the linear-map
# patch ("arm64: mm: Don't remap pgtables for allocate vs populate") was timed on.
#   bench/fidelity/boot.sh [BUILD_DIR]
# For each board: `mtesim boot --compare-schemes` (pages mode, rodata=full, the arm64
# default) with the board's core-side settings, and one Markdown row: simulated linear-map
# time of both schemes, their ratio, the TLBIs, and each scheme's share of cycles per
# component (instructions / memory / barriers / TLBI), and the share of map-once's barrier
# cycles spent draining earlier stores and loads (the core timing model's DSB/ISB).
# Extra arguments go to mtesim boot (e.g. --set boot.instruction_stream=base-cpi).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
mtesim="$build/bin/mtesim"
[ -x "$mtesim" ] || mtesim="$build/mtesim"

shift || true
echo "| board | remap-twice | map-once | ratio | TLBIs (twice / once) | per TLBI | shares remap-twice: instr / mem / barriers / TLBI | shares map-once | barriers draining (once) |"
echo "|---|---|---|---|---|---|---|---|---|"
for spec in m2-vm-16g:m2 altra-vm-64g:altra altra-vm-256g:altra altra-512g:altra; do
  board=${spec%%:*}
  cfg=$root/configs/boards/${spec##*:}.ini
  "$mtesim" boot --board "$board" --config "$cfg" --compare-schemes "$@" | awk -v board="$board" '
    /^remap-twice/ { s = "twice" } /^map-once/ { s = "once" }
    /^  per TLBI/ { per = $3 " cycles" }
    /^    instructions/ { share[s] = $(NF) }
    /^    memory/ { share[s] = share[s] " / " $4 }
    /^    barriers/ { share[s] = share[s] " / " $6; bc[s] = $4; dr = $7; sub("[(]", "", dr); drain[s] = dr }
    /^    TLBI/ { share[s] = share[s] " / " $(NF) }
    /^  linear map/ { t[s] = $3 / 1000 }
    /^ratio/ { ratio = $7; sub(";", "", ratio); tlbis = $9 " / " $11 }
    END { printf "| %s | %.2f ms | %.2f ms | %s | %s | %s | %s | %s | %.1f%% |\n", board, t["twice"], t["once"], ratio, tlbis, per, share["twice"], share["once"], bc["once"] ? 100 * drain["once"] / bc["once"] : 0 }'
done
