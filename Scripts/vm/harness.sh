#!/usr/bin/env bash
# Runs inside the VM (Scripts/vm/init chroots into this machine's files, shared read-only over 9p): makes a gpio-sim
# chip with the Pi's line names and a USB printer gadget on dummy_udc, then checks the board backend on them.
# Prints "ok NAME" / "FAIL NAME: why" per check and a last line "RESULT pass N fail M".
#   harness.sh REPO OUT [ONLY]      ONLY: the checks to run, by number (10,20), for a quicker run by hand
set -uo pipefail
REPO=$1
OUT=$2
ONLY=${3:-}
cd "$REPO"
source Scripts/vm/lib.sh

setup_gpio_sim
setup_printer_gadget

for t in Scripts/vm/checks/[0-9]*.sh; do
    n=$(basename "$t"); n=${n%%-*}
    [ -z "$ONLY" ] || [[ ",$ONLY," == *",$n,"* ]] || { echo "(not run: $t)"; continue; }
    source "$t"
done

echo "RESULT pass $PASS fail $FAIL"
