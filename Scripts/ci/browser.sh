#!/usr/bin/env bash
# The pages in a real browser: headless Chromium (Debian's chromium and chromium-driver) driven by Selenium, with
# axe-core on every page (axe-selenium-python). Fails, never skips, when the browser is missing or no test ran.
#
#   Scripts/ci/browser.sh [BUILD_DIR]      # default .build/debug; screenshots in $BROWSER_SCREENSHOTS
#                                          # (default browser-screenshots/)
set -euo pipefail
cd "$(dirname "$0")/../.."
build_dir="$(realpath "${1:-.build/debug}")"
for tool in chromium chromedriver; do
    if ! command -v "$tool" >/dev/null; then
        echo "browser.sh: $tool is missing (apt-get install chromium chromium-driver): the browser suite did not run" >&2
        exit 1
    fi
done
venv=${BROWSER_VENV:-/tmp/hubkiosk-browser}
if [ ! -x "$venv/bin/pytest" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "selenium>=4.20,<5" "axe-selenium-python>=2.1,<3" "pytest>=8,<9"
fi
export HUBKIOSK_BUILD_DIR="$build_dir" HUBREPORT_BUILD_DIR="$build_dir"
export BROWSER_SCREENSHOTS="${BROWSER_SCREENSHOTS:-$PWD/browser-screenshots}"
rm -rf "$BROWSER_SCREENSHOTS"
report=$(mktemp /tmp/hubkiosk-browser-XXXXXX.xml)
status=0
"$venv/bin/pytest" -p no:cacheprovider -rA --junitxml="$report" Tests/Browser || status=$?
# Every collected test must have run and passed: a skip is a failure here.
python3 - "$report" <<'PY'
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root)
tests = sum(int(s.get("tests", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
print(f"browser.sh: {tests} tests, {failed} failed, {skipped} skipped")
if tests == 0 or skipped or failed:
    print("browser.sh: the browser suite did not pass in full", file=sys.stderr)
    sys.exit(1)
PY
[ "$status" -eq 0 ] || exit "$status"
echo "browser.sh: screenshots in $BROWSER_SCREENSHOTS"
