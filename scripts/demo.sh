#!/usr/bin/env bash
# `make demo`: what `make run` does (scripts/prepare.sh), plus fakeprobe as the provider and
# `herald demo` (operators, tags, 10,000 clients, a mailing that starts now); then serves. The
# provider takes HERALD_PROVIDER_RATE (default 500) messages a second, so the mailing is seen
# running for about 20 s before it has delivered everything.
source "$(dirname "$0")/prepare.sh"
FAKEPROBE_LISTEN=${FAKEPROBE_LISTEN:-127.0.0.1:9090}
build/fakeprobe --listen "$FAKEPROBE_LISTEN" --latency-ms 20 >var/fakeprobe.log 2>&1 &
probe=$!
trap 'kill "$probe" 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fso /dev/null "http://$FAKEPROBE_LISTEN/stats" && break; sleep 0.1; done
export HERALD_PROVIDER_URL=http://$FAKEPROBE_LISTEN/v1 HERALD_PROVIDER_RATE=${HERALD_PROVIDER_RATE:-500}
mailing=$(build/herald demo)
url=http://${HERALD_LISTEN:-127.0.0.1:8080}
echo
echo "  Demo mailing $mailing: $url/admin/mailings/$mailing  (sign in as admin; password above"
echo "  or in var/admin-password.txt). fakeprobe's count: curl http://$FAKEPROBE_LISTEN/stats"
echo
echo "herald: $url/admin/   API docs: /docs/   stop with Ctrl-C"
build/herald serve
