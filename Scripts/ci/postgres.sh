#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for hubreport's tests, on loopback only, and prints its URL.
#
#   Scripts/ci/postgres.sh [DIR] [PORT]    (default /tmp/hubreport-pg, 54329)
#   export HUBREPORT_TEST_POSTGRES_URL=$(Scripts/ci/postgres.sh)
#   Scripts/ci/postgres.sh --stop [DIR]
#
# Uses Debian's postgresql (/usr/lib/postgresql/*/bin). The cluster runs as the `postgres` user when started as root
# (initdb refuses root), with trust authentication on loopback and a socket in DIR: for tests only, never a server.
# Each test makes its own schema in the database `hubreport_test` and drops it; tests run in parallel, each with a
# small pool, hence max_connections=300.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "postgres.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
    exit 1
fi

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-}" = "--stop" ]; then
    dir=${2:-/tmp/hubreport-pg}
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2
    exit 0
fi

dir=${1:-/tmp/hubreport-pg}
port=${2:-54329}
user=$( [ "$(id -u)" -eq 0 ] && echo postgres || id -un )

if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-k $dir -c listen_addresses=127.0.0.1 -p $port -c fsync=off -c max_connections=300" start >&2 || {
        cat "$dir/server.log" >&2
        exit 1
    }
fi
as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -Atqc \
    "SELECT 1 FROM pg_database WHERE datname = 'hubreport_test'" | grep -q 1 ||
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$user" hubreport_test
echo "postgres://$user@127.0.0.1:$port/hubreport_test"
