# tools/bench/procs.sh — sourced by the bench scripts that run alone or from tools/bench/run.sh
# (dispatch.sh, delivery.sh): a throw-away cluster of their own when DATABASE_URL is unset
# (tests/lib.sh), otherwise a temporary folder; the processes they start (PROCS, stopped by
# stop_procs and at exit, before lib.sh's cleanup stops the cluster); tests/helpers.sh (a free
# loopback port, wait_http); and measure.sh's helpers (CPU ticks, polls through one psql
# session, nap, spawn).
# Sets ROOT and OWN_TMP.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$ROOT/tests/helpers.sh"
source "$ROOT/tools/bench/measure.sh"
if [[ -z "${DATABASE_URL:-}" ]]; then
  source "$ROOT/tests/lib.sh"
  start_pg
  OWN_TMP=$TMP
else
  OWN_TMP=$(mktemp -d "/tmp/herald-bench-$(basename "$0" .sh).XXXXXX")
fi
PROCS=()
stop_procs() {
  for p in "${PROCS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done
  for p in "${PROCS[@]:-}"; do [[ -n "$p" ]] && wait "$p" 2>/dev/null || true; done
  PROCS=()
}
if declare -F cleanup >/dev/null; then trap 'rc=$?; stop_procs; (exit $rc); cleanup' EXIT; else trap 'stop_procs' EXIT; fi
