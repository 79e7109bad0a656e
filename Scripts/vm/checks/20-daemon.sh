# The whole daemon on the board backend with packaging/kiosk.toml (sourced by harness.sh), once per libgpiod build:
# presses through the gpio-sim chip end as stored presses and printed slips that decode to the expected slip, the
# LED follows, and SIGTERM while a slip is in flight exits 0 with the slip recorded as printed.
TOOL=$REPO/.build/debug/hubkiosk
source Scripts/vm/checks/printer.sh

# The kiosk prints at most one slip per 5 s: gap waits until 6 s after the last press that asked for a slip (no
# longer: the suite has to fit in VM_TIMEOUT), tap LINE presses GPIO$LINE for 0.2 s after that gap, and pressed
# notes a press made otherwise.
LAST_PRESS=0
now_ms() { date +%s%3N; }
gap() { local ms=$((LAST_PRESS + 6000 - $(now_ms))); [ "$ms" -le 0 ] || sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"; }
pressed() { LAST_PRESS=$(now_ms); }
tap() { gap; press "$1"; pressed; sleep 0.2; release "$1"; }

# packaging/kiosk.toml without its [web] table: the staff pages are tested in a browser (Tests/Browser); here the
# printer gadget must get the kiosk's slips only, not the pages' first setup-code slip.
board_config() { sed '/^\[web\]/,/^$/d' packaging/kiosk.toml; }

# kiosk_start LABEL DAEMON: starts it with a fresh state directory; sets K (its folder) and KPID.
kiosk_start() {
    K=$W/$1
    rm -rf "$K" && mkdir -p "$K/state"
    board_config >"$K/kiosk.toml"
    cp Simulator/directory.json "$K/directory.json"
    "$2" --config "$K/kiosk.toml" --state-dir "$K/state" >"$K/log" 2>&1 &
    KPID=$!
    waitfor 60 kiosk status
}
kiosk() { "$TOOL" "$@" --config "$K/kiosk.toml" --state-dir "$K/state" >"$K/last" 2>&1; }
db() { sqlite3 -readonly "$K/state/hubkiosk.sqlite" "$1"; }
presses() { db "SELECT count(*) FROM press WHERE need = '$1'${2:-}"; }   # presses NEED [AND-CLAUSE]
slips() { db "SELECT count(*) FROM slip WHERE needs = '$1' AND status = '$2'"; }
received_has() { grep -aqF "$1" "$W/received"; }

# The slip the daemon printed equals what `hubkiosk slip preview` encodes for that need at that minute.
slip_matches() {
    local need=$1 at=$2 minute
    for minute in $(date -d "@$at" +%Y-%m-%dT%H:%M) $(date -d "@$((at + 60))" +%Y-%m-%dT%H:%M); do
        "$TOOL" slip preview --config "$K/kiosk.toml" --need "$need" --at "$minute" --escpos "$K/expected" \
            >/dev/null 2>&1 || continue
        python3 -c 'import sys; e=open(sys.argv[1],"rb").read(); r=open(sys.argv[2],"rb").read(); sys.exit(0 if e and e in r else 1)' \
            "$K/expected" "$W/received" && return 0
    done
    return 1
}

daemon_suite() {
    local label=$1 daemon=$2
    if [ ! -x "$daemon" ]; then
        fail "$label: daemon" "$daemon is not built"
        return
    fi
    : >"$W/received"
    rm -f "$W/peer/"*
    LAST_PRESS=0
    if ! kiosk_start "$label" "$daemon"; then
        fail "$label: daemon starts on the board backend" "$(tail -n 5 "$K/log")"
        kill "$KPID" 2>/dev/null
        return
    fi
    ok "$label: daemon starts on the board backend ($("$daemon" --version))"

    # A second kiosk on the same chip: its lines are busy; it stops with exit 69 naming the key, line and holder.
    local B=$W/$label-busy code
    mkdir -p "$B/state" && cp "$K/kiosk.toml" "$K/directory.json" "$B/"
    timeout 60 "$daemon" --config "$B/kiosk.toml" --state-dir "$B/state" >"$B/log" 2>&1; code=$?
    check "$label: a busy line stops start-up with exit 69 (exit $code)" test "$code" = 69
    check "$label: ... naming the line and who holds it" grep -q 'GPIO[0-9]*).* is in use by' "$B/log"

    local at
    at=$(date +%s)
    tap 6                                                          # food: GPIO6
    check "$label: a food press through the chip is stored" waitfor 30 eq 1 presses food " AND flags = 0"
    check "$label: its slip is printed over usblp" waitfor 30 eq 1 slips food printed
    check "$label: the bytes the printer received are the expected slip" slip_matches food "$at"
    check "$label: the food LED (GPIO27) is on" waitfor 30 eq 1 level 27
    check "$label: other LEDs stay off (GPIO17)" eq 0 level 17

    # Bounce: seven fast flips on press and on release are one stored press (software debounce on 1.6, the
    # kernel's on 2.x).
    gap
    pressed
    for _ in 1 2 3; do press 26; release 26; done; press 26; sleep 0.3
    for _ in 1 2 3; do release 26; press 26; done; release 26
    check "$label: a bouncing button (GPIO26) is one stored press" waitfor 30 eq 1 presses social
    sleep 2
    check "$label: ... and stays one" eq 1 presses social

    [ "$label" = "libgpiod 1.6" ] && printer_suite "$label"
    if [ "$label" = "libgpiod 2.x" ]; then
        stuck_suite "$label"
        unplug_during_slip_suite "$label"
    fi

    # SIGTERM while a slip is in flight: the printer stops taking bytes and answering, then comes back. The press
    # comes more than the slip interval (5 s) after the last slip (gap), so that its slip goes to the printer at once
    # (a slip held back by the interval at SIGTERM is printed when its time comes: ShutdownTests).
    gap
    touch "$W/peer/paused"
    tap 5                                                          # money: GPIO5
    waitfor 30 eq 1 presses money
    waitfor 30 eq 1 db "SELECT count(*) FROM slip WHERE needs = 'money'"
    kill -TERM "$KPID"
    sleep 1
    rm -f "$W/peer/paused"
    local code
    if waitfor 30 eval '! kill -0 $KPID'; then
        wait "$KPID"; code=$?
        check "$label: SIGTERM during a slip exits 0 (exit $code)" test "$code" = 0
        check "$label: the slip in flight at SIGTERM is recorded as printed" eq 1 slips money printed
        check "$label: ... and the stop as clean" eq clean db "SELECT value FROM kiosk_state WHERE key = 'shutdown'"
    else
        fail "$label: SIGTERM during a slip exits 0" "still running after 30 s"
        kill -KILL "$KPID"
    fi
}

# A line the chip does not have: start-up stops with exit 69, naming the key and the line, listing the chip's lines.
missing_line() {
    local label=$1 daemon=$2 M=$W/$1-missing code
    [ -x "$daemon" ] || return
    mkdir -p "$M/state" && cp Simulator/directory.json "$M/"
    board_config | sed 's/line = "GPIO6"/line = "GPIO99"/' >"$M/kiosk.toml"
    timeout 60 "$daemon" --config "$M/kiosk.toml" --state-dir "$M/state" >"$M/log" 2>&1; code=$?
    check "$label: a missing line stops start-up with exit 69 (exit $code)" test "$code" = 69
    check "$label: ... naming the line and the chip's lines" grep -q 'no line called "GPIO99".*GPIO5, GPIO6' "$M/log"
}

missing_line "libgpiod 1.6" "$REPO/.build/debug/hubkioskd"
missing_line "libgpiod 2.x" "$REPO/.build-gpiod2/debug/hubkioskd"
daemon_suite "libgpiod 1.6" "$REPO/.build/debug/hubkioskd"
daemon_suite "libgpiod 2.x" "$REPO/.build-gpiod2/debug/hubkioskd"
