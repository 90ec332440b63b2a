#!/bin/sh
# The example's own PostgreSQL for its tests: `check`, `start`, `stop`, as
# [services.postgres] calls them. `start` creates a throwaway cluster with
# initdb in a folder of its own and serves it on a unix socket in that
# folder, so it never needs port 5432 (or any TCP port) to be free and never
# mistakes someone else's server for its own. The tests read the connection
# string from `<git dir>/tiergate/postgres.dsn`; `stop` removes the cluster.
set -eu

state="$(git rev-parse --git-path tiergate)"
case "$state" in /*) ;; *) state="$(pwd)/$state" ;; esac
dsn_file="$state/postgres.dsn"
dir_file="$state/postgres.dir"

# The newest PostgreSQL: its binaries on PATH, else Debian's layout.
bin=""
if ! command -v initdb >/dev/null 2>&1; then
  newest="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)"
  if [ -z "$newest" ]; then
    echo "postgres.sh: PostgreSQL is not installed (initdb not found); install it, e.g. apt-get install postgresql" >&2
    exit 2
  fi
  bin="/usr/lib/postgresql/$newest/bin/"
fi

# initdb and the server refuse to run as root: as root, run them as the
# `postgres` user, in a folder it owns.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

socket_of() {
  sed -n 's/.*host=\([^&]*\).*/\1/p' "$dsn_file"
}

port_of() {
  sed -n 's/.*port=\([0-9]*\).*/\1/p' "$dsn_file"
}

case "${1:-}" in
check)
  # Ready only when our own cluster answers on our own socket.
  [ -f "$dsn_file" ] || exit 1
  "${bin}pg_isready" -q -h "$(socket_of)" -p "$(port_of)"
  ;;
start)
  # A cluster left by a run that was killed is stopped and removed first.
  [ ! -f "$dir_file" ] || sh "$0" stop
  mkdir -p "$state"
  dir="$(mktemp -d "${TMPDIR:-/tmp}/tiergate-pg.XXXXXX")"
  echo "$dir" >"$dir_file"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$dir"
  fi
  # Any port will do: the server listens on no TCP address, and the
  # socket lives in this folder, so no other server can be in the way.
  port=5433
  as_owner "${bin}initdb" -D "$dir/data" -U tiergate --auth=trust -E UTF8 --no-instructions >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "${bin}pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=off" start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  as_owner "${bin}createdb" -h "$dir" -p "$port" -U tiergate tiergate_example
  echo "postgresql://tiergate@/tiergate_example?host=$dir&port=$port" >"$dsn_file"
  ;;
stop)
  [ -f "$dir_file" ] || exit 0
  dir="$(cat "$dir_file")"
  as_owner "${bin}pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  rm -f "$dsn_file" "$dir_file"
  ;;
*)
  echo "usage: sh scripts/postgres.sh check|start|stop" >&2
  exit 2
  ;;
esac
