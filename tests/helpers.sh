# tests/helpers.sh — helpers without side effects, for tests/lib.sh and the bench scripts that
# run on a cluster of their own (tools/bench/procs.sh): a free loopback port, waiting for a
# server to answer.

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_http URL [seconds]: until URL answers (any status).
wait_http() {
  local url=$1 t=${2:-30} i
  for ((i = 0; i < t * 10; i++)); do
    curl -s -o /dev/null --max-time 1 "$url" && return 0
    sleep 0.1
  done
  echo "no answer from $url" >&2
  return 1
}
