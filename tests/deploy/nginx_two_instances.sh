#!/usr/bin/env bash
# tests/deploy/nginx_two_instances.sh — herald's nginx configuration (TLS on, rendered onto
# loopback ports) in front of two herald instances on the same database: the API through nginx,
# X-Request-Id, assets with gzip and cache headers, body limits, the login rate limit, and
# failover when one instance is killed with SIGKILL. With the mailing engine built, a mailing
# created through nginx after the kill is delivered by the surviving instance.
# Run by tests/run.sh (DATABASE_URL and the test tokens set); prints TAP lines.
source "$(dirname "$0")/../lib.sh"
source "$ROOT/tests/deploy/nginx.lib"
cd "$ROOT"
: "${DATABASE_URL:?}" "${HERALD_TEST_TOKEN_OPERATOR:?run by tests/run.sh (make test)}"
TOK=$HERALD_TEST_TOKEN_OPERATOR
N=$TMP/nginx

start_herald a
start_herald b
PID_A=${PIDS[0]}
PORT_A=${HERALD_URL_A##*:} PORT_B=${HERALD_URL_B##*:}
HTTP_PORT=$(free_port) HTTPS_PORT=$(free_port)
mkdir -p "$N" && self_signed "$N"
nginx_prepare "$N" HERALD_UPSTREAMS="127.0.0.1:$PORT_A 127.0.0.1:$PORT_B" NGINX_TLS=on \
  NGINX_HTTP_LISTEN="127.0.0.1:$HTTP_PORT" NGINX_HTTPS_LISTEN="127.0.0.1:$HTTPS_PORT" \
  NGINX_HTTPS_PUBLIC_PORT="$HTTPS_PORT" NGINX_TLS_CERT="$N/cert.pem" NGINX_TLS_KEY="$N/key.pem" \
  NGINX_LOGIN_RATE=6r/m NGINX_LOGIN_BURST=3
nginx_start "$N"
URL=https://127.0.0.1:$HTTPS_PORT

# req ARGS...: curl against nginx, trusting the test certificate.
req() { curl -sS --cacert "$N/cert.pem" --max-time 15 "$@"; }
code() { req -o /dev/null -w '%{http_code}' "$@"; }
api() {  # api METHOD PATH [JSON]: prints the body; status in $TMP/status
  local m=$1 p=$2
  shift 2
  req -X "$m" -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
    ${1:+--data-binary "$1"} -o "$TMP/body" -w '%{http_code}' "$URL$p" >"$TMP/status"
  cat "$TMP/body"
}
status() { cat "$TMP/status"; }
json() { /usr/bin/python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[int(k)] if isinstance(v,list) else v[k]
print(v)' "$1"; }
# in_herald_logs TEXT: TEXT shows up in an instance's log within 2 s (herald logs a request
# right after it queued the response).
in_herald_logs() {
  local i
  for ((i = 0; i < 20; i++)); do
    cat "$TMP"/logs-a/herald.log "$TMP"/logs-b/herald.log 2>/dev/null | grep -qF "$1" && return 0
    sleep 0.1
  done
  return 1
}
fresh_codes() {  # fresh_codes N: N operator codes nobody uses
  psql "$DATABASE_URL" -qtAc "SELECT lpad(n::text, 3, '0') FROM generate_series(100, 999) n
    WHERE lpad(n::text, 3, '0') NOT IN (SELECT code FROM operators) ORDER BY random() LIMIT $1"
}

for ((i = 0; i < 100; i++)); do [[ $(code "$URL/healthz" 2>/dev/null) == 200 ]] && break; sleep 0.1; done

redirect() {
  local out
  out=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$HTTP_PORT/api/v1/operators?limit=1")
  [[ $out == "301 https://127.0.0.1:$HTTPS_PORT/api/v1/operators?limit=1" ]] || { echo "# $out"; false; }
}
ok "HTTP redirects to HTTPS" redirect

healthz() {
  req -D "$TMP/h" -o "$TMP/b" "$URL/healthz" && grep -q '"status":"ok"' "$TMP/b" &&
  grep -qi '^Strict-Transport-Security: max-age=63072000' "$TMP/h"
}
ok "GET /healthz through nginx: 200 ok, with HSTS" healthz

mapfile -t CODES < <(fresh_codes 3)
LONG_NAME="deploy test, a name long enough that the list of three is worth compressing: $RANDOM"
create_operators() {
  local c n=0
  for c in "${CODES[@]}"; do
    api POST /api/v1/operators "{\"code\":\"$c\",\"name\":\"$LONG_NAME\"}" >/dev/null
    [[ $(status) == 201 ]] && n=$((n + 1))
  done
  [[ ${#CODES[@]} -eq 3 && $n -eq 3 ]]
}
ok "POST /api/v1/operators through nginx: 201 for each" create_operators

list_operators() {
  local c list
  req -H "Authorization: Bearer $TOK" -H 'Accept-Encoding: gzip' -D "$TMP/h" -o "$TMP/list.gz" \
    "$URL/api/v1/operators?limit=1000" && grep -qi '^Content-Encoding: gzip' "$TMP/h" || return 1
  list=$(gunzip -c "$TMP/list.gz") || return 1
  for c in "${CODES[@]}"; do grep -Eq "\"code\" ?: ?\"$c\"" <<<"$list" || return 1; done
}
ok "GET /api/v1/operators through nginx lists them, gzipped" list_operators

request_id_generated() {
  local id
  id=$(req -D - -o /dev/null -H "Authorization: Bearer $TOK" "$URL/api/v1/operators/${CODES[0]}" |
       sed -n 's/^[Xx]-[Rr]equest-[Ii]d: \([^\r]*\).*/\1/p')
  # 32 hex digits is nginx's $request_id (herald's own ids are 16): herald kept what nginx sent.
  [[ $id =~ ^[0-9a-f]{32}$ ]] && grep -q "\"request_id\":\"$id\"" "$N/access.log" &&
  in_herald_logs "\"request_id\":\"$id\""
}
ok "X-Request-Id made by nginx reaches herald's log and comes back" request_id_generated

request_id_passthrough() {
  local mine got bad
  mine=deploy-$RANDOM-$RANDOM
  got=$(req -D - -o /dev/null -H "X-Request-Id: $mine" -H "Authorization: Bearer $TOK" \
        "$URL/api/v1/operators/${CODES[0]}" | sed -n 's/^[Xx]-[Rr]equest-[Ii]d: \([^\r]*\).*/\1/p')
  bad=$(req -D - -o /dev/null -H 'X-Request-Id: not valid!' "$URL/healthz" |
        sed -n 's/^[Xx]-[Rr]equest-[Ii]d: \([^\r]*\).*/\1/p')
  [[ $got == "$mine" && $bad =~ ^[0-9a-f]{32}$ ]] && grep -q "\"request_id\":\"$mine\"" "$N/access.log" &&
  in_herald_logs "\"request_id\":\"$mine\""
}
ok "a valid incoming X-Request-Id passes through, an invalid one is replaced" request_id_passthrough

both_upstreams() {
  local i
  for ((i = 0; i < 6; i++)); do code "$URL/healthz" >/dev/null; done
  grep -q "\"upstream\":\"127.0.0.1:$PORT_A\"" "$N/access.log" &&
  grep -q "\"upstream\":\"127.0.0.1:$PORT_B\"" "$N/access.log"
}
ok "requests are spread over both instances" both_upstreams

assets() {
  req -H 'Accept-Encoding: gzip' -D "$TMP/h" -o "$TMP/b.gz" "$URL/assets/vendor/htmx.min.js" &&
  grep -qi '^Content-Encoding: gzip' "$TMP/h" && grep -qi '^ETag: ' "$TMP/h" &&
  grep -qi '^Cache-Control: public, max-age=3600' "$TMP/h" &&
  gunzip -c "$TMP/b.gz" | cmp -s - assets/vendor/htmx.min.js &&
  req -D - -o /dev/null "$URL/assets/vendor/htmx.min.js?v=1" | grep -qi '^Cache-Control: .*immutable'
}
ok "assets served by nginx: gzip, ETag, Cache-Control (immutable when versioned)" assets

metrics() {
  # into a file first: grep -q leaving early would fail curl (SIGPIPE) under pipefail
  req -o "$N/metrics.txt" "$URL/metrics" && grep -q '^herald_http_requests_total' "$N/metrics.txt"
}
ok "GET /metrics from loopback through nginx" metrics

head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$TMP/2mb.json"
too_large() {
  local c
  c=$(req -o "$TMP/b" -w '%{http_code} %{content_type}' -H "Authorization: Bearer $TOK" \
      -H 'Content-Type: application/json' --data-binary @"$TMP/2mb.json" "$URL/api/v1/operators")
  [[ $c == "413 application/problem+json" ]] && grep -q '"status":413' "$TMP/b"
}
ok "2 MiB body to /api/v1/operators: 413 problem+json from nginx" too_large


login_limit() {
  local i c limited=0 first gets=0
  for ((i = 0; i < 8; i++)); do
    c=$(code -H 'Content-Type: application/x-www-form-urlencoded' -d 'username=x&password=y' "$URL/admin/login")
    ((i == 0)) && first=$c
    [[ $c == 429 ]] && limited=$((limited + 1))
  done
  for ((i = 0; i < 8; i++)); do [[ $(code "$URL/admin/login") == 429 ]] && gets=$((gets + 1)); done
  [[ $first != 429 && $limited -ge 3 && $gets -eq 0 ]] || { echo "# first $first, limited $limited, GET limited $gets"; false; }
}
ok "POST /admin/login is rate limited (429), GET is not" login_limit

oidc_limit() {
  local i c limited=0 first
  for ((i = 0; i < 8; i++)); do
    c=$(code "$URL/admin/oidc/login")
    ((i == 0)) && first=$c
    [[ $c == 429 ]] && limited=$((limited + 1))
  done
  [[ $first != 429 && $limited -ge 1 ]] || { echo "# first $first, limited $limited"; false; }
}
ok "GET /admin/oidc/login is rate limited per address (429)" oidc_limit

# --- one instance dies ---
{ kill -KILL "$PID_A"; wait "$PID_A"; } 2>/dev/null || true
sleep 0.3

failover_get() {
  local i bad=0
  for ((i = 0; i < 20; i++)); do
    [[ $(code -H "Authorization: Bearer $TOK" "$URL/api/v1/operators/${CODES[i % 3]}") == 200 ]] || bad=$((bad + 1))
    [[ $(code "$URL/healthz") == 200 ]] || bad=$((bad + 1))
  done
  [[ $bad -eq 0 ]] || { echo "# $bad failed requests"; false; }
}
ok "after SIGKILL of one instance, GETs through nginx all succeed" failover_get

mapfile -t MORE < <(fresh_codes 5)
failover_post() {
  local c n=0
  for c in "${MORE[@]}"; do
    api POST /api/v1/operators "{\"code\":\"$c\"}" >/dev/null
    [[ $(status) == 201 ]] && n=$((n + 1))
  done
  [[ ${#MORE[@]} -eq 5 && $n -eq 5 ]] || { echo "# $n of ${#MORE[@]} created"; false; }
}
ok "after SIGKILL, POSTs through nginx all succeed (connection refused is retried)" failover_post

retried() {
  grep -q "\"upstream\":\"127.0.0.1:$PORT_A, 127.0.0.1:$PORT_B\"" "$N/access.log"
}
ok "nginx retried on the surviving instance (access log shows both upstreams)" retried

# The mailing engine (roles scheduler and dispatch): a mailing created through nginx after the
# kill is started and delivered by the surviving instance (instance a, started first, was the
# likely scheduler leader; its advisory lock went with its database session).
mailing_failover() {
  local tag phones="" phone i id sent=0 body op base=$RANDOM
  tag=deploy$RANDOM$RANDOM
  # an operator of their own: a code taken from the phone could be one the cleanup deletes below
  op=$(fresh_codes 1)
  # 50 phones different by construction: two drawn at random in their own $(...) once came out
  # the same (49 clients for 50 items, the bulk call's created 49, in a sanitizer run)
  for ((i = 0; i < 50; i++)); do
    printf -v phone '7%05d%05d' "$base" "$i"
    phones+="${phones:+,}{\"phone\":\"$phone\",\"operator_code\":\"$op\",\"tag\":\"$tag\"}"
  done
  body=$(api POST /api/v1/clients/bulk "[$phones]")
  [[ $(status) == 200 || $(status) == 201 ]] || { echo "# bulk: $(status) $body"; return 1; }
  body=$(api POST /api/v1/mailings "{\"start_at\":\"$(date -u -d '-1 min' +%FT%TZ)\",
    \"end_at\":\"$(date -u -d '+10 min' +%FT%TZ)\",\"text\":\"deploy failover\",\"filter\":{\"tags\":[\"$tag\"]}}")
  [[ $(status) == 201 ]] || { echo "# mailing: $(status) $body"; return 1; }
  id=$(json id <<<"$body")
  for ((i = 0; i < 300; i++)); do
    body=$(api GET "/api/v1/mailings/$id")
    sent=$(json stats.sent <<<"$body" 2>/dev/null || echo 0)
    [[ $sent == 50 && $(json status <<<"$body") == finished ]] && return 0
    sleep 0.1
  done
  echo "# mailing $id: $body"
  false
}
# Whether this build has the scheduler role: serve checks --roles before it connects anywhere,
# and the unreachable database makes it stop right after.
probe=$(env DATABASE_URL="host=$TMP/no-such-socket dbname=none" HERALD_LOG_DIR="$TMP/probe" \
        timeout 10 build/herald serve --roles scheduler 2>&1 || true)
if [[ $probe == *"unknown role"* ]]; then
  tap_n=$((tap_n + 1))
  echo "ok $tap_n - mailing through nginx after SIGKILL # SKIP role scheduler not built yet"
else
  ok "mailing through nginx after SIGKILL is delivered by the surviving instance" mailing_failover
fi

cleanup_operators() {
  local c n=0
  for c in "${CODES[@]}" "${MORE[@]}"; do [[ $(api DELETE "/api/v1/operators/$c"; status) == 204 ]] && n=$((n + 1)); done
  [[ $n -eq 8 ]]
}
ok "DELETE through nginx removes the test operators" cleanup_operators

# Last: before the clients API exists herald answers this one early without reading the body,
# which nginx sees as a broken connection (a failure counted against that instance).
bulk_allowed() {
  local c id=deploy-bulk-$RANDOM
  c=$(code -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' -H "X-Request-Id: $id" \
      --data-binary @"$TMP/2mb.json" "$URL/api/v1/clients/bulk")
  # Proxied (an upstream address in the access log), so nginx's 16 MiB limit let it through.
  [[ $c != 413 ]] && grep "\"request_id\":\"$id\"" "$N/access.log" | grep -q '"upstream":"127.0.0.1:' ||
    { echo "# bulk: $c"; false; }
}
ok "2 MiB body to /api/v1/clients/bulk passes nginx (16 MiB limit)" bulk_allowed

tap_done
