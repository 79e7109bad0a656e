#!/usr/bin/env bash
# Runs every HubKiosk benchmark on a release build and prints the tables (about 10 minutes for the kiosk's, more for
# the service's at full scale).
#
#   Benchmarks/run.sh                 # the kiosk's: latency export daemon
#   Benchmarks/run.sh latency         # one of: latency, daemon, export
#   Benchmarks/run.sh service         # hubreport ingest/export/memory on SQLite, then PostgreSQL
#   Benchmarks/run.sh pages           # the staff pages: latency and size per page on a year of a busy hub
#   Benchmarks/run.sh sync            # a kiosk's 72 h backlog cleared; press latency and RSS, sync on beside off
#   HUBS=1000 DAYS=365 Benchmarks/run.sh service    # the scale of issue 7 §8 (default 100 hubs × 365 days)
#
# The figures are only meaningful beside their references, which each benchmark measures in the same run.
# `service` starts a throwaway PostgreSQL cluster on loopback (Scripts/ci/postgres.sh, fsync off) and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null && [ -x /opt/swift/usr/bin/swift ]; then export PATH=/opt/swift/usr/bin:$PATH; fi
mkdir -p .bench-state
what=${1:-latency export daemon}
case " $what " in
*" service "* | *" sync "*) swift build -c release --product hubreport ;;
esac
case " $what " in
*" service "*) swift build -c release --product hubreport-bench ;;
esac
case " $what " in
*" latency "* | *" export "* | *" daemon "* | *" sync "* | *" pages "*)
    swift build -c release --product hubkioskd
    swift build -c release --product hubkiosk
    swift build -c release --product hubkiosk-bench
    ;;
esac
for one in $what; do
    echo
    case "$one" in
    service)
        hubs=${HUBS:-100} days=${DAYS:-365} clients=${CLIENTS:-8}
        .build/release/hubreport-bench service --engine sqlite --hubs "$hubs" --days "$days" --clients "$clients"
        pg_dir=$(mktemp -d /tmp/bench-pg.XXXXXX)
        url=$(Scripts/ci/postgres.sh "$pg_dir" "${PG_PORT:-54341}")
        trap 'Scripts/ci/postgres.sh --stop "$pg_dir" || true' EXIT
        echo
        .build/release/hubreport-bench service --engine postgres --postgres-url "$url" --hubs "$hubs" \
            --days "$days" --clients "$clients"
        ;;
    *) .build/release/hubkiosk-bench "$one" ;;
    esac
done
