#!/usr/bin/env bash
# The whole test suite against real parts: a throw-away PostgreSQL cluster, a real herald
# server, real HTTP. Prints "N passed, N failed" at the end; exits non-zero on any failure.
source "$(dirname "$0")/lib.sh"
MODE=${MODE:-opt}
cd "$ROOT"
export HERALD_ROOT=$ROOT ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
       UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

start_pg
export HERALD_LOG_DIR=$TMP/logs
build/herald migrate >"$TMP/migrate.log" 2>&1 || { cat "$TMP/migrate.log"; exit 1; }
for role in admin operator viewer; do
  echo "password-$role" | build/herald user create "t_$role" --role "$role" 2>/dev/null
  printf -v "HERALD_TEST_TOKEN_${role^^}" '%s' "$(build/herald token create "t_$role" 2>/dev/null)"
  export "HERALD_TEST_TOKEN_${role^^}"
done
# The harness's users read and type admin times in UTC, as the tests written before per-user
# time zones do; the tests of zones make users of their own (and one without a zone).
psql "$DATABASE_URL" -qc "UPDATE users SET timezone = 'UTC' WHERE username IN ('t_admin', 't_operator', 't_viewer')" >/dev/null
start_herald main HERALD_TRUSTED_PROXIES=127.0.0.1/32
export HERALD_TEST_URL=$HERALD_URL_MAIN

passed=0 failed=0 skipped=0
count_criterion() {  # parses Criterion's synthesis line from $1
  local line; line=$(grep -a 'Synthesis:' "$1" | tail -1)
  local t p f c
  t=$(sed -n 's/.*Tested: \([0-9]*\).*/\1/p' <<<"$line"); p=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p' <<<"$line")
  f=$(sed -n 's/.*Failing: \([0-9]*\).*/\1/p' <<<"$line"); c=$(sed -n 's/.*Crashing: \([0-9]*\).*/\1/p' <<<"$line")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  [[ -z "$line" ]] && failed=$((failed + 1))
  return 0
}

# ONLY=test_engine runs that binary alone (with CRITERION_FILTER=engine/name one test of it),
# and skips the other suites: the quick loop while working on one part.
for t in build/tests-$MODE/unit/* build/tests-$MODE/integration/*; do
  [[ -x "$t" ]] || continue
  [[ -n "${ONLY:-}" && "$(basename "$t")" != "$ONLY" ]] && continue
  echo "== $t"
  "$t" --jobs 1 ${CRITERION_FILTER:+--filter "$CRITERION_FILTER"} >"$TMP/out" 2>&1 || true
  grep -a -E 'FAIL|CRASH|Assertion|warning|error|Synthesis|^\[----\]   [^ ]' "$TMP/out" | head -60
  grep -a -E -A3 'Assertion Failed|CRASH' "$TMP/out" | head -12 >>"$TMP/failures" || true
  count_criterion "$TMP/out"
done

# Browser, SMPP and other node:test suites.
# ONLY=crawl.test.mjs runs that node suite alone.
e2e=tests/e2e/
[[ "${ONLY:-}" == *.mjs ]] && e2e=tests/e2e/$ONLY
if [[ -z "${ONLY:-}" || "$ONLY" == *.mjs ]] && compgen -G "tests/e2e/*.test.mjs" >/dev/null; then
  echo "== node --test $e2e"
  node --test --test-concurrency=1 "$e2e" >"$TMP/node.out" 2>&1 || true
  grep -E '^# (pass|fail|skipped)|^not ok' "$TMP/node.out" || true
  # each failure's name and the first lines of its error
  awk '/^not ok/ { n = 14 } n > 0 { print; n-- }' "$TMP/node.out" | head -45 >>"$TMP/failures"
  np=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$TMP/node.out"); nf=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$TMP/node.out")
  passed=$((passed + ${np:-0})); failed=$((failed + ${nf:-1}))
fi

# Deployment: nginx, docker compose, Dockerfile, failover (tests/deploy/*.sh print TAP lines).
# ONLY=nginx_two_instances.sh runs that script alone.
for t in tests/deploy/*.sh; do
  [[ -f "$t" ]] || continue
  [[ -n "${ONLY:-}" && "$(basename "$t")" != "$ONLY" ]] && continue
  echo "== $t"
  rc=0; bash "$t" >"$TMP/deploy.out" 2>&1 || rc=$?
  grep -E '^not ok|# SKIP|^# ' "$TMP/deploy.out" || true
  dp=$(grep -E '^ok ' "$TMP/deploy.out" | grep -vc '# SKIP' || true)
  df=$(grep -c '^not ok ' "$TMP/deploy.out" || true)
  ds=$(grep -E '^ok ' "$TMP/deploy.out" | grep -c '# SKIP' || true)
  passed=$((passed + dp)); failed=$((failed + df)); skipped=$((skipped + ds))
  if [[ $rc -ne 0 && $df -eq 0 ]]; then tail -20 "$TMP/deploy.out"; failed=$((failed + 1)); fi
done

# Sanitizer reports anywhere in the servers' output fail the run: the harness's heralds
# ($TMP/*.log) and, under $TMP/logs, what the C integration tests' heralds and fakeprobes wrote
# (logs/<database>/herald-<port>.out, ...). The browser suites' heralds are watched by proc.mjs,
# the deploy scripts' by their tap_done (nginx.lib).
if san_reports "$TMP"/*.log "$TMP/logs"; then
  echo "sanitizer reports in the server logs above"; failed=$((failed + 1))
fi
# A token-authenticated write that did not record itself in the change history fails the run.
if grep -l '"event":"audit.missing"' "$TMP"/*.log 2>/dev/null; then
  echo "writes missing from the change history (audit.missing) in the server logs above"; failed=$((failed + 1))
fi
for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" || { echo "herald (pid $p) exited with $?"; failed=$((failed + 1)); }; done
PIDS=()
if san_reports "$TMP"/*.log "$TMP/logs"; then
  echo "sanitizer reports at shutdown"; failed=$((failed + 1))
fi

# What failed, again at the end, where a CI log's tail shows it.
if [[ -s "$TMP/failures" ]]; then echo; echo "== what failed"; head -80 "$TMP/failures"; fi
echo
echo "tests: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
