#!/usr/bin/env bash
# tests/deploy/nginx_import.sh — the admin's CSV import behind herald's nginx configuration
# (rendered onto loopback, TLS off): a 10 MiB upload passes and is imported, nginx's own
# refusals on admin paths are HTML pages (413 for a body over a path's limit), and the API's
# stay problem+json. Run by tests/run.sh (DATABASE_URL set, user t_operator created); prints
# TAP lines.
source "$(dirname "$0")/../lib.sh"
source "$ROOT/tests/deploy/nginx.lib"
cd "$ROOT"
: "${DATABASE_URL:?run by tests/run.sh (make test)}"
N=$TMP/nginx

start_herald a
PORT_A=${HERALD_URL_A##*:} HTTP_PORT=$(free_port)
nginx_prepare "$N" HERALD_UPSTREAMS="127.0.0.1:$PORT_A" NGINX_TLS=off NGINX_HTTP_LISTEN="127.0.0.1:$HTTP_PORT"
nginx_start "$N"
URL=http://127.0.0.1:$HTTP_PORT
wait_http "$URL/healthz"

# The session cookie of t_operator, and a CSRF token of the import page.
COOKIE=$(curl -sS -D - -o /dev/null -d 'username=t_operator&password=password-operator' "$URL/admin/login" |
         sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -1)
CSRF=$(curl -sS -H "Cookie: $COOKIE" "$URL/admin/clients/import" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)

# A prefix of 6 digits no client has; 10,000 clients of it, each row padded with an ignored
# column to make a file of 10 MiB less the form around it.
PREFIX=$(psql "$DATABASE_URL" -qtAc "SELECT p FROM (SELECT '79' || lpad(n::text, 4, '0') p
  FROM generate_series(0, 9999) n ORDER BY random()) s
  WHERE NOT EXISTS (SELECT 1 FROM clients WHERE phone LIKE p || '%') LIMIT 1")
TAG=nginx-import-$RANDOM$RANDOM
/usr/bin/python3 - "$TMP/big.csv" "$PREFIX" "$TAG" <<'PY'
import sys
path, prefix, tag = sys.argv[1:]
size = 10 * 1024 * 1024 - 4096
head = "phone,tag,created_at\r\n"
row = len(prefix) + 5 + 1 + len(tag) + 1 + 2
pad = (size - len(head)) // 10000 - row
with open(path, "w") as f:
    f.write(head)
    for i in range(10000):
        f.write("%s%05d,%s,%s\r\n" % (prefix, i, tag, "x" * pad))
PY

upload_10mib() {
  local size out code location i page
  size=$(stat -c %s "$TMP/big.csv")
  (( size > 10 * 1024 * 1024 - 8192 )) || { echo "# the file has $size bytes"; return 1; }
  out=$(curl -sS -o "$TMP/up.html" -w '%{http_code} %{redirect_url}' -H "Cookie: $COOKIE" \
        -F "csrf_token=$CSRF" -F "file=@$TMP/big.csv;type=text/csv" "$URL/admin/clients/import")
  code=${out%% *} location=${out#* }
  [[ $code == 303 && $location == "$URL/admin/clients/import/"*"?done=queued" ]] ||
    { echo "# $out"; head -c 300 "$TMP/up.html"; return 1; }
  for ((i = 0; i < 600; i++)); do
    page=$(curl -sS -H "Cookie: $COOKIE" "${location%%\?*}")
    grep -q 'data-status="done"' <<<"$page" && break
    sleep 0.2
  done
  grep -q 'data-n="created">10000<' <<<"$page" || { echo "# $(grep -o 'data-[a-z]*="[a-z]*">[^<]*' <<<"$page" | tr '\n' ' ')"; return 1; }
  [[ $(psql "$DATABASE_URL" -qtAc "SELECT count(*) FROM clients c JOIN tags t ON t.id = c.tag_id
       WHERE t.name = '$TAG'") == 10000 ]]
}
ok "a 10 MiB CSV upload through nginx is stored and imported" upload_10mib

too_large_admin() {
  local out
  head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$TMP/2m"
  out=$(curl -sS -o "$TMP/b" -w '%{http_code} %{content_type}' -H "Cookie: $COOKIE" \
        --data-binary "@$TMP/2m" "$URL/admin/clients/add")
  [[ $out == "413 text/html; charset=utf-8" ]] && grep -q '<h1>The upload is too large</h1>' "$TMP/b" ||
    { echo "# $out"; head -c 300 "$TMP/b"; return 1; }
}
ok "2 MiB to an admin form: 413 as an HTML page from nginx" too_large_admin

too_large_import() {
  local out
  head -c $((66 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$TMP/66m"
  out=$(curl -sS -o "$TMP/b" -w '%{http_code} %{content_type}' -H "Cookie: $COOKIE" \
        -F "csrf_token=$CSRF" -F "file=@$TMP/66m;type=text/csv" "$URL/admin/clients/import")
  rm -f "$TMP/66m"
  [[ $out == "413 text/html; charset=utf-8" ]] && grep -q 'a CSV import takes a file of up to 64 MiB' "$TMP/b" ||
    { echo "# $out"; head -c 300 "$TMP/b"; return 1; }
}
ok "66 MiB to the import: 413 as an HTML page from nginx" too_large_import

too_large_api() {
  local out
  out=$(curl -sS -o "$TMP/b" -w '%{http_code} %{content_type}' -H 'Content-Type: application/json' \
        --data-binary "@$TMP/2m" "$URL/api/v1/operators")
  [[ $out == "413 application/problem+json" ]] || { echo "# $out"; return 1; }
}
ok "2 MiB to the API: 413 stays problem+json" too_large_api

tap_done
