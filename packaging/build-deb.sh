#!/usr/bin/env bash
# Builds hubkiosk_<version>_<arch>.deb with dpkg-deb: release binaries with the Swift runtime linked in (the Pi
# needs no Swift), the systemd unit, sysusers.d, tmpfiles.d and udev files, and an example configuration and
# directory as conffiles.
#
#   packaging/build-deb.sh            # on the Pi itself, or on any Debian machine of the Pi's architecture
#   VERSION=0.2.0 packaging/build-deb.sh
set -euo pipefail
cd "$(dirname "$0")/.."
version="${VERSION:-0.1.0}"
arch="$(dpkg --print-architecture)"
if ! command -v swift >/dev/null && [ -x /opt/swift/usr/bin/swift ]; then export PATH=/opt/swift/usr/bin:$PATH; fi

build=.build-deb
swift build -c release --static-swift-stdlib --scratch-path "$build" --product hubkioskd
swift build -c release --static-swift-stdlib --scratch-path "$build" --product hubkiosk
bin="$(swift build -c release --static-swift-stdlib --scratch-path "$build" --show-bin-path)"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
install -D -m 0755 "$bin/hubkioskd" "$stage/usr/bin/hubkioskd"
install -D -m 0755 "$bin/hubkiosk" "$stage/usr/bin/hubkiosk"
strip --strip-unneeded "$stage/usr/bin/hubkioskd" "$stage/usr/bin/hubkiosk"
install -D -m 0644 systemd/hubkioskd.service "$stage/lib/systemd/system/hubkioskd.service"
install -D -m 0644 systemd/hubkiosk.sysusers "$stage/usr/lib/sysusers.d/hubkiosk.conf"
install -D -m 0644 systemd/hubkiosk.tmpfiles "$stage/usr/lib/tmpfiles.d/hubkiosk.conf"
install -D -m 0644 systemd/60-hubkiosk.rules "$stage/lib/udev/rules.d/60-hubkiosk.rules"
install -D -m 0644 packaging/kiosk.toml "$stage/etc/hubkiosk/kiosk.toml"
install -D -m 0644 Simulator/directory.json "$stage/etc/hubkiosk/directory.json"
install -D -m 0644 README.md "$stage/usr/share/doc/hubkiosk/README.md"
install -D -m 0644 Simulator/kiosk.toml "$stage/usr/share/doc/hubkiosk/examples/simulator-kiosk.toml"

# Depends: the Debian packages that hold the shared libraries the binaries need (libgpiod2 on Debian 12,
# libgpiod3 on Debian 13, and so on).
depends="$(
    for lib in $(ldd "$stage/usr/bin/hubkioskd" "$stage/usr/bin/hubkiosk" | awk '/=> \//{print $3}' | sort -u); do
        dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true
    done | cut -d: -f1 | sort -u | grep -v '^libc6$' | tr '\n' ',' | sed 's/,$//; s/,/, /g'
)"
depends="libc6, ${depends:+$depends, }systemd, procps"  # procps: kill, for `systemctl reload`

mkdir -p "$stage/DEBIAN"
installed_size="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: hubkiosk
Version: $version
Architecture: $arch
Maintainer: HubKiosk maintainers
Installed-Size: $installed_size
Depends: $depends
Section: misc
Priority: optional
Description: check-in kiosk for community drop-in hubs
 Visitors press big buttons to check in and say what they need; a receipt printer
 prints a signposting slip with local services. Anonymous visit counts are kept in
 SQLite and exported for the partnership with small counts suppressed.
CONTROL
cat > "$stage/DEBIAN/conffiles" <<CONFFILES
/etc/hubkiosk/kiosk.toml
/etc/hubkiosk/directory.json
CONFFILES
cat > "$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = "configure" ]; then
    systemd-sysusers hubkiosk.conf || true
    systemd-tmpfiles --create hubkiosk.conf || true
    if command -v udevadm >/dev/null; then
        udevadm control --reload-rules || true
        udevadm trigger --subsystem-match=gpio --subsystem-match=usbmisc --subsystem-match=tty || true
    fi
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload || true
        systemctl enable hubkioskd.service || true
        echo "hubkiosk: edit /etc/hubkiosk/kiosk.toml, check with 'hubkiosk doctor', then 'sudo systemctl start hubkioskd'"
    fi
fi
POSTINST
cat > "$stage/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = "remove" ]; then
    systemctl stop hubkioskd.service || true
    systemctl disable hubkioskd.service || true
fi
PRERM
cat > "$stage/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
# The database in /var/lib/hubkiosk is kept on purpose (counts are never lost), even on purge.
POSTRM
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"

out="hubkiosk_${version}_${arch}.deb"
dpkg-deb --build --root-owner-group "$stage" "$out"
dpkg-deb --info "$out" | sed -n '/Package:/,/Description:/p'
echo "built $out"
