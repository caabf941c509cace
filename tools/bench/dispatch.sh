#!/usr/bin/env bash
# tools/bench/dispatch.sh — the dispatch figures of DESIGN.md and issue 10: mailings of 50,000,
# 200,000 and 1,000,000 recipients (BENCH_SIZES) to fakeprobe, BENCH_RUNS (3) runs of each,
# with one herald of default settings. Each run prints the start (creation to running, the
# recipients frozen), messages/s from running to all sent, CPU per message of herald,
# PostgreSQL and fakeprobe, herald's peak RSS and fakeprobe's duplicate counts; then one line
# per size with the medians beside the targets, and the time DELETE /api/v1/mailings/{id}
# takes for the largest. Then the same for mailings whose text is personal (BENCH_PERSONAL_SIZES,
# default the largest size: "{{attributes.name}}" and "{{phone}}" rendered for each
# recipient), beside the plain figures of that size: the cost of personalisation, at the
# start (issue 15: at most +20 %) and in sending. The clients are seeded once (BENCH_CLIENTS = the largest size,
# each with a name among its attributes):
# the first 50,000 have operator 901, the next 150,000 operator 902, the rest 903, so a size
# is a mailing filtered by operator codes. Runs alone (starts a throw-away cluster) or from
# tools/bench/run.sh (its cluster, database $BENCH_DB, default bench_dispatch). Env:
# BENCH_SIZES, BENCH_RUNS, BENCH_DB, BENCH_KEEP_DB=1 (reuse the seeded clients of an earlier
# run), BENCH_PROVIDERS (1: HERALD_PROVIDER_URL's provider alone; 2: beside it a second
# provider row of equal weight on a fakeprobe of its own, so the messages are routed between
# the two, each with half of HERALD_PROVIDER_CONCURRENCY: the same requests in flight as one),
# BENCH_WEBHOOK_URL (the mailings' user has a webhook of message.sent to it in every run: the
# cost of webhooks; the costs section below measures it by itself), BENCH_DLR=1 (the provider 'default' has a dlr_secret and fakeprobe posts a delivery
# report of every message to herald: the cost of reports beside sending; sent counts the
# delivered and undelivered ones, as every statistic does), BENCH_PLAIN_ONLY=1 (the plain mailings and the DELETE
# alone: a quick A/B of two builds); HERALD_* settings in the environment (HERALD_DISPATCH_WORKERS, ...) reach herald.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/procs.sh"
SIZES=(${BENCH_SIZES:-50000 200000 1000000})
RUNS=${BENCH_RUNS:-3}
N=${BENCH_CLIENTS:-${SIZES[-1]}}
BENCH_DB=${BENCH_DB:-bench_dispatch}
PG_BASE=$DATABASE_URL
DB="$PG_BASE dbname=${BENCH_DB}"
seeded=$(psql "$PG_BASE" -qtAX -c "SELECT 1 FROM pg_database WHERE datname = '${BENCH_DB}'")
if [[ -z "${BENCH_KEEP_DB:-}" || -z "$seeded" ]]; then
  psql "$PG_BASE" -qtAX -c "DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)" -c "CREATE DATABASE ${BENCH_DB}" >/dev/null
  DATABASE_URL=$DB HERALD_ROOT=$ROOT HERALD_LOG_DIR=$OWN_TMP "$ROOT/build/herald" migrate >"$OWN_TMP/migrate.log" 2>&1
  fresh=1
fi
open_q "$DB"
if [[ -n "${fresh:-}" ]]; then
  t0=$(date +%s.%N)
  q "INSERT INTO operators (code) VALUES ('901'), ('902'), ('903') ON CONFLICT DO NOTHING"
  q "INSERT INTO clients (phone, operator_code, timezone, attributes)
     SELECT '79' || lpad(g::text, 9, '0'), CASE WHEN g <= 50000 THEN '901' WHEN g <= 200000 THEN '902' ELSE '903' END,
            'Europe/Moscow', jsonb_build_object('name', 'Client ' || g)
       FROM generate_series(1, $N) g"
  q "VACUUM ANALYZE clients"
  printf 'bench: dispatch seeded %d clients in %.1f s\n' "$N" "$(echo "$(date +%s.%N) - $t0" | bc)"
fi
echo "bench-password" | env DATABASE_URL="$DB" HERALD_ROOT="$ROOT" HERALD_LOG_DIR="$OWN_TMP" \
  "$ROOT/build/herald" user create bench_dispatch --role admin >/dev/null 2>&1 || true

q "DELETE FROM webhooks"
[[ -n "${BENCH_WEBHOOK_URL:-}" ]] && q "INSERT INTO webhooks (user_id, url, events, secret)
  SELECT id, '$BENCH_WEBHOOK_URL', '{message.sent}', 'bench-webhook-secret' FROM users WHERE username = 'bench_dispatch'" >/dev/null

PLAIN_TEXT='Bench: hello'
PERSONAL_TEXT='Bench: hello {{attributes.name}}, this is for {{phone}}'

# one_run SIZE RUN [TEXT]: a mailing of TEXT (PLAIN_TEXT) to SIZE recipients on a fresh
# fakeprobe and herald; sets the R_* results.
one_run() {
  local size=$1 text=${3:-$PLAIN_TEXT} ops fp_port h_port hpid fpid mid t0 t1 h0 f0 p0 m0 sent dur stats
  case $size in 50000) ops='{901}' ;; 200000) ops='{901,902}' ;; *) ops='{}' ;; esac
  [[ $ops == '{}' && $size -lt $N ]] && { echo "bench: dispatch size $size is not 50000, 200000 or all $N clients" >&2; exit 2; }
  # the statistics of a table that has sent mailings, as in production: the last run's
  # messages, all sent, analyzed; ANALYZE of the emptied table keeps them (the dispatcher's
  # outcome write once joined its batches to a sequential scan of messages under them)
  q "ANALYZE messages" >/dev/null
  q "TRUNCATE messages, message_counts, message_minutes, webhook_deliveries, webhook_events; DELETE FROM mailings" >/dev/null
  q "VACUUM ANALYZE messages" >/dev/null
  fp_port=$(free_port); h_port=$(free_port)
  local dlr=() pid
  if [[ -n "${BENCH_DLR:-}" ]]; then
    pid=$(q "INSERT INTO providers (name, url, dlr_secret) VALUES ('default', 'http://127.0.0.1:$fp_port/v1', 'bench-dlr-secret')
             ON CONFLICT (name) DO UPDATE SET dlr_secret = excluded.dlr_secret RETURNING id" | head -1)
    dlr=(--dlr-url "http://127.0.0.1:$h_port/api/v1/providers/$pid/dlr" --dlr-secret bench-dlr-secret)
  else
    q "UPDATE providers SET dlr_secret = NULL WHERE name = 'default'" >/dev/null
  fi
  # two providers share fakeprobe's two HTTP threads, a thread each, so that the providers'
  # side serves the same in both cases and what differs is herald's routing
  local fp_threads=$((${BENCH_PROVIDERS:-1} == 2 ? 1 : 2))
  spawn "$ROOT/build/fakeprobe" --listen 127.0.0.1:$fp_port --threads $fp_threads "${dlr[@]}" >"$OWN_TMP/fakeprobe.log" 2>&1
  fpid=$!; PROCS+=($fpid)
  q "DELETE FROM providers WHERE name = 'bench-2'" >/dev/null
  local conc=${HERALD_PROVIDER_CONCURRENCY:-64}
  if [[ ${BENCH_PROVIDERS:-1} == 2 ]]; then
    local fp2_port; fp2_port=$(free_port)
    spawn "$ROOT/build/fakeprobe" --listen 127.0.0.1:$fp2_port --threads $fp_threads >"$OWN_TMP/fakeprobe-2.log" 2>&1
    PROCS+=($!); fpid="$fpid $!"
    q "INSERT INTO providers (name, url, concurrency) VALUES ('bench-2', 'http://127.0.0.1:$fp2_port/v1', $((conc - conc / 2)))" >/dev/null
    conc=$((conc / 2))
  fi
  spawn env DATABASE_URL="$DB" HERALD_ROOT="$ROOT" HERALD_LISTEN=127.0.0.1:$h_port HERALD_LOG_DIR="$OWN_TMP/logs" \
      HERALD_PROVIDER_URL=http://127.0.0.1:$fp_port/v1 HERALD_PROVIDER_CONCURRENCY=$conc "$ROOT/build/herald" serve >"$OWN_TMP/herald.out" 2>&1
  hpid=$!; PROCS+=($hpid)
  wait_http "http://127.0.0.1:$h_port/healthz"
  R_LOAD=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(date +%s.%N)
  mid=$(q "INSERT INTO mailings (start_at, end_at, text, filter_operator_codes, created_by) SELECT now(), now() + interval '1 hour',
           '$text', '$ops', id FROM users WHERE username = 'bench_dispatch' RETURNING id" | head -1)
  q "NOTIFY herald_mailings"
  until [[ "$(q "SELECT status FROM mailings WHERE id = $mid")" != scheduled ]]; do nap 0.02; done
  t1=$(date +%s.%N)
  h0=$(ticks $hpid); f0=$(ticks $fpid); p0=$(ticks $(pg_pids)); m0=$(busy)
  R_START=$(echo "$t1 - $t0" | bc)
  local deadline=$((SECONDS + 900))
  while :; do
    sent=$(q "SELECT coalesce((SELECT sum(n) FROM message_counts WHERE mailing_id = $mid AND status IN
              (message_status('sent'), message_status('delivered'), message_status('undelivered'))), 0)")
    [[ $sent -ge $size ]] && break
    [[ $SECONDS -gt $deadline ]] && { echo "bench: dispatch gave up at $sent of $size sent"; break; }
    nap 0.1
  done
  R_RSS=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' /proc/$hpid/status)
  R_HUS=$(us_each $(($(ticks $hpid) - h0)) "$sent")
  R_PUS=$(us_each $(($(ticks $(pg_pids)) - p0)) "$sent")
  R_FUS=$(us_each $(($(ticks $fpid) - f0)) "$sent")
  R_MUS=$(us_each $(($(busy) - m0)) "$sent")
  dur=$(echo "$(q "SELECT extract(epoch FROM max(sent_at)) FROM messages WHERE mailing_id = $mid") - $t1" | bc)
  R_RATE=$(echo "$sent / $dur" | bc)
  stats=$(curl -s "http://127.0.0.1:$fp_port/stats")
  R_DUP=$(sed -n 's/.*"duplicates":\([0-9]*\).*/\1/p' <<<"$stats")
  R_MID=$mid R_PORT=$h_port R_SENT=$sent R_HPID=$hpid
  if [[ -n "${BENCH_DLR:-}" ]]; then    # the reports still on their way when sending ended
    local t2 reported
    for _ in $(seq 1200); do
      stats=$(curl -s "http://127.0.0.1:$fp_port/stats")
      reported=$(grep -o '"dlr_\(delivered\|undelivered\|refused\|dropped\)":[0-9]*' <<<"$stats" | awk -F: '{ n += $2 } END { print n + 0 }')
      [[ $reported -ge $sent ]] && break
      nap 0.1
    done
    t2=$(date +%s.%N)
    printf 'bench: dispatch %7d recipients run %d: delivery reports %s, all in %.1f s after the start (%s delivered in herald; %s)\n' \
      "$size" "$2" "$(grep -o '"dlr_[a-z]*":[0-9]*' <<<"$stats" | tr '\n' ' ')" "$(echo "$t2 - $t1" | bc)" \
      "$(q "SELECT n FROM message_counts WHERE mailing_id = $mid AND status = message_status('delivered')")" \
      "$(curl -s "http://127.0.0.1:$h_port/metrics" | awk '/^herald_dlr_reports_total/ && $2 > 0 { sub(/.*outcome="/, "", $1); sub(/".*/, "", $1); printf "%s %s, ", $1, $2 }
          /^herald_http_request_seconds_(sum|count)\{route="\/api\/v1\/providers\/\{id\}\/dlr"/ { v[$1 ~ /_sum/] = $2 }
          END { if (v[0]) printf "%.2f ms a request in herald", v[1] / v[0] * 1000 }')"
  fi
  printf 'bench: dispatch %7d recipients%s run %d: start %5.2f s, %6d msg/s (%d sent in %.1f s), cpu per message herald %s us + postgres %s us + fakeprobe %s us (the machine busy %s us: %s cores), herald peak RSS %s MiB, duplicates %s (load before %s)\n' \
    "$size" "$([[ $text == "$PLAIN_TEXT" ]] || echo ' (personal)')" "$2" "$R_START" "$R_RATE" "$sent" "$dur" "$R_HUS" "$R_PUS" "$R_FUS" \
    "$R_MUS" "$(awk -v u="$R_MUS" -v r="$R_RATE" 'BEGIN { printf "%.2f", u * r / 1e6 }')" "$R_RSS" "$R_DUP" "$R_LOAD"
}

declare -A PLAIN_START PLAIN_RATE PLAIN_HUS PLAIN_PUS
for size in "${SIZES[@]}"; do
  rates=() starts=() pus=() hus=() fus=() mus=() rss=()
  for ((run = 1; run <= RUNS; run++)); do
    one_run "$size" "$run"
    rates+=("$R_RATE"); starts+=("$R_START"); pus+=("$R_PUS"); hus+=("$R_HUS"); fus+=("$R_FUS"); mus+=("$R_MUS"); rss+=("$R_RSS")
    [[ $run -lt $RUNS || $size != "${SIZES[-1]}" ]] && stop_procs
  done
  PLAIN_START[$size]=$(median <<<"${starts[*]}") PLAIN_RATE[$size]=$(median <<<"${rates[*]}")
  PLAIN_HUS[$size]=$(median <<<"${hus[*]}") PLAIN_PUS[$size]=$(median <<<"${pus[*]}")
  printf 'bench: dispatch %7d recipients, median of %d: %s msg/s [target >= 25000]; start %.2f s%s; cpu per message herald %s us + postgres %s us + fakeprobe %s us (the machine busy %s us); herald peak RSS %s MiB [target <= 64 MiB]\n' \
    "$size" "$RUNS" "$(median <<<"${rates[*]}")" "$(median <<<"${starts[*]}")" \
    "$([[ $size -ge 1000000 ]] && echo ' [target <= 5 s]')" "$(median <<<"${hus[*]}")" "$(median <<<"${pus[*]}")" \
    "$(median <<<"${fus[*]}")" "$(median <<<"${mus[*]}")" "$(median <<<"${rss[*]}")"
done

# Deleting the last mailing through the API (its messages go with it), as an admin would.
token=$(env DATABASE_URL="$DB" HERALD_ROOT="$ROOT" HERALD_LOG_DIR="$OWN_TMP" "$ROOT/build/herald" token create bench_dispatch 2>/dev/null)
out=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' -X DELETE -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$R_PORT/api/v1/mailings/$R_MID")
printf 'bench: dispatch DELETE /api/v1/mailings/{id} of %s messages answered %s in %s s   [target: well inside nginx proxy_read_timeout 60 s]\n' \
  "$R_SENT" "${out%% *}" "${out#* }"
stop_procs
[[ -n "${BENCH_PLAIN_ONLY:-}" ]] && exit 0

# Personal texts beside plain ones of the same size.
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.0f %%", (a - b) / b * 100 }'; }
for size in ${BENCH_PERSONAL_SIZES:-${SIZES[-1]}}; do
  [[ -n "${PLAIN_START[$size]:-}" ]] || { echo "bench: dispatch personal size $size is not one of BENCH_SIZES" >&2; exit 2; }
  rates=() starts=() pus=() hus=()
  for ((run = 1; run <= RUNS; run++)); do
    one_run "$size" "$run" "$PERSONAL_TEXT"
    rates+=("$R_RATE"); starts+=("$R_START"); pus+=("$R_PUS"); hus+=("$R_HUS")
    stop_procs
  done
  start=$(median <<<"${starts[*]}") rate=$(median <<<"${rates[*]}") hu=$(median <<<"${hus[*]}") pu=$(median <<<"${pus[*]}")
  printf 'bench: dispatch %7d recipients, personal texts, median of %d: start %.2f s (%s against plain) [target <= +20 %%]; %s msg/s (%s); cpu per message herald %s us (%s) + postgres %s us (%s)\n' \
    "$size" "$RUNS" "$start" "$(pct "$start" "${PLAIN_START[$size]}")" "$rate" "$(pct "$rate" "${PLAIN_RATE[$size]}")" \
    "$hu" "$(pct "$hu" "${PLAIN_HUS[$size]}")" "$pu" "$(pct "$pu" "${PLAIN_PUS[$size]}")"
done

# What routing and webhooks cost (issue 14: less than 10 % of the dispatch throughput): mailings
# of BENCH_COST_SIZE (default the smallest size) plain, routed between two providers
# (BENCH_PROVIDERS=2), and with the mailings' user subscribed to message.sent (every message an
# event, held back while the mailing sends, HERALD_WEBHOOK_DEFER_MS; after the mailing, the run
# waits for every event to be delivered and measures that too), run by turns RUNS times, so
# that a machine that slows down during the bench weighs on the three alike; each median beside
# the plain one of the same turns. The receiver (a fakeprobe of its own, POST /hook, checking
# each delivery's signature) stands for the customer's machine: it runs at the lowest priority,
# so that it takes what the two cores have left rather than herald's share, and in C, so that
# what it takes is small beside herald's (node's http server took 82 us of CPU an event, 8 % of
# the two cores during a run).
cost_size=${BENCH_COST_SIZE:-${SIZES[0]}}
rx_port=$(free_port)
spawn nice -n 19 "$ROOT/build/fakeprobe" --listen 127.0.0.1:$rx_port --webhook-secret bench-webhook-secret >"$OWN_TMP/receiver.out" 2>&1
rx_pid=$!
wait_http "http://127.0.0.1:$rx_port/stats"
declare -A C_RATE C_HUS C_PUS
C_LAG='' C_DHUS='' C_DPUS=
rx_count() { curl -s "http://127.0.0.1:$rx_port/stats" | sed -n 's/.*"webhooks":\([0-9]*\).*/\1/p'; }
for ((run = 1; run <= RUNS; run++)); do
  for kind in plain routed webhook; do
    [[ $kind == webhook ]] && q "INSERT INTO webhooks (user_id, url, events, secret) SELECT id,
      'http://127.0.0.1:$rx_port/hook', '{message.sent}', 'bench-webhook-secret' FROM users WHERE username = 'bench_dispatch'" >/dev/null
    rx0=$(rx_count)
    BENCH_PROVIDERS=$([[ $kind == routed ]] && echo 2 || echo 1) one_run "$cost_size" "$run"
    C_RATE[$kind]+="$R_RATE " C_HUS[$kind]+="$R_HUS " C_PUS[$kind]+="$R_PUS "
    if [[ $kind == webhook ]]; then   # the events held back while sending, delivered after it
      t_end=$(q "SELECT extract(epoch FROM max(sent_at)) FROM messages WHERE mailing_id = $R_MID")
      h0=$(ticks "$R_HPID") p0=$(ticks $(pg_pids))
      for _ in $(seq 1200); do   # the receiver's count: polling PostgreSQL would add to its CPU
        [[ $(rx_count) -ge $((rx0 + R_SENT)) ]] && break
        nap 0.1
      done
      C_LAG+="$(echo "$(date +%s.%N) - $t_end" | bc) "
      C_DHUS+="$(us_each $(($(ticks "$R_HPID") - h0)) "$R_SENT") "
      C_DPUS+="$(us_each $(($(ticks $(pg_pids)) - p0)) "$R_SENT") "
    fi
    stop_procs
    q "DELETE FROM webhooks" >/dev/null
  done
done
rx_stats=$(curl -s "http://127.0.0.1:$rx_port/stats") rx_got=$(rx_count) rx_ticks=$(ticks "$rx_pid")
kill "$rx_pid" && wait "$rx_pid" 2>/dev/null || true
plain=$(median <<<"${C_RATE[plain]}")
for kind in routed webhook; do
  rate=$(median <<<"${C_RATE[$kind]}")
  printf 'bench: dispatch %7d recipients, %s, median of %d by turns: %s msg/s = %s of plain %s msg/s [target >= 0.90]; cpu per message herald %s us + postgres %s us (plain %s + %s)\n' \
    "$cost_size" "$([[ $kind == routed ]] && echo 'routed between two providers' || echo 'a webhook of every message sent')" \
    "$RUNS" "$rate" "$(awk -v a="$rate" -v b="$plain" 'BEGIN { printf "%.2f", a / b }')" "$plain" \
    "$(median <<<"${C_HUS[$kind]}")" "$(median <<<"${C_PUS[$kind]}")" "$(median <<<"${C_HUS[plain]}")" "$(median <<<"${C_PUS[plain]}")"
done
echo "bench: dispatch webhooks: the receiver got $rx_got events over the $RUNS runs, $(sed -n 's/.*"webhooks_unsigned":\([0-9]*\).*/\1/p' <<<"$rx_stats") of them badly signed, at $(us_each "$rx_ticks" "$rx_got") us of its CPU an event; held back while the mailing sent (HERALD_WEBHOOK_DEFER_MS), all of a run's were delivered $(median <<<"$C_LAG") s after its last message was sent, at herald $(median <<<"$C_DHUS") us + postgres $(median <<<"$C_DPUS") us of CPU an event (medians)"
