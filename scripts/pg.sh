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
  fi
  # herald's settings, written at every start so that a cluster made by an older pg.sh gets
  # them too (those read only at server start take effect when it is restarted):
  #  - wal_buffers 64MB: the default (1/32 of shared_buffers, 8 MB) filled while a mailing of
  #    1,000,000 froze (345 MB of WAL in one statement) and the backend wrote the WAL out
  #    itself; the freeze took 3.6-4.7 s (median 3.7) against 3.8-5.0 s (4.6) with 8 MB.
  grep -q "^include_if_exists = 'herald.conf'" "$dir/data/postgresql.conf" \
    || echo "include_if_exists = 'herald.conf'" >>"$dir/data/postgresql.conf"
  cat >"$dir/data/herald.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 256MB
wal_buffers = 64MB
synchronous_commit = off
fsync = ${PG_FSYNC:-on}
full_page_writes = ${PG_FSYNC:-on}
max_wal_size = 2GB
checkpoint_timeout = 15min
timezone = 'UTC'
log_min_messages = warning
CONF
  [[ ${#as[@]} -gt 0 ]] && chown postgres: "$dir/data/herald.conf"
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
