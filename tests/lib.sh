# tests/lib.sh — shared by tests/run.sh and tools/bench/run.sh: a throw-away PostgreSQL cluster,
# herald servers on free loopback ports, and cleanup. Source it; it sets TMP.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=$(mktemp -d /tmp/herald-test.XXXXXX)
chmod 755 "$TMP"
PIDS=()
source "$ROOT/tests/helpers.sh"

cleanup() {
  local rc=$?
  for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && wait "$p" 2>/dev/null || true; done
  "$ROOT/scripts/pg.sh" stop "$TMP/pg" || true
  if [[ $rc -eq 0 && -z "${KEEP_TMP:-}" ]]; then rm -rf "$TMP"; else echo "test files kept in $TMP" >&2; fi
  exit $rc
}
trap cleanup EXIT INT TERM

# start_pg: a new cluster under $TMP/pg; exports DATABASE_URL.
start_pg() {
  DATABASE_URL=$("$ROOT/scripts/pg.sh" start "$TMP/pg")
  export DATABASE_URL
}

# san_reports PATH...: the files among PATH (files, or folders read through) that hold a
# sanitizer's report (AddressSanitizer, LeakSanitizer, UBSan), a name a line; false when none.
san_reports() { grep -rl -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$@" 2>/dev/null; }

# start_herald NAME [env assignments...]: serve on a free port with a log under $TMP/NAME.log;
# sets HERALD_URL_<NAME> and appends the pid to PIDS.
start_herald() {
  local name=$1; shift
  local port; port=$(free_port)
  env HERALD_LISTEN=127.0.0.1:$port HERALD_LOG_DIR="$TMP/logs-$name" "$@" \
    "$ROOT/build/herald" serve >"$TMP/$name.log" 2>&1 &
  PIDS+=($!)
  printf -v "HERALD_URL_${name^^}" 'http://127.0.0.1:%s' "$port"
  export "HERALD_URL_${name^^}"
  wait_http "http://127.0.0.1:$port/healthz"
}
