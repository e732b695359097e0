#!/usr/bin/env bash
# docs/examples/compare.sh MTESIM OUT: the README's `mtesim compare` example, run for real.
#
# Runs the commands below in OUT (with MTESIM for `build/bin/mtesim`) and writes
# OUT/readme-block.md: the commands as the README shows them, then the compare.md the run
# printed. The README's block between the "docs/examples/compare.sh" markers is this file,
# verbatim; docs/examples/check_readme.py (ctest docs.readme_compare_example) fails when they
# differ, and docs/examples/regenerate.sh rewrites the README block and docs/images from it.
#
# The scale is small so that ctest can afford it (12 runs of a 0.2 browser profile, about a
# minute on two cores), yet large enough that its pages come from the shuffled top-order free
# lists (mm.shuffle), so that the seeds move the layout.
set -euo pipefail

mtesim=$(realpath "$1")
out=$2
mkdir -p "$out"
cd "$out"
rm -rf cmp browser.mtb

commands=(
  "trace gen browser.mtb --profile browser --scale 0.2"
  "compare --trace browser.mtb --vary mm.tag_reserve=fast-path,contig-range,cleancache --seeds 3 --out cmp -j 2"
)
for c in "${commands[@]}"; do
  # shellcheck disable=SC2086 # the commands are word lists
  "$mtesim" $c >/dev/null
done

{
  echo '```sh'
  for c in "${commands[@]}"; do
    echo "build/bin/mtesim $c"
  done
  echo '```'
  echo
  cat cmp/compare.md
} > readme-block.md
