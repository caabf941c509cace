#!/usr/bin/env bash
# SMPP bench: submit_sm stored per second. A throw-away PostgreSQL cluster, herald with the smpp
# role (and web, for its health check; no dispatcher, so only storing is measured), an account
# without a throughput limit, then tools/bench/smpp_client.mjs: BINDS transmitter binds, each
# with a window of WINDOW outstanding submit_sm. Every OK submit_sm_resp means a committed row,
# and the rows are counted afterwards. Runnable alone: tools/bench/smpp.sh
#   SMPP_TOTAL (100000) SMPP_BINDS (4) SMPP_WINDOW (10)
source "$(dirname "$0")/../../tests/lib.sh"
cd "$ROOT"
total=${SMPP_TOTAL:-100000} binds=${SMPP_BINDS:-4} window=${SMPP_WINDOW:-10}
[[ -x build/herald ]] || make --no-print-directory
start_pg
export HERALD_LOG_DIR=$TMP/logs HERALD_LOG_LEVEL=warn
build/herald migrate >"$TMP/migrate.log" 2>&1 || { cat "$TMP/migrate.log"; exit 1; }
echo 'bench-pass1' | build/herald smpp-account create bench --password-stdin --tps 1000000 2>/dev/null
port=$(free_port)
start_herald smpp HERALD_SMPP_LISTEN=127.0.0.1:$port
# run: warm-up, then the measured run
node tools/bench/smpp_client.mjs "$port" bench bench-pass1 2000 "$binds" "$window" >/dev/null
out=$(node tools/bench/smpp_client.mjs "$port" bench bench-pass1 "$total" "$binds" "$window")
stored=$(psql "$DATABASE_URL" -XAtc "SELECT count(*) FROM smpp_messages")
rate=$(sed -n 's/.*"per_second":\([0-9]*\).*/\1/p' <<<"$out")
secs=$(sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p' <<<"$out")
echo "$out" >&2
echo "bench: smpp submit_sm stored  ${rate}/s ($total submit_sm over $binds binds, window $window, ${secs}s, $stored rows stored in all, 2 cores shared by client, herald and PostgreSQL)"
[[ $stored -eq $((total + 2000)) ]] || { echo "expected $((total + 2000)) rows, found $stored" >&2; exit 1; }
