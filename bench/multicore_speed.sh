#!/usr/bin/env bash
# Host speed of one simulated core against N simulated cores on the same board (issue 13,
# "Speed": "16 simulated cores: a per-core rate of at least 0.5x the one-core rate").
#   bench/multicore_speed.sh MTESIM [BOARD] [CORES] [ACCESSES] [RUNS]
# Defaults: server-64g-mte, 16 cores, 10^7 checked accesses in all, 5 runs. Three runs are
# alternated RUNS times (the host is shared and noisy: medians of one go, never runs of
# different goes), each the built-in workload without use-after-free:
#   boot  one thread, one access: the board's boot and set-up, which every run pays;
#   one   one thread making all ACCESSES;
#   many  CORES threads (one per core) making ACCESSES / CORES each.
# Prints each run's user seconds, then the medians, the rates in checked accesses per user
# second with and without the boot's median, and many/one: the multi-core rate relative to
# the one-core rate (1.0: the host simulates an access as fast on N cores as on one).
set -euo pipefail
mtesim=${1:?usage: multicore_speed.sh MTESIM [BOARD] [CORES] [ACCESSES] [RUNS]}
board=${2:-server-64g-mte}
cores=${3:-16}
accesses=${4:-10000000}
runs=${5:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A times
for _ in $(seq "$runs"); do
  for kind in boot one many; do
    case $kind in
      boot) threads=1 per=1 ;;
      one) threads=1 per=$accesses ;;
      many) threads=$cores per=$((accesses / cores)) ;;
    esac
    /usr/bin/time -f "%U" -o "$work/time.txt" "$mtesim" run --board "$board" --set workload.threads="$threads" \
      --set workload.accesses_per_thread="$per" --set workload.use_after_free=false --out "$work/out_$kind" > /dev/null
    u=$(cat "$work/time.txt")
    echo "$kind $u"
    times[$kind]="${times[$kind]:-} $u"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
checks() { awk '/^board\.cpu@[0-9]+\.tag_checks / { s += $2 } END { print s }' "$work/out_$1/stats.txt"; }
mb=$(echo "${times[boot]}" | median) m1=$(echo "${times[one]}" | median) mn=$(echo "${times[many]}" | median)
n1=$(checks one) nn=$(checks many)
awk -v b="$mb" -v u1="$m1" -v un="$mn" -v n1="$n1" -v nn="$nn" -v c="$cores" -v board="$board" 'BEGIN {
  printf "%s: medians boot %.2f s, one core %.2f s (%d accesses), %d cores %.2f s (%d accesses)\n", board, b, u1, n1, c, un, nn;
  r1 = n1 / u1 / 1e6; rn = nn / un / 1e6;
  printf "with the boot:    one core %.2f M/s, %d cores %.2f M/s, ratio %.2f\n", r1, c, rn, rn / r1;
  if (u1 > b && un > b) {
    r1 = n1 / (u1 - b) / 1e6; rn = nn / (un - b) / 1e6;
    printf "without the boot: one core %.2f M/s, %d cores %.2f M/s, ratio %.2f\n", r1, c, rn, rn / r1;
  }
}'
