#!/usr/bin/env bash
# docs/examples/regenerate.sh [BUILD_DIR]: the one command that refreshes every generated
# example in the docs after a model change: the README's compare example (table and commands)
# and docs/images/compare-*.svg. With rsvg-convert (librsvg2-bin) it also renders the charts
# to BUILD_DIR/example-png/ for a look. ctest docs.readme_compare_example checks the README.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath "${1:-$root/build}")
python3 "$root/docs/examples/check_readme.py" "$build/bin/mtesim" "$root/README.md" --write --images "$root/docs/images"
if command -v rsvg-convert >/dev/null 2>&1; then
  mkdir -p "$build/example-png"
  for f in "$root"/docs/images/compare-*.svg; do
    rsvg-convert -o "$build/example-png/$(basename "${f%.svg}").png" "$f"
  done
  echo "PNG renderings in $build/example-png/"
fi
