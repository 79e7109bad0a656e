#!/usr/bin/env bash
# Checks the systemd units: `systemd-analyze verify` must print nothing on stderr, and
# `systemd-analyze security --offline=true --threshold=20` (a 0-100 scale: 2.0 or better) must pass.
#
#   systemd/check.sh PATH-TO-hubkioskd [PATH-TO-hubreport]    (hubreport: default, next to hubkioskd)
set -euo pipefail
daemon="$(realpath "${1:?usage: systemd/check.sh PATH-TO-hubkioskd [PATH-TO-hubreport]}")"
report="${2:-$(dirname "$daemon")/hubreport}"
if [ ! -x "$report" ]; then
    # verify needs only an executable at ExecStart's path; CI builds just hubkioskd before this check.
    echo "systemd/check.sh: no $report; checking hubreport.service with $daemon in its place" >&2
    report="$daemon"
fi
report="$(realpath "$report")"
cd "$(dirname "$0")"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
# A root with the system's units (for the dependencies such as sysinit.target), our units and the executables.
mkdir -p "$root/usr/lib/systemd/system" "$root/etc/systemd/system" "$root/usr/bin"
cp -r /usr/lib/systemd/system/. "$root/usr/lib/systemd/system/"
cp hubkioskd.service hubreport.service "$root/etc/systemd/system/"
install -m 0755 "$daemon" "$root/usr/bin/hubkioskd"
install -m 0755 "$report" "$root/usr/bin/hubreport"
# ExecReload sends SIGHUP with kill (procps, on every Debian and Raspberry Pi OS).
install -m 0755 /usr/bin/kill "$root/usr/bin/kill"
for unit in hubkioskd.service hubreport.service; do
    errors="$(systemd-analyze verify --root="$root" --man=no "$unit" 2>&1 >/dev/null || true)"
    if [ -n "$errors" ]; then
        echo "systemd-analyze verify $unit:" >&2
        echo "$errors" >&2
        exit 1
    fi
    echo "systemd-analyze verify $unit: ok"
    systemd-analyze security --offline=true --threshold=20 "./$unit" | tail -1
done
