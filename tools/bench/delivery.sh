#!/usr/bin/env bash
# tools/bench/delivery.sh — the full exactly-once sweep of API.md 9.1 (the scaled-down one is
# tests/integration/test_delivery.c): fakeprobe answering after 0, 500, 2,500 ms and 0.9 x the
# provider timeout, herald at provider concurrency 1, 32 and 256, one instance and two. Each run
# sends a batch of up to DELIVERY_MAX (5,000) messages, as many as the slowest combinations send
# in about DELIVERY_SECONDS (20), and prints its rate and the requests fakeprobe saw twice
# (duplicates) and answered OK twice (ok_twice), beside the requests herald gave up on at its
# timeout (timeouts, from /metrics). API.md 9.1 holds for latencies up to the timeout: a
# loaded machine can push an answer at 0.9 x the timeout past it, and that attempt's outcome is
# unknown, so its message may be requested once more after it ended (tests/integration/
# test_delivery.c allows the same). So each run must have no duplicate and no double OK beyond
# its timeouts, and no id requested again while its first request was still being answered
# (overlaps: a second request sooner than the latency after the first). Runs alone (its own
# cluster) or from tools/bench/run.sh (database bench_delivery in its cluster). Exits non-zero
# when a run broke one of these.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/procs.sh"
MAX=${DELIVERY_MAX:-5000}
SECS=${DELIVERY_SECONDS:-20}
TIMEOUT_MS=${HERALD_PROVIDER_TIMEOUT_MS:-10000}
DB="$DATABASE_URL dbname=bench_delivery"
psql "$DATABASE_URL" -qtAX -c "DROP DATABASE IF EXISTS bench_delivery WITH (FORCE)" -c "CREATE DATABASE bench_delivery" >/dev/null
DATABASE_URL=$DB HERALD_ROOT=$ROOT HERALD_LOG_DIR=$OWN_TMP "$ROOT/build/herald" migrate >"$OWN_TMP/migrate.log" 2>&1
open_q "$DB"
q "INSERT INTO operators (code) VALUES ('916')"
q "INSERT INTO clients (phone, operator_code, timezone)
   SELECT '7916' || lpad(g::text, 7, '0'), '916', 'Europe/Moscow' FROM generate_series(1, $MAX) g"

bad=0
run() {  # latency_ms concurrency instances
  local lat=$1 conc=$2 inst=$3 n fp_port i mid t0 t1 stats hps=()
  n=$(awk -v l="$lat" -v c="$conc" -v i="$inst" -v s="$SECS" -v max="$MAX" \
      'BEGIN { n = (l > 0) ? int(c * i * s * 1000 / l) : max; if (n > max) n = max; if (n < 2 * c * i) n = 2 * c * i; if (n > max) n = max; print n }')
  q "DELETE FROM messages; DELETE FROM message_counts; DELETE FROM message_minutes; DELETE FROM mailings" >/dev/null
  fp_port=$(free_port)
  spawn "$ROOT/build/fakeprobe" --listen 127.0.0.1:$fp_port --latency-ms "$lat" >"$OWN_TMP/fakeprobe.log" 2>&1
  PROCS+=($!)
  for ((i = 0; i < inst; i++)); do
    local hp; hp=$(free_port); hps+=($hp)
    spawn env DATABASE_URL="$DB" HERALD_ROOT="$ROOT" HERALD_LISTEN=127.0.0.1:$hp HERALD_LOG_DIR="$OWN_TMP/logs-$i" \
        HERALD_PROVIDER_URL=http://127.0.0.1:$fp_port/v1 HERALD_PROVIDER_TIMEOUT_MS="$TIMEOUT_MS" \
        HERALD_PROVIDER_CONCURRENCY="$conc" HERALD_DISPATCH_WORKERS=$((conc < 2 ? 1 : 2)) \
        "$ROOT/build/herald" serve --roles scheduler,dispatch,web >"$OWN_TMP/herald-$i.out" 2>&1
    PROCS+=($!)
    wait_http "http://127.0.0.1:$hp/healthz"
  done
  t0=$(date +%s.%N)
  mid=$(q "WITH m AS (INSERT INTO mailings (kind, start_at, end_at, text, status, started_at)
                      VALUES ('batch', now(), now() + interval '1 hour', 'Bench: once', 'running', now()) RETURNING id),
                x AS (INSERT INTO messages (mailing_id, client_id, phone, due_at, expires_at)
                      SELECT m.id, c.id, c.phone, now(), now() + interval '1 hour' FROM m,
                             (SELECT id, phone FROM clients ORDER BY id LIMIT $n) c RETURNING 1)
           SELECT id FROM m" | head -1)
  q "NOTIFY herald_messages" >/dev/null
  until [[ "$(q "SELECT coalesce(sum(n) FILTER (WHERE status IN (message_status('pending'), message_status('sending'))), 0) FROM message_counts WHERE mailing_id = $mid")" == 0 ]]; do nap 0.2; done
  t1=$(date +%s.%N)
  stats=$(curl -s "http://127.0.0.1:$fp_port/stats")
  local dup twice sent timeouts=0 overlaps h
  for h in "${hps[@]}"; do
    timeouts=$((timeouts + $(curl -s "http://127.0.0.1:$h/metrics" |
      awk '/^herald_provider_requests_total\{.*result="timeout"/ { n += $2 } END { print n + 0 }')))
  done
  overlaps=$(curl -s "http://127.0.0.1:$fp_port/received" | /usr/bin/python3 -c '
import json, sys
first, n = {}, 0
for r in json.load(sys.stdin)["results"]:
    if r["id"] in first and r["ts_ms"] - first[r["id"]] < int(sys.argv[1]):
        n += 1
    first.setdefault(r["id"], r["ts_ms"])
print(n)' "$lat")
  stop_procs
  dup=$(sed -n 's/.*"duplicates":\([0-9]*\).*/\1/p' <<<"$stats"); twice=$(sed -n 's/.*"ok_twice":\([0-9]*\).*/\1/p' <<<"$stats")
  sent=$(q "SELECT coalesce((SELECT n FROM message_counts WHERE mailing_id = $mid AND status = message_status('sent')), 0)")
  printf 'bench: delivery latency %5d ms, concurrency %3d, instances %d: %5d of %5d sent, %7.0f msg/s, duplicates %s, ok twice %s, timeouts %s, overlaps %s   [target: duplicates and ok twice 0 beyond the timeouts, overlaps 0]\n' \
    "$lat" "$conc" "$inst" "$sent" "$n" "$(echo "$sent / ($t1 - $t0)" | bc -l)" "$dup" "$twice" "$timeouts" "$overlaps"
  [[ "$dup" -le "$timeouts" && "$twice" -le "$timeouts" && "$overlaps" == 0 && "$sent" == "$n" ]] || bad=1
}
# latencies under 0.9 x the timeout, then 0.9 x the timeout itself
lats=()
for lat in 0 500 2500; do ((lat < TIMEOUT_MS * 9 / 10)) && lats+=("$lat"); done
lats+=($((TIMEOUT_MS * 9 / 10)))
for lat in "${lats[@]}"; do
  for conc in 1 32 256; do
    for inst in 1 2; do run "$lat" "$conc" "$inst"; done
  done
done
exit $bad
