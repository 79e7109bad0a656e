# The GPIO conformance suite (Tests/GPIOConformance) on the real character device, once per libgpiod build: the
# `gpio-conformance` runner built beside each hubkioskd (sourced by harness.sh). Each of its checks is one line
# here (the runner's output is kept in .build-vm/out/); a runner that is not built, a check that does not report and
# a runner that does not exit 0 are failures.
conformance() {
    local label=$1 runner=$2 log=$OUT/conformance-${1//[^a-z0-9.]/}.log code name line
    if [ ! -x "$runner" ]; then
        fail "$label: GPIO conformance suite" "$runner is not built (swift build --product gpio-conformance; .ci/run)"
        return
    fi
    timeout 150 "$runner" >"$log" 2>&1; code=$?
    head -n 1 "$log" | sed -n 's/^# /  /p'                             # the libgpiod API and the debounce
    while IFS= read -r line; do
        case "$line" in
        "ok "*) ok "$label: ${line#ok }" ;;
        "FAIL "*) FAIL=$((FAIL + 1)); echo "FAIL $label: ${line#FAIL } [$(uptime) s]" ;;
        esac
    done <"$log"
    # Every check reports: the runner's first line says how many there are; --list names them.
    local want reported
    want=$(head -n 1 "$log" | sed -n 's/.*; \([0-9]*\) checks$/\1/p')
    reported=$(grep -c '^ok \|^FAIL ' "$log")
    if [ -z "$want" ] || [ "$reported" != "$want" ]; then
        "$runner" --list >"$W/conformance.list" 2>&1
        while IFS= read -r name; do
            grep -qxF "ok $name" "$log" || grep -qF "FAIL $name: " "$log" ||
                fail "$label: $name" "did not report (exit $code; last line: $(tail -n 1 "$log"))"
        done <"$W/conformance.list"
    fi
    check "$label: the conformance runner exits 0 (exit $code)" test "$code" = 0
}
conformance "libgpiod 1.6" "$REPO/.build/debug/gpio-conformance"
conformance "libgpiod 2.x" "$REPO/.build-gpiod2/debug/gpio-conformance"
