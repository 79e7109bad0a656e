# The GPIO conformance suite (Tests/KioskHardwareTests) on the real character device, from the libgpiod 1.6 test
# build (sourced by harness.sh). Every gpio-sim test must run and pass: a skipped one is a failure here.
BUNDLE=$REPO/.build/debug/HubKioskPackageTests.xctest
conformance() {
    local log=$W/conformance.log expected=0 passed code
    if [ ! -x "$BUNDLE" ]; then
        fail "GPIO conformance suite (libgpiod 1.6)" "$BUNDLE is not built (swift build --build-tests)"
        return
    fi
    timeout 120 "$BUNDLE" --testing-library swift-testing \
        --filter 'GPIOSimConformance|ButtonSourceConformance/board|IndicatorConformance/board' 2>&1 |
        sed 's/\x1b\[[0-9;]*m//g' >"$log"
    code=${PIPESTATUS[0]}
    expected=$(grep -c '@Test(' Tests/KioskHardwareTests/GPIOSimConformanceTests.swift)
    expected=$((expected + 2))
    passed=$(grep '^✔ Test .* passed' "$log" | grep -vc '^✔ Test run with')
    grep -E 'skipped|failed|recorded an issue' "$log" | head -n 40
    [ "$code" = 0 ] || tail -n 20 "$log"
    check "GPIO conformance suite on gpio-sim (libgpiod 1.6): $passed of $expected tests passed (exit $code)" \
        test "$code" = 0 -a "$passed" = "$expected"
}
conformance
