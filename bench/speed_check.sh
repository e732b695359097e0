#!/usr/bin/env bash
# One-core and streaming host speed of two mtesim binaries, run alternately in the same go
# (old, new, old, new...; the host is shared and noisy: compare medians of one go, never runs
# of different goes), and a check that both give the same simulated results. Issue 13
# ("Speed"); docs/performance.md, "Session 6: one-core and streaming speed".
#   bench/speed_check.sh OLD_MTESIM NEW_MTESIM [RUNS] [WORKDIR]
# Workloads:
#   l1     the built-in workload on one core, L1-resident: 10^7 checked accesses (virt-4g-mte)
#   stream issue 13's DRAM-streaming loop: 16 MiB PROT_MTE, STG over it, then twice ld + st
#          of each 8-byte word (8 388 608 checked accesses), from the binary trace
# SPEED_WORKLOADS="l1" (or "stream") runs only those (default: both).
# Prints one line per run (workload, binary, user seconds to the millisecond, checked accesses per
# user second),
# then per workload the medians, new/old and whether stats.json (host figures aside) is
# identical between the two binaries.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
old=$1 new=$2 runs=${3:-5}
work=${4:-$(mktemp -d)}
workloads=${SPEED_WORKLOADS:-l1 stream}
mkdir -p "$work"
cd "$work"
if [[ " $workloads " == *" stream "* && ! -f stream.bin ]]; then
  "$here/make_stream_trace.sh" "$new" stream.bin
fi
args_l1=(--board virt-4g-mte --set workload.threads=1 --set workload.accesses_per_thread=10000000 --set workload.use_after_free=false)
args_stream=(--board virt-4g-mte --trace stream.bin)
declare -A times
for i in $(seq "$runs"); do
  for w in $workloads; do
    for b in old new; do
      bin=$old; [ "$b" = new ] && bin=$new
      eval "args=(\"\${args_$w[@]}\")"
      # bash's time to the millisecond (/usr/bin/time's %U has 10 ms steps: 2.5% of a 0.4 s run)
      { TIMEFORMAT=%3U; time "$bin" run "${args[@]}" --out "out_${w}_$b" > /dev/null 2> err.txt; } 2> time.txt
      u=$(cat time.txt)
      n=$(awk '/^board\.cpu@[0-9]+\.tag_checks / { s += $2 } END { print s }' "out_${w}_$b/stats.txt")
      echo "$w $b $u $(awk -v n="$n" -v u="$u" 'BEGIN { printf "%.2f M/s", n / u / 1e6 }')"
      times[$w.$b]="${times[$w.$b]:-} $u"
    done
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
for w in $workloads; do
  mo=$(echo "${times[$w.old]}" | median) mn=$(echo "${times[$w.new]}" | median)
  n=$(awk '/^board\.cpu@[0-9]+\.tag_checks / { s += $2 } END { print s }' "out_${w}_new/stats.txt")
  same=$(python3 -c 'import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
a.pop("host", None); b.pop("host", None)
print("identical" if a == b else "DIFFERENT")' "out_${w}_old/stats.json" "out_${w}_new/stats.json")
  echo "$w: old median $mo s ($(awk -v n="$n" -v u="$mo" 'BEGIN { printf "%.2f", n / u / 1e6 }') M/s)," \
       "new median $mn s ($(awk -v n="$n" -v u="$mn" 'BEGIN { printf "%.2f", n / u / 1e6 }') M/s)," \
       "new/old $(awk -v a="$mn" -v b="$mo" 'BEGIN { printf "%.3f", a / b }'); stats.json $same"
done
