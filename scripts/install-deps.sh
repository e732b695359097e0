#!/usr/bin/env bash
# Installs the Debian 12 packages mtesim builds against (shared/DESIGN.md, "Dependencies";
# docs/dependencies.md). Idempotent: packages already present are not touched, and nothing
# is fetched when all are present. Works as root or through sudo; otherwise fails with one line.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libsystemc-dev                 # SystemC 2.3.4 + TLM-2.0 (pkg-config systemc, tlm)
  libfdt-dev device-tree-compiler # libfdt reader; dtc compiles dts/*.dts at build time
  libboost-program-options-dev   # command line and configs/*.ini
  libgtest-dev googletest        # unit and model tests
  libbenchmark-dev               # bench/
  libzstd-dev                    # compressed binary traces
  clang libclang-rt-14-dev       # libFuzzer targets (tests/fuzz)
  valgrind                       # trace capture: tools/mtegrind links its static libraries
  nlohmann-json3-dev             # stats.json, timeline and sweep metadata (docs/dependencies.md)
  slurm-wlm munge                # tests/system/slurm_test: a single-node Slurm cluster
  librsvg2-bin                   # rsvg-convert: renders the compare charts to PNG (docs/examples)
  python3                        # tests: SVG parsed with xml.etree; docs/examples/check.py
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo_cmd=(sudo -n)
else
  echo "install-deps.sh: need root or password-less sudo to install: ${missing[*]}" >&2
  exit 1
fi

echo "install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
