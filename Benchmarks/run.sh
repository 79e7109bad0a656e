#!/usr/bin/env bash
# Runs every HubKiosk benchmark on a release build and prints the tables (about 10 minutes).
#
#   Benchmarks/run.sh                 # everything
#   Benchmarks/run.sh latency         # one of: latency, daemon, export
#
# The figures are only meaningful beside their references, which each benchmark measures in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null && [ -x /opt/swift/usr/bin/swift ]; then export PATH=/opt/swift/usr/bin:$PATH; fi
swift build -c release --product hubkioskd
swift build -c release --product hubkiosk
swift build -c release --product hubkiosk-bench
bench=.build/release/hubkiosk-bench
mkdir -p .bench-state
for what in ${1:-latency export daemon}; do
    echo
    "$bench" "$what"
done
