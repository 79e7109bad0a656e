# Helpers for Scripts/vm/harness.sh and the checks in Scripts/vm/checks/ (sourced, inside the VM).
PASS=0
FAIL=0
W=/tmp/vm
mkdir -p "$W"

uptime() { cut -d' ' -f1 /proc/uptime; }
ok() { PASS=$((PASS + 1)); echo "ok $1 [$(uptime) s]"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $1: $2 [$(uptime) s]"; }
# check NAME COMMAND...: ok if the command succeeds.
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name" "$*"; fi; }

# waitfor SECONDS COMMAND...: runs the command every 50 ms until it succeeds (0) or the time is up (1).
waitfor() {
    local until=$(($(date +%s%N) + $1 * 1000000000)); shift
    while ! "$@" 2>/dev/null; do
        [ "$(date +%s%N)" -lt "$until" ] || return 1
        sleep 0.05
    done
}

# eq WANT COMMAND...: the command prints WANT. like PATTERN COMMAND...: its output matches the glob PATTERN.
# (For waitfor: the command runs again on every try.)
eq() { local want=$1; shift; test "$("$@")" = "$want"; }
like() { local pattern=$1; shift; [[ "$("$@")" == $pattern ]]; }

# The chip: 28 lines named GPIO0..GPIO27 as on a Pi, so packaging/kiosk.toml works unchanged.
SIMCFG=/sys/kernel/config/gpio-sim/pi
setup_gpio_sim() {
    mkdir "$SIMCFG" "$SIMCFG/bank0" || { fail "gpio-sim chip" "configfs"; return; }
    echo 28 >"$SIMCFG/bank0/num_lines"
    for i in $(seq 0 27); do mkdir "$SIMCFG/bank0/line$i"; echo "GPIO$i" >"$SIMCFG/bank0/line$i/name"; done
    echo 1 >"$SIMCFG/live"
    CHIP=$(cat "$SIMCFG/bank0/chip_name")
    SIMSYS=/sys/devices/platform/$(cat "$SIMCFG/dev_name")/$CHIP
    check "gpio-sim chip /dev/$CHIP with lines GPIO0..GPIO27" test -c "/dev/$CHIP"
    for i in $(seq 0 27); do echo pull-up >"$SIMSYS/sim_gpio$i/pull"; done  # buttons idle high (active low)
}
press() { echo pull-down >"$SIMSYS/sim_gpio$1/pull"; }   # press GPIO$1 (to ground)
release() { echo pull-up >"$SIMSYS/sim_gpio$1/pull"; }
level() { cat "$SIMSYS/sim_gpio$1/value"; }              # what output GPIO$1 is driven to

# The printer: a USB printer gadget on dummy_udc, seen by the kernel's usblp as /dev/usb/lp0.
GADGET=/sys/kernel/config/usb_gadget/printer
setup_printer_gadget() {
    mkdir -p "$GADGET/strings/0x409" "$GADGET/configs/c.1/strings/0x409" "$GADGET/functions/printer.usb0"
    echo 0x04b8 >"$GADGET/idVendor"; echo 0x0e15 >"$GADGET/idProduct"   # an Epson TM-T20II's ids
    echo EPSON >"$GADGET/strings/0x409/manufacturer"; echo "TM-T20II" >"$GADGET/strings/0x409/product"
    echo vm0001 >"$GADGET/strings/0x409/serialnumber"
    echo "MFG:EPSON;CMD:ESC/POS;MDL:TM-T20II;CLS:PRINTER;" >"$GADGET/functions/printer.usb0/pnp_string"
    # One receive buffer on the gadget's side (the default is 10 of 8 KB): while the printer peer is paused, the host
    # can queue one write and the next one waits, as on a printer that has stopped taking bytes.
    echo 1 >"$GADGET/functions/printer.usb0/q_len"
    echo printer >"$GADGET/configs/c.1/strings/0x409/configuration"
    ln -s "$GADGET/functions/printer.usb0" "$GADGET/configs/c.1/"
    plug
    check "USB printer gadget: /dev/usb/lp0 (usblp) and /dev/g_printer0" waitfor 20 test -c /dev/usb/lp0 -a -c /dev/g_printer0
    mkdir -p "$W/peer"
    : >"$W/received"
    python3 Scripts/vm/printer-peer.py /dev/g_printer0 "$W/received" "$W/peer" &
    PEER=$!
}
plug() { ls /sys/class/udc >"$GADGET/UDC"; }
unplug() { echo "" >"$GADGET/UDC"; }
