#!/usr/bin/env bash
# pg_tmp.sh start|stop STATE_DIR -- a throwaway PostgreSQL cluster for tests and the demo.
# start: initdb in a fresh /tmp/pg_tmp.XXXXXX (reachable by the postgres user even when the
# build tree is in a 0700 folder), listen on 127.0.0.1 on a random free port, trust auth,
# fsync off. Writes STATE_DIR/conninfo (libpq keyword form) and STATE_DIR/uri (postgresql://).
# As root the server runs as "postgres" through runuser; otherwise as the caller.
set -euo pipefail
cmd=${1:?start|stop}; state=${2:?state dir}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
[ -x "$PGBIN/initdb" ] || { echo "pg_tmp: PostgreSQL server binaries missing (run tools/install-deps)" >&2; exit 1; }
source "$(dirname "$0")/free_port.sh"
as_pg() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi; }
case "$cmd" in
start)
  mkdir -p "$state"; state=$(cd "$state" && pwd)
  if [ -f "$state/datadir" ]; then "$0" stop "$state" || true; fi
  data=$(mktemp -d /tmp/pg_tmp.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$data"; fi
  chmod 700 "$data"
  echo "$data" > "$state/datadir"
  as_pg "$PGBIN/initdb" -D "$data/db" -U postgres --auth=trust --no-locale -E UTF8 --no-sync \
    >"$data/initdb.log" 2>&1 || { cat "$data/initdb.log" >&2; exit 1; }
  # A free port can still be taken before the server binds it: try a few.
  for _ in $(seq 1 12); do
    port=$(free_port)
    if as_pg "$PGBIN/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 \
         -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
         start >/dev/null; then
      echo "host=127.0.0.1 port=$port user=postgres dbname=postgres" > "$state/conninfo"
      echo "postgresql://postgres@127.0.0.1:$port/postgres" > "$state/uri"
      echo "$port" > "$state/port"
      exit 0
    fi
  done
  cat "$data/server.log" >&2 || true; exit 1 ;;
stop)
  [ -f "$state/datadir" ] || exit 0
  data=$(cat "$state/datadir")
  as_pg "$PGBIN/pg_ctl" -D "$data/db" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$data" "$state/datadir" "$state/conninfo" "$state/uri" "$state/port" ;;
restart)
  # Stops and starts the same cluster on the same port (tests of reconnection).
  data=$(cat "$state/datadir"); port=$(cat "$state/port")
  as_pg "$PGBIN/pg_ctl" -D "$data/db" -m fast -w stop >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null ;;
esac
