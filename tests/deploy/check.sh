#!/usr/bin/env bash
# tests/deploy/check.sh — static checks of the deployment files: nginx -t on herald's nginx
# configuration (TLS off and on, and the container's main file), docker-compose config, the
# Dockerfile's runtime packages against what build/herald links, .env.example against the
# config table, scripts/install.sh + the image entrypoint, the Prometheus files.
# Run by tests/run.sh (DATABASE_URL set); prints TAP lines.
source "$(dirname "$0")/../lib.sh"
source "$ROOT/tests/deploy/nginx.lib"
cd "$ROOT"

# --- nginx ---
nginx_plain() {
  nginx_prepare "$TMP/plain" HERALD_UPSTREAMS="127.0.0.1:1 127.0.0.1:2" NGINX_TLS=off \
    NGINX_HTTP_LISTEN="127.0.0.1:$(free_port)" && nginx_check "$TMP/plain"
}
ok "nginx -t: herald.conf, TLS off, two upstreams" nginx_plain

# TLS off behind a TLS-terminating load balancer: its X-Forwarded-For/-Proto count, nobody else's.
nginx_behind_lb() {
  nginx_prepare "$TMP/lb" HERALD_UPSTREAMS="127.0.0.1:1" NGINX_TLS=off NGINX_TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.7" \
    NGINX_HTTP_LISTEN="127.0.0.1:$(free_port)" && nginx_check "$TMP/lb" &&
  grep -q '^set_real_ip_from 10.0.0.0/8;' "$TMP/lb/conf/herald.conf" &&
  grep -q '^set_real_ip_from 192.0.2.7;' "$TMP/lb/conf/herald.conf" &&
  grep -q 'proxy_set_header X-Forwarded-Proto \$herald_proto;' "$TMP/lb/conf/herald.conf" &&
  ! grep -q 'allow 10.0.0.0/8' "$TMP/lb/conf/herald-app.inc"
}
ok "nginx -t: TLS off behind a load balancer (realip, forwarded scheme; /metrics loopback only)" nginx_behind_lb

nginx_tls() {
  mkdir -p "$TMP/tls" && self_signed "$TMP/tls" &&
  nginx_prepare "$TMP/tls" HERALD_UPSTREAMS="127.0.0.1:1" NGINX_TLS=on \
    NGINX_HTTP_LISTEN="127.0.0.1:$(free_port)" NGINX_HTTPS_LISTEN="127.0.0.1:$(free_port)" \
    NGINX_TLS_CERT="$TMP/tls/cert.pem" NGINX_TLS_KEY="$TMP/tls/key.pem" && nginx_check "$TMP/tls" &&
  grep -q 'ssl_protocols TLSv1.2 TLSv1.3;' "$TMP/tls/conf/herald.conf" &&
  grep -q 'return 301 https://\$host\$request_uri;' "$TMP/tls/conf/herald.conf"
}
ok "nginx -t: herald.conf, TLS on (redirect to 443, TLS 1.2/1.3)" nginx_tls

# The container's main file, with its absolute paths moved into the test folder.
nginx_container_main() {
  local d=$TMP/main
  mkdir -p "$d/tmp" && cp -R "$TMP/plain/conf" "$d/conf" &&
  sed -e "s|^user nginx;|$([[ $(id -u) -eq 0 ]] && echo 'user root;')|" \
      -e "s|/var/log/nginx/error.log|$d/error.log|" -e "s|/var/run/nginx.pid|$d/nginx.pid|" \
      -e "s|/etc/nginx/conf.d/herald.conf|$d/conf/herald.conf|" nginx/nginx.conf >"$d/main.conf" &&
  ! grep -q '/etc/nginx/conf.d\|/var/run' "$d/main.conf" &&
  sed -i "s|^http {|http {\n    client_body_temp_path $d/tmp/body; proxy_temp_path $d/tmp/proxy; fastcgi_temp_path $d/tmp/f; uwsgi_temp_path $d/tmp/u; scgi_temp_path $d/tmp/s;|" "$d/main.conf" &&
  nginx_check "$d"
}
ok "nginx -t: nginx/nginx.conf (the container's main file)" nginx_container_main

render_refuses() {
  ! NGINX_CONF_DIR="$TMP/bad" NGINX_TLS=maybe nginx/render.sh 2>/dev/null &&
  ! NGINX_CONF_DIR="$TMP/bad" HERALD_UPSTREAMS="a;b:1" nginx/render.sh 2>/dev/null &&
  ! NGINX_CONF_DIR="$TMP/bad" NGINX_TLS=on NGINX_TLS_CERT=/nonexistent nginx/render.sh 2>/dev/null &&
  [[ ! -e "$TMP/bad/herald.conf" ]]
}
ok "render.sh refuses a bad NGINX_TLS, upstream or missing certificate" render_refuses

# --- docker compose ---
# A project folder holding .env (from .env.example) and the nginx folder, so the check needs no
# .env in the work tree.
compose_config() {
  local d=$TMP/compose
  mkdir -p "$d" && cp .env.example "$d/.env" && ln -s "$ROOT/nginx" "$d/nginx" &&
  docker-compose --project-directory "$d" -f docker-compose.yml config -q &&
  docker-compose --project-directory "$d" -f docker-compose.yml config --services | sort | tr '\n' ' ' \
    | grep -qx 'fakeprobe herald nginx postgres '
}
ok "docker-compose config -q (with .env.example as .env)" compose_config

compose_needs_password() {
  local d=$TMP/compose-nopw
  mkdir -p "$d" && grep -v '^POSTGRES_PASSWORD=' .env.example >"$d/.env" &&
  ! env -u POSTGRES_PASSWORD docker-compose --project-directory "$d" -f docker-compose.yml config -q 2>/dev/null
}
ok "docker-compose refuses to run without POSTGRES_PASSWORD" compose_needs_password

env_example_complete() {
  local v missing=()
  for v in $(sed -n 's/^\s*{"[a-z_]*", "\([A-Z_]*\)".*/\1/p' src/config.c); do
    grep -q "^#\? \?$v=" .env.example || missing+=("$v")
  done
  [[ ${#missing[@]} -eq 0 ]] || { echo "# .env.example lacks: ${missing[*]}"; false; }
}
ok ".env.example names every environment variable of src/config.c" env_example_complete

# --- Dockerfile ---
# Every library build/herald (and build/fakeprobe) needs comes from a package the runtime stage
# installs (libc6 is in the base image).
runtime_packages() {
  local pkgs bin lib path pkg missing=()
  pkgs=" libc6 $(sed -n '/^FROM debian:bookworm-slim/,$p' Dockerfile | sed -n '/apt-get install/,/rm -rf/p' \
         | tr ' \\' '\n\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' | tr '\n' ' ') "
  for bin in build/herald build/fakeprobe; do
    [[ -x $bin ]] || continue
    for lib in $(readelf -d "$bin" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
      [[ $lib == libasan.* || $lib == libubsan.* ]] && continue   # make SANITIZE=1, never shipped
      path=$(ldd "$bin" | awk -v l="$lib" '$1 == l {print $3}')
      path=$(readlink -f "$path")   # with merged /usr, dpkg may know it as /lib/... or /usr/lib/...
      pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "${path#/usr}" 2>/dev/null || true)
      pkg=${pkg%%:*}
      [[ -n "$pkg" && "$pkgs" == *" $pkg "* ]] || missing+=("$lib(${pkg:-?})")
    done
  done
  [[ ${#missing[@]} -eq 0 ]] || { echo "# runtime stage lacks: ${missing[*]}"; false; }
}
ok "Dockerfile runtime stage installs every library herald links" runtime_packages

dockerfile_shape() {
  grep -q '^FROM debian:bookworm AS build' Dockerfile && grep -q '^USER herald' Dockerfile &&
  grep -q '^HEALTHCHECK .*' Dockerfile && grep -q 'http://127.0.0.1:8080/healthz' Dockerfile &&
  grep -q '^CMD \["herald", "serve"\]' Dockerfile && [[ -x deploy/docker-entrypoint.sh ]] &&
  grep -qx 'node_modules' .dockerignore && grep -qx 'build' .dockerignore && grep -qx '.env' .dockerignore
}
ok "Dockerfile: build stage, user herald, healthcheck, CMD; .dockerignore" dockerfile_shape

# The layout the image (and deploy/herald.service) runs from: herald migrates from it.
install_layout() {
  local p=$TMP/opt/herald
  scripts/install.sh "$p" >/dev/null && [[ -x $p/bin/herald && -f $p/sql/001_core.sql ]] &&
  [[ -f $p/assets/vendor/htmx.min.js && -f $p/conf/herald.conf && -f $p/locale/ru.json ]] &&
  (cd "$p" && env HERALD_ROOT="$p" HERALD_LOG_DIR="$TMP/install-logs" bin/herald migrate >"$TMP/install-migrate.log" 2>&1)
}
ok "scripts/install.sh: the installed tree migrates the database" install_layout

entrypoint_exports_assets() {
  mkdir -p "$TMP/export" &&
  env HERALD_ROOT="$TMP/opt/herald" HERALD_ASSETS_EXPORT="$TMP/export" deploy/docker-entrypoint.sh true &&
  cmp -s "$TMP/export/vendor/htmx.min.js" assets/vendor/htmx.min.js
}
ok "image entrypoint copies the assets into HERALD_ASSETS_EXPORT" entrypoint_exports_assets

# --- host install and monitoring files ---
systemd_unit() {
  local u=$TMP/herald.service
  sed "s|/opt/herald|$TMP/opt/herald|g" deploy/herald.service >"$u" &&
  [[ -z "$(systemd-analyze verify "$u" 2>&1)" ]] || { systemd-analyze verify "$u" 2>&1 | sed 's/^/# /'; false; }
}
if command -v systemd-analyze >/dev/null; then
  ok "deploy/herald.service passes systemd-analyze verify" systemd_unit
else
  tap_n=$((tap_n + 1)); echo "ok $tap_n - deploy/herald.service # SKIP no systemd-analyze here"
fi

prometheus_files() {
  /usr/bin/python3 - deploy/prometheus.yml deploy/alerts.yml <<'PY'
import sys, yaml
prom = yaml.safe_load(open(sys.argv[1]))
assert "alerts.yml" in prom["rule_files"], "prometheus.yml does not load alerts.yml"
assert any(j["job_name"] == "herald" for j in prom["scrape_configs"])
rules = [r for g in yaml.safe_load(open(sys.argv[2]))["groups"] for r in g["rules"]]
for r in rules:
    assert r["alert"] and "herald_" in r["expr"] or "up{" in r["expr"], r
    assert r["labels"]["severity"] in ("warning", "critical") and r["annotations"]["summary"], r
names = {r["alert"] for r in rules}
need = {"HeraldDatabaseDown", "HeraldQueueGrowing", "HeraldProviderErrorRate",
        "HeraldProviderCircuitOpen", "HeraldHTTP5xxRate"}
assert need <= names, need - names
PY
}
ok "deploy/prometheus.yml and alerts.yml: valid YAML, alerts for db, queue, provider, circuit, 5xx" prometheus_files

# promtool on the configuration and its rules (the token file it names made up in the test folder).
promtool_config() {
  local d=$TMP/prometheus
  need_promtool && mkdir -p "$d" && cp deploy/alerts.yml "$d/" && echo test-token >"$d/token" &&
  sed "s|/etc/prometheus/herald-metrics-token|$d/token|" deploy/prometheus.yml >"$d/prometheus.yml" &&
  promtool check config "$d/prometheus.yml" >"$d/out" 2>&1 || { sed 's/^/# /' "$d/out"; return 1; }
}
ok "promtool check config: deploy/prometheus.yml and its rules (alerts.yml)" promtool_config

logrotate_conf() {
  grep -q '^/var/log/herald/herald.log {' deploy/logrotate.conf && grep -q '^ *copytruncate$' deploy/logrotate.conf &&
  { ! command -v logrotate >/dev/null || logrotate -d deploy/logrotate.conf >/dev/null 2>&1; }
}
ok "deploy/logrotate.conf rotates herald.log with copytruncate" logrotate_conf

tap_done
