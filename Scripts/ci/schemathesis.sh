#!/usr/bin/env bash
# Runs schemathesis against the real `hubreport serve` with docs/hubreport-openapi.yaml: no 5xx, and every
# response (status, content type, headers, body) as the spec says.
#
#   Scripts/ci/schemathesis.sh [HUBREPORT [DATABASE]]     (default .build/debug/hubreport, a temporary SQLite file)
#
# DATABASE may be a postgres:// URL (use a schema of its own: ?schema=NAME; it is dropped at the end). The service
# runs on that database, on a loopback port it picks itself (the port is read from its
# "listening" log line), and is stopped at the end. schemathesis comes from $SCHEMATHESIS, else PATH, else the venv
# /tmp/hubreport-schemathesis (`python3 -m venv /tmp/hubreport-schemathesis &&
# /tmp/hubreport-schemathesis/bin/pip install schemathesis cryptography`); the hooks sign /v1/tallies with
# `cryptography`'s ed25519. Exits non-zero if schemathesis found a failure, did
# not run, or ran no test case.
set -euo pipefail
cd "$(dirname "$0")/../.."

hubreport=${1:-.build/debug/hubreport}
database=${2:-}
spec=docs/hubreport-openapi.yaml
schemathesis=${SCHEMATHESIS:-$(command -v schemathesis || echo /tmp/hubreport-schemathesis/bin/schemathesis)}
[ -x "$hubreport" ] || { echo "schemathesis.sh: $hubreport is not built (swift build --product hubreport)" >&2; exit 1; }
[ -x "$schemathesis" ] || { echo "schemathesis.sh: schemathesis is not installed (see this script's header)" >&2; exit 1; }
"$schemathesis" --version

work=$(mktemp -d /tmp/hubreport-schemathesis-run.XXXXXX)
database=${database:-$work/hubreport.sqlite}
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server"
        wait "$server" || true
    fi
    case "$database" in
    postgres://*\?schema=* | postgresql://*\?schema=*)
        psql "${database%%\?*}" -qc "DROP SCHEMA IF EXISTS ${database##*schema=} CASCADE" >/dev/null || true
        ;;
    esac
    rm -rf "$work"
}
trap cleanup EXIT

# A hub with a pending code, so that enrolment requests meet a real hub table, and a hub enrolled with a key the
# hooks (schemathesis_hooks.py) sign /v1/tallies with, so that its merge path is checked too.
"$hubreport" hub add leith --name "Leith" --database "$database" >/dev/null
code=$("$hubreport" hub add gorgie --name "Gorgie" --json --database "$database" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["code"])')
python=$(dirname "$schemathesis")/python
[ -x "$python" ] || python=python3
read -r private public < <("$python" -c '
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PrivateFormat, PublicFormat, NoEncryption
import base64
key = Ed25519PrivateKey.generate()
raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
print(raw.hex(), base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode())')
"$hubreport" serve --database "$database" --listen 127.0.0.1:0 --log-level debug 2>"$work/server.log" &
server=$!
port=""
for _ in $(seq 1 300); do
    port=$(grep -oE 'address=127\.0\.0\.1:[0-9]+' "$work/server.log" | head -n 1 | cut -d: -f2 || true)
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; echo "schemathesis.sh: hubreport exited" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { cat "$work/server.log" >&2; echo "schemathesis.sh: hubreport did not start" >&2; exit 1; }
echo "schemathesis.sh: hubreport listens on 127.0.0.1:$port, database ${database%%\?*}"
enrolment=$("$python" - "$port" "$code" "$public" <<'PY'
import json, sys, urllib.error, urllib.request
port, code, public = sys.argv[1:4]
body = json.dumps({"code": code, "public_key": public, "kiosk_version": "schemathesis"}).encode()
request = urllib.request.Request(
    f"http://127.0.0.1:{port}/v1/enrol", data=body, headers={"Content-Type": "application/json"})
try:
    print(urllib.request.urlopen(request, timeout=10).status)
except urllib.error.HTTPError as error:
    print(error.code)
PY
)
[ "$enrolment" = 200 ] || { echo "schemathesis.sh: enrolling the signing hub answered $enrolment" >&2; exit 1; }
export HUBREPORT_SCHEMATHESIS_KEY=$private HUBREPORT_SCHEMATHESIS_HUB=gorgie
export SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$PWD/Scripts/ci${PYTHONPATH:+:$PYTHONPATH}"

status=0
timeout --kill-after=10 "${SCHEMATHESIS_TIMEOUT:-420}" "$schemathesis" run "$spec" \
    --url "http://127.0.0.1:$port" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-50}" --seed "${SCHEMATHESIS_SEED:-9421}" --workers 1 --request-timeout 10 \
    --suppress-health-check all --no-color --generation-database none \
    --report junit --report-junit-path "$work/junit.xml" || status=$?

if [ "$status" -ne 0 ]; then
    echo "schemathesis.sh: schemathesis failed (status $status); the service's log:" >&2
    tail -n 40 "$work/server.log" >&2
    exit "$status"
fi
tests=$(grep -oE 'tests="[0-9]+"' "$work/junit.xml" | head -n 1 | grep -oE '[0-9]+' || echo 0)
if [ "${tests:-0}" -eq 0 ]; then
    echo "schemathesis.sh: schemathesis ran no test" >&2
    exit 1
fi
kill -0 "$server" 2>/dev/null || { echo "schemathesis.sh: hubreport died during the run" >&2; exit 1; }
merged=$(grep -c 'tallies merged' "$work/server.log" || true)
echo "schemathesis.sh: refusals by status: $(grep -oE 'status=[0-9]+' "$work/server.log" | sort | uniq -c | tr -s ' \n' ' ')"
if [ "${merged:-0}" -eq 0 ]; then
    echo "schemathesis.sh: no signed batch was merged: the hooks did not sign (schemathesis_hooks.py)" >&2
    exit 1
fi
echo "schemathesis.sh: $tests operations checked, $merged signed batches merged, no failure"
