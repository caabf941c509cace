#!/usr/bin/env bash
# tools/bench/dispatch.sh — the dispatch figures of DESIGN.md: seeds BENCH_CLIENTS (1,000,000)
# clients into a database of its own, starts fakeprobe and herald, creates a mailing starting now
# and prints the time to freeze the recipients, messages/s from start to all sent, and herald's
# peak RSS (VmHWM). Runs alone (starts a throw-away cluster) or from tools/bench/run.sh (uses
# its DATABASE_URL's cluster, database $BENCH_DB, default bench_dispatch). Env: BENCH_CLIENTS,
# BENCH_DB, BENCH_KEEP_DB=1 (reuse the seeded database of an earlier run); HERALD_* settings
# in the environment (HERALD_DISPATCH_WORKERS, HERALD_DISPATCH_BATCH, ...) reach herald.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
N=${BENCH_CLIENTS:-1000000}
BENCH_DB=${BENCH_DB:-bench_dispatch}
if [[ -z "${DATABASE_URL:-}" ]]; then
  source "$ROOT/tests/lib.sh"
  start_pg
  OWN_TMP=$TMP
else
  OWN_TMP=$(mktemp -d /tmp/herald-bench-dispatch.XXXXXX)
fi
PG_BASE=$DATABASE_URL
DB="$PG_BASE dbname=${BENCH_DB}"
PROCS=()
stop_procs() {
  for p in "${PROCS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done
  for p in "${PROCS[@]:-}"; do [[ -n "$p" ]] && wait "$p" 2>/dev/null || true; done
}
# standalone, lib.sh's cleanup (stops the cluster, removes $TMP) runs after our processes stop
if declare -F cleanup >/dev/null; then trap 'rc=$?; stop_procs; (exit $rc); cleanup' EXIT; else trap 'stop_procs' EXIT; fi
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
q() { psql "$DB" -qtAX -c "$1"; }
# CPU time (user + system, clock ticks) the processes have used so far.
ticks() { local p t=0; for p in "$@"; do [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }
pg_dir=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$PG_BASE")
pg_pids() { local pm; pm=$(head -1 "$pg_dir/data/postmaster.pid" 2>/dev/null) || return 0; echo "$pm" $(pgrep -P "$pm"); }

seeded=$(psql "$PG_BASE" -qtAX -c "SELECT 1 FROM pg_database WHERE datname = '${BENCH_DB}'")
if [[ -z "${BENCH_KEEP_DB:-}" || -z "$seeded" ]]; then
  psql "$PG_BASE" -qtAX -c "DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)" -c "CREATE DATABASE ${BENCH_DB}" >/dev/null
  DATABASE_URL=$DB HERALD_ROOT=$ROOT HERALD_LOG_DIR=$OWN_TMP "$ROOT/build/herald" migrate >"$OWN_TMP/migrate.log" 2>&1
  t0=$(date +%s.%N)
  q "INSERT INTO operators (code) VALUES ('916'), ('903') ON CONFLICT DO NOTHING"
  q "INSERT INTO clients (phone, operator_code, timezone)
     SELECT '79' || lpad(g::text, 9, '0'), CASE WHEN g % 2 = 0 THEN '916' ELSE '903' END, 'Europe/Moscow'
       FROM generate_series(1, $N) g"
  q "VACUUM ANALYZE clients"
  printf 'bench: dispatch seeded %d clients in %.1f s\n' "$N" "$(echo "$(date +%s.%N) - $t0" | bc)"
else
  q "DELETE FROM messages; DELETE FROM message_counts; DELETE FROM message_minutes; DELETE FROM mailings" >/dev/null
  q "VACUUM ANALYZE messages"
fi
N=$(q "SELECT count(*) FROM clients")

fp_port=$(port); h_port=$(port)
"$ROOT/build/fakeprobe" --listen 127.0.0.1:$fp_port >"$OWN_TMP/fakeprobe.log" 2>&1 &
PROCS+=($!)
env DATABASE_URL="$DB" HERALD_ROOT="$ROOT" HERALD_LISTEN=127.0.0.1:$h_port HERALD_LOG_DIR="$OWN_TMP/logs" \
    HERALD_PROVIDER_URL=http://127.0.0.1:$fp_port/v1 "$ROOT/build/herald" serve >"$OWN_TMP/herald.out" 2>&1 &
HPID=$!
PROCS+=($HPID)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$h_port/healthz" && break; sleep 0.1; done

load_before=$(cut -d' ' -f1 /proc/loadavg)
t0=$(date +%s.%N)
mid=$(q "INSERT INTO mailings (start_at, end_at, text) VALUES (now(), now() + interval '1 hour', 'Bench: hello') RETURNING id" | head -1)
q "NOTIFY herald_mailings"
until [[ "$(q "SELECT status FROM mailings WHERE id = $mid")" != scheduled ]]; do sleep 0.05; done
t1=$(date +%s.%N)
FPID=${PROCS[0]}
h0=$(ticks $HPID); f0=$(ticks $FPID); p0=$(ticks $(pg_pids))
start_s=$(echo "$t1 - $t0" | bc)
tx_ms=$(grep -o '"event":"mailing.started","mailing_id":'"$mid"',"recipients":[0-9]*,"ms":[0-9.]*' "$OWN_TMP/herald.out" | sed 's/.*"ms"://')
deadline=$((SECONDS + 900))
while :; do
  sent=$(q "SELECT coalesce((SELECT n FROM message_counts WHERE mailing_id = $mid AND status = 2), 0)")
  [[ $sent -ge $N ]] && break
  [[ $SECONDS -gt $deadline ]] && { echo "bench: dispatch gave up at $sent of $N sent"; break; }
  sleep 0.2
done
hwm=$(awk '/VmHWM/ {print $2}' /proc/$HPID/status)
cpu=$(awk -v h=$(($(ticks $HPID) - h0)) -v f=$(($(ticks $FPID) - f0)) -v p=$(($(ticks $(pg_pids)) - p0)) \
  -v hz="$(getconf CLK_TCK)" -v n="$sent" -v cores="$(nproc)" 'BEGIN { us = (h + p) / hz / n * 1e6
  printf "cpu per message: herald %.0f us + postgres %.0f us (fakeprobe %.0f us) = %.0f msg/s on %d idle cores without fakeprobe",
    h / hz / n * 1e6, p / hz / n * 1e6, f / hz / n * 1e6, cores * 1e6 / us, cores }')
dur=$(echo "$(q "SELECT extract(epoch FROM max(sent_at)) FROM messages WHERE mailing_id = $mid") - $t1" | bc)
rate=$(echo "$sent / $dur" | bc)
echo "bench: dispatch recipients $N (load before $load_before)"
printf 'bench: dispatch start (creation to running, recipients frozen) %.2f s, of which the transaction %.0f ms   [target <= 5 s]\n' "$start_s" "${tx_ms:-0}"
printf 'bench: dispatch %s msg/s from running to all sent (%s sent in %.1f s)   [target >= 25000]\n' "$rate" "$sent" "$dur"
printf 'bench: dispatch herald peak RSS %.1f MiB   [target <= 64 MiB]\n' "$(echo "$hwm / 1024" | bc -l)"
echo "bench: dispatch $cpu"
printf 'bench: dispatch fakeprobe %s\n' "$(curl -s "http://127.0.0.1:$fp_port/stats")"

# Deleting the sent mailing through the API (its messages go with it), as an admin would.
echo "bench-password" | env DATABASE_URL="$DB" HERALD_ROOT="$ROOT" HERALD_LOG_DIR="$OWN_TMP" \
  "$ROOT/build/herald" user create bench_dispatch --role admin >/dev/null 2>&1 || true
token=$(env DATABASE_URL="$DB" HERALD_ROOT="$ROOT" HERALD_LOG_DIR="$OWN_TMP" "$ROOT/build/herald" token create bench_dispatch 2>/dev/null)
out=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' -X DELETE -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$h_port/api/v1/mailings/$mid")
printf 'bench: dispatch DELETE /api/v1/mailings/{id} of %s messages answered %s in %s s   [target: well inside nginx proxy_read_timeout 60 s]\n' \
  "$sent" "${out%% *}" "${out#* }"
