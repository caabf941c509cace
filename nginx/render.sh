#!/bin/sh
# nginx/render.sh — renders herald's nginx configuration from the templates in this folder into
# $NGINX_CONF_DIR (herald.conf, to include in nginx's http block, and herald-app.inc). envsubst
# replaces only the variables below, so nginx's own $variables stay as they are.
# In docker-compose.yml the nginx image runs it from /docker-entrypoint.d/ before nginx starts;
# tests/deploy/ run it with loopback ports. Settings (environment, defaults in brackets):
#   HERALD_UPSTREAMS     herald instances, host:port separated by spaces     [herald:8080]
#   HERALD_STATIC_ROOT   folder that holds assets/                          [/srv/herald]
#   NGINX_TLS            on: HTTPS server + redirect from HTTP; off: HTTP only  [off]
#   NGINX_HTTP_LISTEN / NGINX_HTTPS_LISTEN   nginx "listen" addresses       [80 / 443]
#   NGINX_HTTPS_PUBLIC_PORT  port the redirect points to                    [443]
#   NGINX_SERVER_NAME    server_name                                        [_]
#   NGINX_TLS_CERT / NGINX_TLS_KEY           PEM files  [/etc/nginx/certs/fullchain.pem, privkey.pem]
#   NGINX_ACME_ROOT      webroot for ACME http-01 challenges                [/var/www/acme]
#   NGINX_LOGIN_RATE / NGINX_LOGIN_BURST     POST /admin/login, and /admin/oidc/, per address  [6r/m / 5]
#   NGINX_ACCESS_LOG     access log file                                    [/var/log/nginx/access.log]
#   NGINX_TRUSTED_PROXIES  load balancers in front whose X-Forwarded-For/-Proto count,
#                        addresses or CIDRs separated by spaces or commas   [none]
#   NGINX_TEMPLATE_DIR   where the templates are                            [this script's folder]
#   NGINX_CONF_DIR       output folder                                      [/etc/nginx/conf.d]
set -eu

: "${HERALD_UPSTREAMS:=herald:8080}" "${HERALD_STATIC_ROOT:=/srv/herald}" "${NGINX_TLS:=off}"
: "${NGINX_HTTP_LISTEN:=80}" "${NGINX_HTTPS_LISTEN:=443}" "${NGINX_HTTPS_PUBLIC_PORT:=443}"
: "${NGINX_SERVER_NAME:=_}" "${NGINX_ACME_ROOT:=/var/www/acme}"
: "${NGINX_TLS_CERT:=/etc/nginx/certs/fullchain.pem}" "${NGINX_TLS_KEY:=/etc/nginx/certs/privkey.pem}"
: "${NGINX_LOGIN_RATE:=6r/m}" "${NGINX_LOGIN_BURST:=5}" "${NGINX_ACCESS_LOG:=/var/log/nginx/access.log}"
: "${NGINX_TEMPLATE_DIR:=$(dirname "$0")}" "${NGINX_CONF_DIR:=/etc/nginx/conf.d}"

fail() { echo "render.sh: $*" >&2; exit 1; }

NGINX_REALIP="" NGINX_TRUSTED_GEO=""
for p in $(echo "${NGINX_TRUSTED_PROXIES:-}" | tr ',' ' '); do
  case "$p" in *[!0-9a-fA-F.:/]*) fail "NGINX_TRUSTED_PROXIES: '$p' is not an address or CIDR" ;; esac
  NGINX_REALIP="${NGINX_REALIP}set_real_ip_from $p;
"
  NGINX_TRUSTED_GEO="${NGINX_TRUSTED_GEO}    $p 1;
"
done
[ -n "$NGINX_REALIP" ] && NGINX_REALIP="${NGINX_REALIP}real_ip_header X-Forwarded-For;
real_ip_recursive on;"

HERALD_UPSTREAM_SERVERS=""
for u in $HERALD_UPSTREAMS; do
  case "$u" in *[\;{}]*) fail "HERALD_UPSTREAMS: '$u' is not host:port" ;; *:[0-9]*) ;;
    *) fail "HERALD_UPSTREAMS: '$u' is not host:port" ;; esac
  HERALD_UPSTREAM_SERVERS="$HERALD_UPSTREAM_SERVERS    server $u max_fails=3 fail_timeout=10s;
"
done
[ -n "$HERALD_UPSTREAM_SERVERS" ] || fail "HERALD_UPSTREAMS is empty"
case "$NGINX_LOGIN_RATE" in [0-9]*r/s|[0-9]*r/m) ;; *) fail "NGINX_LOGIN_RATE: '$NGINX_LOGIN_RATE' is not like 6r/m" ;; esac
case "$NGINX_LOGIN_BURST" in ''|*[!0-9]*) fail "NGINX_LOGIN_BURST: '$NGINX_LOGIN_BURST' is not a number" ;; esac
if [ "$NGINX_HTTPS_PUBLIC_PORT" = 443 ]; then HERALD_HTTPS_AUTHORITY='$host'
else HERALD_HTTPS_AUTHORITY="\$host:$NGINX_HTTPS_PUBLIC_PORT"; fi
case "$NGINX_TLS" in
  on)  servers=herald-https.conf.template
       [ -r "$NGINX_TLS_CERT" ] && [ -r "$NGINX_TLS_KEY" ] \
         || fail "NGINX_TLS=on but $NGINX_TLS_CERT or $NGINX_TLS_KEY is not readable" ;;
  off) servers=herald-http.conf.template ;;
  *)   fail "NGINX_TLS: '$NGINX_TLS' is not on or off" ;;
esac

export HERALD_UPSTREAM_SERVERS HERALD_STATIC_ROOT HERALD_HTTPS_AUTHORITY NGINX_HTTP_LISTEN \
       NGINX_HTTPS_LISTEN NGINX_SERVER_NAME NGINX_TLS_CERT NGINX_TLS_KEY NGINX_ACME_ROOT \
       NGINX_LOGIN_RATE NGINX_LOGIN_BURST NGINX_ACCESS_LOG NGINX_CONF_DIR NGINX_REALIP NGINX_TRUSTED_GEO
vars='${HERALD_UPSTREAM_SERVERS} ${HERALD_STATIC_ROOT} ${HERALD_HTTPS_AUTHORITY} ${NGINX_HTTP_LISTEN}
      ${NGINX_HTTPS_LISTEN} ${NGINX_SERVER_NAME} ${NGINX_TLS_CERT} ${NGINX_TLS_KEY} ${NGINX_ACME_ROOT}
      ${NGINX_LOGIN_RATE} ${NGINX_LOGIN_BURST} ${NGINX_ACCESS_LOG} ${NGINX_CONF_DIR} ${NGINX_REALIP}
      ${NGINX_TRUSTED_GEO}'

mkdir -p "$NGINX_CONF_DIR"
t=$NGINX_TEMPLATE_DIR
envsubst "$vars" <"$t/herald-app.inc.template" >"$NGINX_CONF_DIR/herald-app.inc"
cat "$t/herald.conf.template" "$t/$servers" | envsubst "$vars" >"$NGINX_CONF_DIR/herald.conf"
echo "render.sh: $NGINX_CONF_DIR/herald.conf (TLS $NGINX_TLS; upstreams: $HERALD_UPSTREAMS)"
