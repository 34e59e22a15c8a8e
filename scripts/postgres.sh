#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for tests and benchmarks on a
# loopback port of its own, installing Debian's postgresql package first
# when the machine lacks it. Prints the server's URL on stdout.
#
#   eval "$(scripts/postgres.sh start)"   # exports SLUICE_TEST_POSTGRES, SLUICE_PG_DIR
#   scripts/postgres.sh stop "$SLUICE_PG_DIR"
set -euo pipefail
cmd="${1:-start}"

pgbin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  return 1
}

case "$cmd" in
start)
  if ! bin=$(pgbin); then
    echo "postgres.sh: installing Debian's postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -qq && apt-get install -y -qq postgresql >/dev/null) >&2
    bin=$(pgbin)
  fi
  dir=$(mktemp -d /tmp/sluice-pg.XXXXXX)
  port=$(( 20000 + RANDOM % 20000 ))
  runas=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    runas=(runuser -u postgres --)
  fi
  "${runas[@]}" "$bin/initdb" -D "$dir/data" -U sluice --auth=trust -E UTF8 >/dev/null
  "${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=300 -c shared_buffers=128MB" start >/dev/null
  echo "export SLUICE_TEST_POSTGRES=postgres://sluice@127.0.0.1:$port/postgres?sslmode=disable"
  echo "export SLUICE_PG_DIR=$dir"
  ;;
stop)
  dir="${2:?usage: postgres.sh stop DIR}"
  bin=$(pgbin)
  runas=()
  [ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)
  "${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*) echo "usage: postgres.sh start | stop DIR" >&2; exit 2 ;;
esac
