#!/usr/bin/env bash
# Installs what herald needs to build, run and test: Debian packages (apt-get, when root;
# otherwise prints the exact command) and the npm packages of package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential pkg-config clang libmicrohttpd-dev libpq-dev libcurl4-openssl-dev
      libjansson-dev libsodium-dev libcjose-dev libcriterion-dev postgresql-15 postgresql-client-15
      tzdata wrk nodejs npm chromium python3-aiosmtpd nginx-light docker-compose
      prometheus   # promtool: tests/deploy/metrics.sh lints /metrics
      kubernetes-client)  # kubectl kustomize: tests/deploy/k8s.sh renders deploy/k8s/

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# drop NAME...: NAME is not missing after all (the tool it brings works, from elsewhere).
drop() {
  local tmp=() p q keep
  for p in "${missing[@]:-}"; do
    keep=1; for q in "$@"; do [[ "$p" == "$q" ]] && keep=0; done
    [[ -n "$p" && $keep -eq 1 ]] && tmp+=("$p")
  done
  missing=("${tmp[@]:-}")
  [[ -z "${missing[0]:-}" ]] && missing=()
  return 0
}
# nodejs/npm may come from outside Debian on a developer machine: a working `node` is enough;
# so is any kubectl (Kubernetes' own packages conflict with Debian's kubernetes-client).
if command -v node >/dev/null && command -v npm >/dev/null; then drop nodejs npm; fi
if command -v kubectl >/dev/null; then drop kubernetes-client; fi

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # The Debian package starts a cluster of its own; herald runs its own clusters.
    pg_ctlcluster 15 main stop >/dev/null 2>&1 || true
    # Only promtool is wanted from the prometheus package, not a server on :9090.
    [[ ! -x /etc/init.d/prometheus ]] || /etc/init.d/prometheus stop >/dev/null 2>&1 || true
  else
    echo "deps: missing Debian packages; run:"
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
  fi
fi

if [[ ! -d node_modules/swagger-ui-dist || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
