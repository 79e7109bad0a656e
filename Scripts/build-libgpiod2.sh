#!/usr/bin/env bash
# Builds libgpiod 2.x (v2 API, as on Debian 13 / Raspberry Pi OS trixie) as a static library from the C sources
# that ship in the `gpiod` source package on PyPI, and writes a pkg-config file for it, so that HubKiosk can be
# built against both libgpiod APIs on a Debian 12 machine (which has only 1.6).
#
#   Scripts/build-libgpiod2.sh PREFIX      # then: PKG_CONFIG_PATH=PREFIX/lib/pkgconfig swift build ...
set -euo pipefail
prefix="$(realpath -m "${1:?usage: Scripts/build-libgpiod2.sh PREFIX}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --no-binary=:all: gpiod -d "$work"
tar -xzf "$work"/gpiod-*.tar.gz -C "$work"
source="$(echo "$work"/gpiod-*/)"
version="$(cat "$source/libgpiod-version.txt" 2>/dev/null || echo 2.x)"
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include" "$work/objects"
for file in "$source"/lib/*.c; do
    cc -c -O2 -fPIC -D_GNU_SOURCE -DGPIOD_API_VERSION_STR="\"$version\"" -I"$source/include" -I"$source/lib" \
        "$file" -o "$work/objects/$(basename "${file%.c}").o"
done
# A name of its own: Debian 12 has libgpiod.so (1.6) in a directory the linker may search first.
ar rcs "$prefix/lib/libgpiod2-hubkiosk.a" "$work"/objects/*.o
cp "$source/include/gpiod.h" "$prefix/include/gpiod.h"
cat > "$prefix/lib/pkgconfig/libgpiod.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: libgpiod
Description: Library for interacting with Linux GPIO character devices (static, v2 API)
Version: $version
Libs: -L\${libdir} -lgpiod2-hubkiosk
Cflags: -I\${includedir}
PC
echo "libgpiod $version in $prefix"
