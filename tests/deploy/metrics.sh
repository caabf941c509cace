#!/usr/bin/env bash
# tests/deploy/metrics.sh — what Prometheus reads: the harness server's /metrics (from loopback,
# which HERALD_METRICS_ALLOW opens by default) through `promtool check metrics` (its parse
# errors and its lint warnings both fail), every metric docs/operations.md lists present with the TYPE
# its name promises, and every name deploy/'s alert rules use. Run by tests/run.sh (HERALD_TEST_URL set); prints TAP lines.
source "$(dirname "$0")/../lib.sh"
source "$ROOT/tests/deploy/nginx.lib"
cd "$ROOT"
: "${HERALD_TEST_URL:?run by tests/run.sh (make test)}"

# Some traffic first, so the per-route series exist: a public route, an unmatched path, a 405.
curl -s -o /dev/null "$HERALD_TEST_URL/healthz"
curl -s -o /dev/null "$HERALD_TEST_URL/no/such/path"
curl -s -o /dev/null -X DELETE "$HERALD_TEST_URL/healthz"
curl -sS -f --max-time 15 -o "$TMP/metrics.txt" "$HERALD_TEST_URL/metrics" || echo "# GET /metrics failed"

promtool_clean() {
  local out rc=0
  need_promtool || return 1
  out=$(promtool check metrics <"$TMP/metrics.txt" 2>&1) || rc=$?
  [[ -n "$out" ]] && sed 's/^/# promtool: /' <<<"$out"
  [[ $rc -eq 0 && -z "$out" && -s "$TMP/metrics.txt" ]]
}
ok "promtool check metrics: /metrics parses, no lint warnings" promtool_clean

# has_type NAME TYPE: "# TYPE NAME TYPE" and at least one sample of NAME.
has_type() {
  local sample=$1
  [[ $2 == histogram ]] && sample=${1}_bucket
  grep -qx "# TYPE $1 $2" "$TMP/metrics.txt" && grep -qE "^$sample(\{| )" "$TMP/metrics.txt" ||
    { echo "# $1: no $2 with samples"; return 1; }
}
contract_metrics() {
  local rc=0 metric type
  while read -r metric type; do
    has_type "$metric" "$type" || rc=1
  done <<'EOF'
herald_messages_total counter
herald_messages gauge
herald_queue_pending gauge
herald_provider_requests_total counter
herald_provider_request_seconds histogram
herald_http_requests_total counter
herald_http_request_seconds histogram
herald_dispatch_outcomes_total counter
herald_provider_inflight gauge
herald_provider_circuit gauge
herald_db_up gauge
herald_build_info gauge
herald_smpp_connections gauge
herald_smpp_binds gauge
herald_smpp_submits_total counter
herald_smpp_throttled_total counter
herald_smpp_bind_failures_total counter
herald_smpp_receipts_pending gauge
process_cpu_seconds_total counter
process_resident_memory_bytes gauge
process_virtual_memory_bytes gauge
process_open_fds gauge
process_max_fds gauge
process_start_time_seconds gauge
EOF
  return $rc
}
ok "every documented metric is there with the TYPE its name promises" contract_metrics

# The alerts query names herald exports: every herald_* name in deploy/ is a metric family or
# a sample (a histogram's _bucket) of /metrics.
deploy_names() {
  local m rc=0
  for m in $(grep -ohE '\bherald_[a-z_]+' deploy/alerts.yml deploy/prometheus.yml | sort -u); do
    grep -qE "^($m(\{| )|# TYPE $m )" "$TMP/metrics.txt" || { echo "# deploy/: $m is not in /metrics"; rc=1; }
  done
  return $rc
}
ok "every herald_* metric named in deploy/alerts.yml and prometheus.yml exists" deploy_names

# Route patterns, not raw paths, label the latency histogram (bounded cardinality).
route_labels() {
  grep -q '^herald_http_request_seconds_bucket{route="/healthz",method="GET",le="+Inf"} [1-9]' "$TMP/metrics.txt" &&
  grep -q '^herald_http_request_seconds_count{route="unmatched",method="GET"} [1-9]' "$TMP/metrics.txt" &&
  grep -q '^herald_http_request_seconds_count{route="unmatched",method="DELETE"} [1-9]' "$TMP/metrics.txt" &&
  ! grep -q 'route="/no/such/path"' "$TMP/metrics.txt"
}
ok "herald_http_request_seconds is labelled by route pattern and method" route_labels

tap_done
