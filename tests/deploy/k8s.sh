#!/usr/bin/env bash
# tests/deploy/k8s.sh — deploy/k8s/: `kubectl kustomize` renders the base and the production
# overlay, and tests/deploy/k8s-check.mjs checks every object against the Kubernetes schemas
# (npm kubernetes-models) and herald's promises (roles, /healthz probes, requests, PDBs, the
# migration Job, nginx/'s body limits on the Ingress). Run by tests/run.sh; prints TAP lines.
source "$(dirname "$0")/../lib.sh"
source "$ROOT/tests/deploy/nginx.lib"
cd "$ROOT"

# The body limits of nginx/: the server's default, the bulk endpoints' and the CSV import's.
BODY=$(sed -n 's/^client_max_body_size \([0-9]*[km]\);$/\1/p' nginx/herald.conf.template)
# limit_of LOCATION...: the client_max_body_size of those locations of herald-app.inc (one value)
limit_of() {
  local l
  for l in "$@"; do
    awk -v loc="location = $l {" 'index($0, loc) == 1 { f = 1 } f && /client_max_body_size/ { sub(/;/, "", $2); print $2; exit }'       nginx/herald-app.inc.template
  done | sort -u
}
BULK=$(limit_of /api/v1/clients/bulk /api/v1/messages/batch)
IMPORT=$(limit_of /admin/clients/import)

# A copy, so that secrets.env and the broken variants stay out of the work tree.
K=$TMP/k8s
cp -R deploy/k8s "$K" && rm -f "$K/overlays/production/secrets.env"

# render DIR OUT: kubectl kustomize DIR into OUT (its messages as "# " lines).
render() {
  command -v kubectl >/dev/null || { echo "# kubectl missing: scripts/deps.sh installs kubernetes-client"; return 1; }
  kubectl kustomize "$1" >"$2" 2>"$TMP/kustomize.err" || { sed 's/^/# /' "$TMP/kustomize.err"; return 1; }
}
check() {  # check FILE [--with-secret]: its problems as "# " lines when there are any
  node tests/deploy/k8s-check.mjs --body "$BODY" --bulk-body "$BULK" --import-body "$IMPORT" "${@:2}" <"$1" >"$1.check" ||
    { cat "$1.check"; return 1; }
}

nginx_limits() {
  [[ $BODY == 1m && $BULK == 16m && $IMPORT == 65m ]] || { echo "# nginx/ limits: '$BODY' '$BULK' '$IMPORT'"; return 1; }
}
ok "nginx/'s body limits read (1m, 16m on the bulk endpoints, 65m on the CSV import)" nginx_limits

base() { render "$K/base" "$TMP/base.yaml" && check "$TMP/base.yaml"; }
ok "kubectl kustomize deploy/k8s/base; every object valid" base

no_default_secret() { ! render "$K/overlays/production" "$TMP/nosecret.yaml" >/dev/null; }
ok "the production overlay does not render without secrets.env (no default secrets)" no_default_secret

production() {
  cp "$K/overlays/production/secrets.env.example" "$K/overlays/production/secrets.env" &&
  render "$K/overlays/production" "$TMP/prod.yaml" && check "$TMP/prod.yaml" --with-secret &&
  grep -q 'namespace: herald' "$TMP/prod.yaml" && grep -q 'image: registry.example.com/herald:1.0.0' "$TMP/prod.yaml"
}
ok "kubectl kustomize deploy/k8s/overlays/production (secrets.env.example); every object valid" production

# The check can fail: an object against its schema, and herald's own promises.
broken() {  # broken NAME SED-EXPRESSION FILE PROBLEM: the base with the edit fails the check with PROBLEM
  local d=$TMP/broken-$1
  cp -R "$K" "$d" && sed -i "$2" "$d/base/$3" && ! cmp -s "$K/base/$3" "$d/base/$3" &&
  render "$d/base" "$d/out.yaml" && ! check "$d/out.yaml" >/dev/null &&
  { grep -qF -- "$4" "$d/out.yaml.check" || { sed 's/^/# unexpected: /' "$d/out.yaml.check"; return 1; }; }
}
ok "refused: a replica count that is not a number" broken replicas 's/replicas: 2/replicas: two/' web.yaml \
  'Deployment/herald-web: data/spec/replicas must be integer'
ok "refused: a container without its name" broken noname 's/- name: herald$/- imagePullPolicy: Always/' worker.yaml \
  'containers/0 must have required property name'
ok "refused: a readiness probe elsewhere than /healthz" broken probe '0,/path: \/healthz/s//path: \/ready/' web.yaml \
  'Deployment/herald-web: readinessProbe is not an HTTP GET of /healthz'
ok "refused: a bulk body limit other than nginx's" broken body 's/proxy-body-size: 16m/proxy-body-size: 8m/' ingress.yaml \
  'Ingress/herald-bulk: nginx.ingress.kubernetes.io/proxy-body-size is 8m, nginx/ has 16m'
tap_done
