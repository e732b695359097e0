#!/usr/bin/env bash
# Scheduler experiments of docs/fidelity.md ("Scheduler"):
#   bench/fidelity/sched.sh BUILD_DIR
# 1. Misfit push on the phone board (A510 192, A715 647, X3 1024): two busy unpinned threads
#    (2,000 instructions and a load, 40,000 times each) start on cpu0 and cpu1, A510s. Prints
#    when the boot ended, when each thread was pushed to a bigger CPU and where (the timeline's
#    "misfit push" events), its utilisation then, and the running time before the push; then
#    the same PELT arithmetic by hand: from the starting utilisation (half of 192) to the misfit
#    point (192 x 1024 / 1280) at a fifth of the wall clock, and the 4 ms tick after it.
# 3. Misfit pull by a CPU going newly idle, on the phone board: thread 1 as in 1 (60,000 times)
#    on cpu0 while pinned threads keep the A715s (cpu4-6, 60,000 x 2,000 instructions) and the
#    X3 (cpu7, 45,000 x 2,000) busy. Prints when the X3's thread ends (the same thread run alone:
#    it makes no memory access, so its time is the same), when thread 1 was pulled (the
#    timeline's "misfit pull") and the delay between them, and the X3's first tick after the end,
#    when a tick's push would have moved it instead.
# 2. Time slices on virt-4g-mte (4 CPUs: slice 0.75 x 3 = 2.25 ms; ticks every 4 ms): two busy
#    threads pinned to cpu0. Prints the preemptions and the mean turn (the threads' run time
#    over the turns), with time slices on and off.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
mtesim="$build/bin/mtesim"; [ -x "$mtesim" ] || mtesim="$build/mtesim"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

awk 'BEGIN { print "mtesim-trace 1\nthread 1\nthread 2\n1 mmap 0x40000000 0x100000\n2 mmap 0x40100000 0x100000";
  for (i = 0; i < 40000; i++) for (t = 1; t <= 2; t++)
    printf "%d compute 2000\n%d ld 0x%x 8\n", t, t, (t == 1 ? 1073741824 : 1074790400) + (i * 64) % 1048576 }' > "$work/pair.trace"
"$mtesim" run --board phone-8g-lpddr5 --trace "$work/pair.trace" --timeline "$work/pair.json" --out "$work/pair" > /dev/null
echo "== misfit push: two busy threads on the phone's A510s =="
python3 - "$work/pair.json" "$work/pair/stats.json" <<'PY'
import json, math, sys
tl = json.load(open(sys.argv[1]))
stats = {s["name"]: s["value"] for s in json.load(open(sys.argv[2]))["stats"]}
boot_ms = stats["boot.time_ps"] / 1e9
print(f"boot ends at {boot_ms:.3f} ms; sched.migrations.misfit {stats['sched.migrations.misfit']}, sched.misfit_ticks {stats['sched.misfit_ticks']}")
for e in tl["traceEvents"]:
    if e.get("cat") == "sched" and e["name"] == "misfit push":
        a = e["args"]
        print(f"thread {a['thread']}: pushed from cpu{e['tid']} to cpu{a['to_cpu']} at {e['ts'] / 1000:.3f} ms, util {a['util']}, "
              f"after {e['ts'] / 1000 - boot_ms:.3f} ms of running")
cap, half = 192.0, 32.768
cross = half * math.log2((1024 - cap / 2) / (1024 - cap * 1024 / 1280)) * 1024 / cap
tick = math.ceil((boot_ms + cross) / 4) * 4
print(f"PELT by hand: misfit point reached after {cross:.3f} ms of running; the first tick after it at {tick:.3f} ms "
      f"({tick - boot_ms:.3f} ms of running)")
PY

echo "== misfit pull: the X3 goes newly idle while thread 1 is misfit on cpu0 =="
awk 'BEGIN { print "mtesim-trace 1\nthread 1\nthread 4 core=4\nthread 5 core=5\nthread 6 core=6\nthread 7 core=7\n1 mmap 0x40000000 0x100000";
  for (i = 0; i < 60000; i++) {
    printf "1 compute 2000\n1 ld 0x%x 8\n4 compute 2000\n5 compute 2000\n6 compute 2000\n", 1073741824 + (i * 64) % 1048576
    if (i < 45000) print "7 compute 2000" } }' > "$work/x3.trace"
awk 'BEGIN { print "mtesim-trace 1\nthread 7 core=7"; for (i = 0; i < 45000; i++) print "7 compute 2000" }' > "$work/x3-alone.trace"
"$mtesim" run --board phone-8g-lpddr5 --trace "$work/x3.trace" --timeline "$work/x3.json" --out "$work/x3" > /dev/null
"$mtesim" run --board phone-8g-lpddr5 --trace "$work/x3-alone.trace" --out "$work/x3-alone" > /dev/null
python3 - "$work/x3.json" "$work/x3/stats.json" "$work/x3-alone/stats.json" <<'PY'
import json, math, sys
tl = json.load(open(sys.argv[1]))
stats = {s["name"]: s["value"] for s in json.load(open(sys.argv[2]))["stats"]}
alone = {s["name"]: s["value"] for s in json.load(open(sys.argv[3]))["stats"]}
end_ms = alone["sim.time_ps"] / 1e9
print(f"sched.migrations.misfit {stats['sched.migrations.misfit']}, of them newidle {stats['sched.migrations.misfit_newidle']}; "
      f"the X3's thread ends at {end_ms:.4f} ms")
for e in tl["traceEvents"]:
    if e.get("cat") == "sched" and e["name"] == "misfit pull":
        at = e["ts"] / 1000
        print(f"thread {e['args']['thread']}: pulled from cpu{e['tid']} to cpu{e['args']['to_cpu']} at {at:.4f} ms, "
              f"{(at - end_ms) * 1000:.2f} us after; the next tick, where a push would have come, at {math.ceil(end_ms / 4) * 4:.4f} ms")
PY

echo "== time slices: two busy threads pinned to cpu0 of virt-4g-mte =="
awk 'BEGIN { print "mtesim-trace 1\nthread 1 core=0\nthread 2 core=0";
  for (i = 0; i < 400; i++) print "1 compute 200000\n2 compute 200000" }' > "$work/slice.trace"
for ts in on off; do
  "$mtesim" run --board virt-4g-mte --trace "$work/slice.trace" --set sched.time_slice=$ts --out "$work/slice-$ts" > /dev/null
  python3 - "$work/slice-$ts/stats.json" "$ts" <<'PY'
import json, sys
stats = {s["name"]: s["value"] for s in json.load(open(sys.argv[1]))["stats"]}
run_ms = (stats["sim.time_ps"] - stats["boot.time_ps"]) / 1e9
p = stats["sched.preemptions"]
print(f"time_slice={sys.argv[2]}: run {run_ms:.3f} ms, sched.preemptions {p}, mean turn {run_ms / (p + 1):.3f} ms")
PY
done
