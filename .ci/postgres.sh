#!/usr/bin/env bash
# Starts a private PostgreSQL 15 server for the tests, on loopback only, and prints the
# `export DATABASE_URL=...` line for it. Idempotent: a server already running in the folder is reused.
#
#   eval "$(.ci/postgres.sh start)"   # start (or reuse) and export DATABASE_URL in this shell
#   .ci/postgres.sh stop              # stop it and remove its folder
#
# Settings (environment): UNBOX_PG_DIR (default /tmp/unbox-pg), UNBOX_PG_PORT (default 55432).
# As root, the server runs as the `postgres` user (initdb refuses root); otherwise as the caller.
# Needs the Debian package `postgresql` (binaries under /usr/lib/postgresql/<major>/bin).
set -euo pipefail

dir=${UNBOX_PG_DIR:-/tmp/unbox-pg}
port=${UNBOX_PG_PORT:-55432}
db=unbox_test
action=${1:-start}

bindir=""
for c in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
  if [ -x "$c/initdb" ]; then bindir=$c; break; fi
done
if [ -z "$bindir" ] && command -v pg_config >/dev/null; then bindir=$(pg_config --bindir); fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "postgres.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

if [ "$(id -u)" = 0 ]; then
  owner=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

case "$action" in
  start)
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      rm -rf "$dir"
      mkdir -p "$dir/data" "$dir/socket" "$dir/log"
      chown -R "$owner" "$dir"
      chmod 700 "$dir" "$dir/data"
      # trust on loopback only: a throw-away test server that listens on 127.0.0.1 alone
      as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/log/initdb.log" 2>&1 ||
        { cat "$dir/log/initdb.log" >&2; exit 1; }
    fi
    if ! as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log/postgres.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
        start >/dev/null || { cat "$dir/log/postgres.log" >&2; exit 1; }
    fi
    if ! as_owner "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
      as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
    fi
    echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$port/$db"
    ;;
  stop)
    if [ -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
