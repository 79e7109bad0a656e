#!/usr/bin/env bash
# Checks the systemd unit: `systemd-analyze verify` must print nothing on stderr, and
# `systemd-analyze security --offline=true --threshold=20` (a 0-100 scale: 2.0 or better) must pass.
#
#   systemd/check.sh PATH-TO-hubkioskd
set -euo pipefail
daemon="$(realpath "${1:?usage: systemd/check.sh PATH-TO-hubkioskd}")"
cd "$(dirname "$0")"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
# A root with the system's units (for the dependencies such as sysinit.target), our unit and the daemon.
mkdir -p "$root/usr/lib/systemd/system" "$root/etc/systemd/system" "$root/usr/bin"
cp -r /usr/lib/systemd/system/. "$root/usr/lib/systemd/system/"
cp hubkioskd.service "$root/etc/systemd/system/"
install -m 0755 "$daemon" "$root/usr/bin/hubkioskd"
errors="$(systemd-analyze verify --root="$root" --man=no hubkioskd.service 2>&1 >/dev/null || true)"
if [ -n "$errors" ]; then
    echo "systemd-analyze verify:" >&2
    echo "$errors" >&2
    exit 1
fi
echo "systemd-analyze verify: ok"
systemd-analyze security --offline=true --threshold=20 ./hubkioskd.service | tail -1
