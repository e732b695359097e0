# Shared by the studies' scripts (sourced): runs of mtesim two at a time on the 2-core hosts the
# studies were measured on, and the host time they took.
#   study_start; study_run CMD...; ...; study_wait   -> $study_host ("N s")
study_start() {
  study_jobs=()
  study_t0=$(date +%s)
}
# Starts CMD in the background; waits for the oldest run first when two are running.
study_run() {
  "$@" > /dev/null &
  study_jobs+=($!)
  if [ "${#study_jobs[@]}" -ge 2 ]; then
    wait "${study_jobs[0]}"
    study_jobs=("${study_jobs[@]:1}")
  fi
}
# Waits for every run (a failed run fails the script under set -e) and sets study_host.
study_wait() {
  local j
  for j in "${study_jobs[@]}"; do wait "$j"; done
  study_host="$(( $(date +%s) - study_t0 )) s"
}
