# The GPIO conformance suite (Tests/GPIOConformance) on the real character device, once per libgpiod build: the
# `gpio-conformance` runner built beside each hubkioskd (sourced by harness.sh). Each of its checks is one line
# here (the runner's output is kept in .build-vm/out/); a runner that is not built, a check that does not report and
# a runner that does not exit 0 are failures.
conformance() {
    local label=$1 runner=$2 log=$OUT/conformance-${1//[^a-z0-9.]/}.log code name why
    if [ ! -x "$runner" ]; then
        fail "$label: GPIO conformance suite" "$runner is not built (swift build --product gpio-conformance)"
        return
    fi
    timeout 150 "$runner" >"$log" 2>&1; code=$?
    head -n 1 "$log" | sed -n 's/^# /  /p'                             # the libgpiod API and the debounce
    "$runner" --list >"$W/conformance.list" 2>&1 || fail "$label: gpio-conformance --list" "$(cat "$W/conformance.list")"
    while IFS= read -r name; do
        why=$(grep -F "FAIL $name: " "$log" | head -n 1)
        if grep -qxF "ok $name" "$log"; then
            ok "$label: $name"
        elif [ -n "$why" ]; then
            fail "$label: $name" "${why#"FAIL $name: "}"
        else
            fail "$label: $name" "did not report (exit $code; last line: $(tail -n 1 "$log"))"
        fi
    done <"$W/conformance.list"
    check "$label: the conformance runner exits 0 (exit $code)" test "$code" = 0
}
conformance "libgpiod 1.6" "$REPO/.build/debug/gpio-conformance"
conformance "libgpiod 2.x" "$REPO/.build-gpiod2/debug/gpio-conformance"
