#!/usr/bin/env bash
# Runs inside the VM (Scripts/vm/init chroots into this machine's files, shared read-only over 9p): makes a gpio-sim
# chip with the Pi's line names and a USB printer gadget on dummy_udc, then checks the board backend on them.
# Prints "ok NAME" / "FAIL NAME: why" per check and a last line "RESULT pass N fail M".
#   harness.sh REPO OUT
set -uo pipefail
REPO=$1
OUT=$2
cd "$REPO"
source Scripts/vm/lib.sh

setup_gpio_sim
setup_printer_gadget

for t in Scripts/vm/checks/[0-9]*.sh; do
    source "$t"
done

echo "RESULT pass $PASS fail $FAIL"
