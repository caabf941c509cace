#!/usr/bin/env bash
# An embedded PostgreSQL 15 cluster in a folder of ours, reached through a unix socket in that folder.
#   scripts/pg.sh start DIR     initdb when new, start, create database "herald"; prints the conninfo
#   scripts/pg.sh stop DIR
# Run as root, the server runs as the "postgres" user (PostgreSQL refuses root) on a folder it owns.
set -euo pipefail
cmd=${1:?usage: pg.sh start|stop DIR}; dir=$(realpath -m "${2:?usage: pg.sh start|stop DIR}")
bin=/usr/lib/postgresql/15/bin
as=()
if [[ $(id -u) -eq 0 ]]; then as=(runuser -u postgres --); fi

case "$cmd" in
start)
  mkdir -p "$dir"
  [[ ${#as[@]} -gt 0 ]] && chown postgres: "$dir"
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U herald --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 256MB
synchronous_commit = off
fsync = ${PG_FSYNC:-on}
full_page_writes = ${PG_FSYNC:-on}
max_wal_size = 2GB
checkpoint_timeout = 15min
timezone = 'UTC'
log_min_messages = warning
CONF
  fi
  if ! "${as[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
      || { tail -20 "$dir/server.log" >&2; exit 1; }
  fi
  psql "host=$dir dbname=postgres user=herald" -qtAc "SELECT 1 FROM pg_database WHERE datname='herald'" | grep -q 1 \
    || psql "host=$dir dbname=postgres user=herald" -qc "CREATE DATABASE herald" >/dev/null
  echo "host=$dir dbname=herald user=herald"
  ;;
stop)
  [[ -f "$dir/data/postmaster.pid" ]] && "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  ;;
*) echo "usage: pg.sh start|stop DIR" >&2; exit 2 ;;
esac
