#!/usr/bin/env bash
# make bench: the figures of DESIGN.md "Performance targets", against a throw-away PostgreSQL
# cluster (fsync on, as in production; synchronous_commit off as scripts/pg.sh sets) and one
# herald with default settings. One function per figure; each prints one "bench: ..." line.
# Later sections (dispatch, admin, SMPP) append their own bench_* function and add it to
# FIGURES at the bottom.
#
# HTTP figures come from Debian's wrk with WRK_ARGS (default -t2 -c32 -d10s, against 200,000
# clients: how issue 10 measured GET /api/v1/clients): on this 2-core machine wrk competes with
# herald and PostgreSQL for the same cores, and other work on the machine (see the load average
# printed with each figure) lowers every figure.
source "$(dirname "$0")/../../tests/lib.sh"
source "$ROOT/tools/bench/measure.sh"
cd "$ROOT"
WRK_ARGS=${WRK_ARGS:-"-t2 -c32 -d10s"}
BENCH_CLIENTS=${BENCH_CLIENTS:-200000}

psql_q() { psql "$DATABASE_URL" -qtAX -v ON_ERROR_STOP=1 "$@"; }
load() { cut -d' ' -f1 /proc/loadavg; }

# wrk_once URL [wrk args...]: one wrk run; prints "req/s p50 p99 herald-us postgres-us", the
# CPU time herald and PostgreSQL spent per request (the figure that other load on the machine
# does not change); fails when a response was not 2xx.
wrk_once() {
  local url=$1; shift
  local h0 p0 out reqs bad
  h0=$(ticks "$HERALD_PID")
  p0=$(ticks $(pg_pids))
  out=$(wrk $WRK_ARGS --latency -H "Authorization: Bearer $BENCH_TOKEN" "$@" "$url")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  if [[ -n "$bad" ]]; then echo "bench: ${url#"$BASE"}: $bad responses were not 2xx" >&2; return 1; fi
  awk -v h="$(us_each $(($(ticks "$HERALD_PID") - h0)) "$reqs")" -v p="$(us_each $(($(ticks $(pg_pids)) - p0)) "$reqs")" '
    /^Requests\/sec:/ { rps = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
    END { printf "%d %s %s %s %s\n", rps, p50, p99, h, p }' <<<"$out"
}

# median_run RUN...: the run (wrk_once's line) of the median req/s; runs_rps RUN...: their
# req/s in the order they ran.
median_run() { printf '%s\n' "$@" | sort -n -k1,1 | awk -v m=$((($# + 1) / 2)) 'NR == m'; }
runs_rps() { printf '%s\n' "$@" | awk '{ printf "%s%d", (NR > 1 ? ", " : ""), $1 }'; }

# wrk_line LABEL URL [wrk args...]: BENCH_RUNS (3) wrk runs; prints the median of their req/s
# (also left in WRK_RPS), p50, p99 and CPU per request of herald and PostgreSQL, with every
# run's req/s. BENCH_PHONE_RUN is the run's number (post_client.lua's phones differ by it).
BENCH_RUNS=${BENCH_RUNS:-3}
wrk_line() {
  local label=$1 url=$2; shift 2
  local i first=$((RANDOM % 1000)) runs=() p50 p99 hus pus
  for ((i = 0; i < BENCH_RUNS; i++)); do
    runs+=("$(BENCH_PHONE_RUN=$(((first + i) % 1000)) wrk_once "$url" "$@")") || return 1
  done
  read -r WRK_RPS p50 p99 hus pus <<<"$(median_run "${runs[@]}")"
  echo "bench: $label  $WRK_RPS req/s, median of $BENCH_RUNS ($(runs_rps "${runs[@]}"); wrk $WRK_ARGS, p50 $p50, p99 $p99; cpu per request: herald $hus us + postgres $pus us = $(awk -v u=$((hus + pus)) -v c="$(nproc)" 'BEGIN { printf "%d", c * 1e6 / u }') req/s on $(nproc) idle cores without wrk; load before ${LOAD_BEFORE})"
}

bench_setup() {
  start_pg
  export HERALD_LOG_DIR=$TMP/logs
  build/herald migrate >"$TMP/migrate.log" 2>&1 || { cat "$TMP/migrate.log"; exit 1; }
  echo "bench-password" | build/herald user create bench --role admin 2>/dev/null
  BENCH_TOKEN=$(build/herald token create bench 2>/dev/null)
  export BENCH_TOKEN
  start_herald bench
  HERALD_PID=${PIDS[-1]}
  BASE=$HERALD_URL_BENCH
}

# BENCH_CLIENTS clients (phones 7000xxxxxxx, operators 000..009), a tenth of them tagged.
bench_seed_clients() {
  local t0=$EPOCHREALTIME
  psql_q <<SQL
INSERT INTO tags (name) VALUES ('bench') ON CONFLICT DO NOTHING;
INSERT INTO operators (code) SELECT lpad(n::text, 3, '0') FROM generate_series(0, 9) n ON CONFLICT DO NOTHING;
INSERT INTO clients (phone, operator_code, tag_id, timezone)
SELECT '7' || lpad(g::text, 10, '0'), lpad((g % 10)::text, 3, '0'),
       CASE WHEN g % 10 = 0 THEN (SELECT id FROM tags WHERE name = 'bench') END, 'Europe/Moscow'
  FROM generate_series(1, $BENCH_CLIENTS) g;
VACUUM ANALYZE clients;
SQL
  printf 'bench: seeded %d clients in %.2f s (one INSERT ... SELECT)\n' "$BENCH_CLIENTS" "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
}

bench_get_clients() {
  LOAD_BEFORE=$(load)
  wrk_line "GET /api/v1/clients?limit=50 [target >= 15000 req/s]" "$BASE/api/v1/clients?limit=50"
}

# herald's audit figure series (herald_audit_rows_total{result="stored"}, ...) from /metrics.
audit_metric() {
  curl -sS "$BASE/metrics" | awk -v s="$1" 'index($0, s " ") == 1 { print $2 }'
}

bench_post_clients() {
  LOAD_BEFORE=$(load)
  local r0; r0=$(audit_metric 'herald_audit_rows_total{result="stored"}')
  wrk_line "POST /api/v1/clients [target >= 8000 req/s]" "$BASE/api/v1/clients" \
    -s "$ROOT/tools/bench/post_client.lua"
  echo "bench: POST /api/v1/clients: $(($(audit_metric 'herald_audit_rows_total{result="stored"}') - r0)) history rows stored"
}

# POST /api/v1/clients/bulk with 100,000 new clients; the same phones again with another
# timezone (100,000 updates); then that array once more (nothing changes, nothing is written).
bench_bulk_clients() {
  local zone run out secs
  for zone in Asia/Omsk Asia/Tomsk; do
    awk -v zone="$zone" 'BEGIN { printf "["; for (i = 0; i < 100000; i++) printf "%s{\"phone\":\"7100%07d\",\"tag\":\"bulk%d\",\"timezone\":\"%s\"}", (i ? "," : ""), i, i % 100, zone; printf "]" }' >"$TMP/bulk-${zone#*/}.json"
  done
  for run in Omsk:create Tomsk:update Tomsk:unchanged; do
    LOAD_BEFORE=$(load)
    out=$(curl -sS -o "$TMP/bulk.out" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $BENCH_TOKEN" \
      -H 'Content-Type: application/json' --data-binary @"$TMP/bulk-${run%:*}.json" "$BASE/api/v1/clients/bulk")
    [[ ${out%% *} == 200 ]] || { echo "bench: bulk answered ${out%% *}: $(head -c 300 "$TMP/bulk.out")" >&2; return 1; }
    secs=${out#* }
    echo "bench: POST /api/v1/clients/bulk 100,000 items (${run#*:})  ${secs} s  $(head -c 80 "$TMP/bulk.out") (load before $LOAD_BEFORE)"
  done
}

# A filtered list right after 100,000 clients were imported into one new tag (their ids all
# after the others'), against the unfiltered list: the filtered page must stay on its index,
# whatever statistics the planner has (issue 16: 190 req/s before). The two take BENCH_RUNS
# wrk runs by turns, so that the vacuum and ANALYZE the import sets off weigh on both alike.
bench_filtered_after_import() {
  awk 'BEGIN { printf "["; for (i = 0; i < 100000; i++) printf "%s{\"phone\":\"7200%07d\",\"tag\":\"soak\"}", (i ? "," : ""), i; printf "]" }' >"$TMP/soak.json"
  local out; out=$(curl -sS -o "$TMP/bulk.out" -w '%{http_code}' -H "Authorization: Bearer $BENCH_TOKEN" \
    -H 'Content-Type: application/json' --data-binary @"$TMP/soak.json" "$BASE/api/v1/clients/bulk")
  [[ $out == 200 ]] || { echo "bench: bulk answered $out: $(head -c 300 "$TMP/bulk.out")" >&2; return 1; }
  LOAD_BEFORE=$(load)
  local i f=() u=()
  for ((i = 0; i < BENCH_RUNS; i++)); do
    f+=("$(wrk_once "$BASE/api/v1/clients?limit=50&tag=soak")") || return 1
    u+=("$(wrk_once "$BASE/api/v1/clients?limit=50")") || return 1
  done
  local fr ff fp ur uf up
  read -r fr _ _ ff fp <<<"$(median_run "${f[@]}")"
  read -r ur _ _ uf up <<<"$(median_run "${u[@]}")"
  awk -v f="$fr" -v u="$ur" 'BEGIN { printf "bench: filtered list after an import  %d req/s = %.2f of the unfiltered %d req/s [target >= half of the unfiltered rate]", f, f / u, u }'
  echo " (medians of $BENCH_RUNS wrk runs by turns: ?tag=soak $(runs_rps "${f[@]}"), unfiltered $(runs_rps "${u[@]}"); cpu per request herald + postgres $ff + $fp us against $uf + $up us; load before $LOAD_BEFORE)"
}

# The HTTP figures' herald stops and their database is vacuumed before the dispatch figures: an
# idle herald still polls, and autovacuum after the bulk imports would otherwise run beside the
# mailings and take a share of the two cores.
bench_api_done() {
  kill "$HERALD_PID" 2>/dev/null && wait "$HERALD_PID" 2>/dev/null || true
  psql_q -c 'VACUUM ANALYZE'
}

# Dispatch of mailings of 50,000, 200,000 and 1,000,000 recipients to fakeprobe, three runs each:
# its own database in this cluster (tools/bench/dispatch.sh, which also runs alone).
bench_dispatch() {
  "$ROOT/tools/bench/dispatch.sh"
}

# The exactly-once sweep: provider latency x concurrency x instances, no message twice
# (tools/bench/delivery.sh, which also runs alone).
bench_delivery() {
  "$ROOT/tools/bench/delivery.sh"
}

# SMPP ingest: submit_sm stored per second, window 10 over several binds (its own cluster;
# tools/bench/smpp.sh also runs alone).
bench_smpp() {
  "$ROOT/tools/bench/smpp.sh"
}

# admin_list_median LABEL URL: signs in as bench (cookie jar), follows the list's "Next page"
# links from URL to the middle page (at most ADMIN_BENCH_PAGES pages on), then prints the median
# and p90 time of 100 GETs of that page. Prints "skipped" when the page answers 404.
ADMIN_BENCH_PAGES=${ADMIN_BENCH_PAGES:-100}
admin_list_median() {
  local label=$1 url=$2 jar=$TMP/admin.cookies code next i
  rm -f "$jar"
  curl -sS -o /dev/null -c "$jar" -d 'username=bench&password=bench-password' "$BASE/admin/login"
  code=$(curl -sS -o "$TMP/admin.html" -w '%{http_code}' -b "$jar" "$url")
  if [[ $code == 404 ]]; then echo "bench: $label  skipped: ${url#"$BASE"} not present"; return 0; fi
  [[ $code == 200 ]] || { echo "bench: $label answered $code: $(head -c 300 "$TMP/admin.html")" >&2; return 1; }
  for ((i = 0; i < ADMIN_BENCH_PAGES; i++)); do
    next=$(grep -o 'href="[^"]*" rel="next"' "$TMP/admin.html" | head -1 | sed 's/^href="//; s/" rel="next"$//; s/&#61;/=/g; s/&#x2F;/\//g; s/&amp;/\&/g')
    [[ -n "$next" ]] || break
    url=$BASE$next
    curl -sS -o "$TMP/admin.html" -b "$jar" "$url"
  done
  LOAD_BEFORE=$(load)
  for ((i = 0; i < 100; i++)); do
    curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' -b "$jar" "$url"
  done >"$TMP/admin.times"
  if grep -qv '^200 ' "$TMP/admin.times"; then echo "bench: $label: not every answer was 200" >&2; return 1; fi
  sort -k2 -n "$TMP/admin.times" | awk -v label="$label" -v pages="$i" -v path="${url#"$BASE"}" -v load="$LOAD_BEFORE" \
    '{ t[NR] = $2 } END { printf "bench: %s  median %.1f ms, p90 %.1f ms (100 GETs of page %d: %s; target <= 10 ms; load before %s)\n",
       label, t[50] * 1000, t[90] * 1000, pages + 1, path, load }'
}

# The admin clients list with BENCH_CLIENTS clients: a tag filter and a page in the middle.
bench_admin_clients() {
  admin_list_median "GET /admin/clients/ (tag filter, middle page)" "$BASE/admin/clients/?tag=bench"
}

# BENCH_ONLY="bench_seed_clients bench_filtered_after_import" runs those figures alone (after bench_setup).
FIGURES=(bench_setup bench_seed_clients bench_get_clients bench_post_clients bench_bulk_clients bench_filtered_after_import bench_admin_clients bench_api_done bench_dispatch bench_delivery bench_smpp)
[[ -n "${BENCH_ONLY:-}" ]] && read -ra FIGURES <<<"bench_setup $BENCH_ONLY"
for f in "${FIGURES[@]}"; do "$f"; done
