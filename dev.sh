#!/usr/bin/env bash
# HubKiosk development set-up on Debian 12 / Raspberry Pi OS (bookworm).
#
#   ./dev.sh run [hubkioskd options]   build, then run the kiosk on the simulator (Simulator/kiosk.toml)
#   ./dev.sh test                      build, then run the whole test suite
#
# Both install the Debian packages the build needs if they are missing (with sudo when not root); `test` also
# installs what the tests use (PostgreSQL, openssl, Python 3, Chromium and its driver) and starts a throwaway PostgreSQL cluster on
# loopback for hubreport's store suite, unless $HUBREPORT_TEST_POSTGRES_URL already names a server.
set -euo pipefail
cd "$(dirname "$0")"

packages=(libsqlite3-dev libgpiod-dev libqrencode-dev pkg-config zbar-tools)

ensure_packages() {
    local missing=()
    for package in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return
    echo "dev.sh: installing ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

ensure_swift() {
    if ! command -v swift >/dev/null; then
        for candidate in /opt/swift/usr/bin "$HOME/.local/share/swiftly/bin"; do
            [ -x "$candidate/swift" ] && export PATH="$candidate:$PATH" && break
        done
    fi
    if ! command -v swift >/dev/null; then
        echo "dev.sh: Swift 6 is not installed; see \"Installing Swift\" in README.md" >&2
        exit 1
    fi
}

case "${1:-}" in
run)
    shift
    ensure_packages
    ensure_swift
    swift build --product hubkioskd
    swift build --product hubkiosk
    echo "dev.sh: kiosk starting; in another terminal: .build/debug/hubkiosk sim press food" >&2
    exec .build/debug/hubkioskd --config Simulator/kiosk.toml "$@"
    ;;
test)
    packages+=(postgresql openssl python3 python3-venv chromium chromium-driver)
    ensure_packages
    ensure_swift
    if [ -z "${HUBREPORT_TEST_POSTGRES_URL:-}" ]; then
        HUBREPORT_TEST_POSTGRES_URL=$(Scripts/ci/postgres.sh)
        export HUBREPORT_TEST_POSTGRES_URL
        echo "dev.sh: PostgreSQL for the tests at $HUBREPORT_TEST_POSTGRES_URL (Scripts/ci/postgres.sh --stop stops it)" >&2
    fi
    swift build --build-tests
    swift format lint --strict --recursive Sources Simulator/Sources Tests Benchmarks/Sources Fuzz/Sources Package.swift
    # The flood test holds a thousand connections open in the test process; other tests start programs, and
    # Foundation's Process.run() of Swift 6.3 can crash while it lists many open descriptors: it runs on its own,
    # with the endless-body test, whose body timeout a loaded run (every test at once) makes meaningless.
    swift test --skip-build --skip "ControlSocketTests/flood" --skip "ControlSocketTests/endlessBody"
    # A filter that matches nothing passes: the run must say it ran both.
    socket_log=$(mktemp)
    swift test --skip-build --filter "ControlSocketTests/flood|ControlSocketTests/endlessBody" 2>&1 | tee "$socket_log"
    if ! grep -q "Test run with 2 tests" "$socket_log"; then
        echo "dev.sh: the flood and endless-body tests did not both run (renamed?): see ControlSocketTests" >&2
        exit 1
    fi
    rm -f "$socket_log"
    python3 Tests/SyncEndToEnd/run.py --build-dir .build/debug
    # The pages in a real browser (headless Chromium, Selenium, axe-core): fails if the suite did not run.
    Scripts/ci/browser.sh .build/debug
    ;;
*)
    echo "usage: ./dev.sh run [hubkioskd options] | ./dev.sh test" >&2
    exit 64
    ;;
esac
