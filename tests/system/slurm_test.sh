#!/usr/bin/env bash
# slurm_test.sh MTESIM TRACE: runs `mtesim sweep --slurm` on a real single-node Slurm cluster.
#
# The fixture starts munged, slurmctld and slurmd on localhost from a slurm.conf generated in a
# temporary directory (free ports, state and logs there, nothing in /etc touched), submits the
# sweep's job array with sbatch, waits for it (bounded), runs the generated merge.sh and checks
# that the merged sweep.csv equals the one a local `sweep -j 2` writes. The daemons are stopped
# on every exit. When the cluster cannot start (not root, packages missing, a daemon refusing to
# run), the test prints one line saying why and exits 77, which ctest reports as skipped
# (SKIP_RETURN_CODE): it never passes without having run.
set -uo pipefail

mtesim=$1
trace=$2
timeout_s=${MTESIM_SLURM_TIMEOUT:-240}

skip() { echo "SKIPPED: slurm_test: $*"; exit 77; }
fail() { echo "FAILED: slurm_test: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "slurmctld and slurmd need root here (run as root, as CI does)"
for p in munged slurmctld slurmd sbatch sinfo squeue python3; do
  command -v "$p" >/dev/null 2>&1 || skip "$p not found (scripts/install-deps.sh installs slurm-wlm and munge)"
done

tmp=$(mktemp -d /tmp/mtesim-slurm.XXXXXX) || fail "mktemp"
chmod 700 "$tmp"
# Stops the daemons this test started: each by the pid in its own pid file, and only while
# that pid is still the daemon it names (never by name, never another user's process).
stop() { # stop PIDFILE COMM SIGNAL
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && kill "-$3" "$pid" 2>/dev/null
  return 0
}
cleanup() {
  stop "$tmp/slurmd.pid" slurmd TERM
  stop "$tmp/slurmctld.pid" slurmctld TERM
  stop "$tmp/munged.pid" munged TERM
  for _ in $(seq 1 20); do
    alive=0
    for d in slurmd slurmctld munged; do
      pid=$(cat "$tmp/$d.pid" 2>/dev/null) && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$d" ] && alive=1
    done
    [ $alive -eq 0 ] && break
    sleep 0.25
  done
  stop "$tmp/slurmd.pid" slurmd KILL
  stop "$tmp/slurmctld.pid" slurmctld KILL
  stop "$tmp/munged.pid" munged KILL
  rm -rf "$tmp"
}
trap cleanup EXIT

last_log() { tail -n 1 "$1" 2>/dev/null | tr -d '\n' | cut -c1-200; }

# munge: a fresh key, its own socket.
dd if=/dev/urandom of="$tmp/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge.key"
munged --force --socket="$tmp/munge.sock" --key-file="$tmp/munge.key" --log-file="$tmp/munged.log" \
       --pid-file="$tmp/munged.pid" --seed-file="$tmp/munged.seed" >/dev/null 2>&1 ||
  skip "munged did not start: $(last_log "$tmp/munged.log")"

# Two free TCP ports for slurmctld and slurmd.
read -r ctld_port d_port < <(python3 -c '
import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$tmp/state" "$tmp/spool"
cat > "$tmp/slurm.conf" <<CONF
ClusterName=mtesimtest$$
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge.sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=mtesim Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$tmp/slurm.conf

slurmctld -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 || skip "slurmctld did not start: $(last_log "$tmp/slurmctld.log")"
slurmd -f "$SLURM_CONF" >"$tmp/slurmd.out" 2>&1 || skip "slurmd did not start: $(last_log "$tmp/slurmd.log")"
state=""
for _ in $(seq 1 60); do
  state=$(sinfo -h -n "$host" -o %T 2>/dev/null | head -n 1)
  case "$state" in idle|mixed|allocated) break ;; esac
  sleep 0.5
done
case "$state" in idle|mixed|allocated) ;;
  *) skip "the node did not come up (state '${state:-none}'): $(last_log "$tmp/slurmd.log")" ;;
esac

# The grid: two values of one key, so 3 points (baseline and two), 2 seeds each: 6 array tasks
# of a tiny trace.
grid=(sweep --trace "$trace" --vary mm.cma_policy=never,cma-first --seeds 2)
"$mtesim" "${grid[@]}" --out "$tmp/local" -j 2 >/dev/null || fail "local sweep -j 2 failed"
"$mtesim" "${grid[@]}" --out "$tmp/cluster" --slurm >"$tmp/slurm-gen.out" || fail "sweep --slurm failed"
grep -q "note: sbatch is not on PATH" "$tmp/slurm-gen.out" && fail "sweep --slurm did not find sbatch on PATH"

job=$(sbatch --parsable "$tmp/cluster/sweep.sbatch") || fail "sbatch refused the job array: $(cat "$tmp/cluster/sweep.sbatch")"
job=${job%%;*}
deadline=$((SECONDS + timeout_s))
while squeue -h -j "$job" 2>/dev/null | grep -q .; do
  [ $SECONDS -lt $deadline ] || fail "job array $job not finished after ${timeout_s}s: $(squeue -h -j "$job" | head -n 3)"
  sleep 1
done
for k in 0 1 2 3 4 5; do
  run="$tmp/cluster/points/0000$((k / 2))/seed$((k % 2))"
  [ -s "$run/stats.json" ] ||
    fail "array task $k left no $run/stats.json: $(tail -n 3 "$tmp/cluster/points/slurm-$k.log" 2>/dev/null)"
done

"$tmp/cluster/merge.sh" >/dev/null || fail "merge.sh failed"
if ! diff -u "$tmp/local/sweep.csv" "$tmp/cluster/sweep.csv"; then
  fail "the merged CSV of the Slurm run differs from the local sweep -j 2"
fi
echo "slurm_test: job array $job of 6 tasks ran on a single-node cluster; merged sweep.csv equals the local sweep -j 2"
