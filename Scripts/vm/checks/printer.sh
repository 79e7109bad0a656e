# The printer over the real usblp, on a running daemon (sourced by checks/20-daemon.sh; K and KPID set): paper empty
# through LPGETSTATUS and cover open through DLE EOT, unplug and re-plug, paper near end through DLE EOT; and a button
# held past the stuck limit. Needs are pressed 6 s apart (the kiosk prints at most one slip per 5 s: gap, tap).
slip_status() { db "SELECT status || ':' || coalesce(reason, '') FROM slip WHERE needs = '$1'"; }
kiosk_says() { kiosk status && grep -q "$1" "$K/last"; }
press_need() { tap "$1"; }                                              # tap: checks/20-daemon.sh

printer_suite() {
    local label=$1
    echo 0x38 >"$W/peer/port-status"                                   # LPGETSTATUS: selected, paper empty
    press_need 13                                                       # housing
    check "$label: paper empty (LPGETSTATUS): the slip is recorded as not printed" waitfor 30 like 'not_printed:*paper*' slip_status housing
    check "$label: ... and the press still counts" eq 1 db "SELECT count(*) FROM visit_need WHERE need = 'housing'"
    check "$label: ... and the staff-alert line (GPIO10) signals" waitfor 30 eq 1 level 10
    echo 0x18 >"$W/peer/port-status"

    echo 0x16 >"$W/peer/answer-2"                                       # DLE EOT 2: cover open
    echo 0x1a >"$W/peer/answer-1"                                       # DLE EOT 1: offline
    press_need 19                                                       # wellbeing
    check "$label: cover open (DLE EOT): the slip is recorded as not printed" waitfor 30 like 'not_printed:*cover*' slip_status wellbeing
    rm -f "$W/peer/answer-1" "$W/peer/answer-2"

    unplug
    press_need 16                                                       # caring
    check "$label: unplugged: the slip is recorded as not printed" waitfor 30 like 'not_printed:*' slip_status caring
    plug
    waitfor 20 test -c /dev/usb/lp0
    sleep 6
    echo 0x1e >"$W/peer/answer-4"                                       # DLE EOT 4: paper near end
    press_need 20                                                       # work
    check "$label: re-plugged: the next slip prints without a restart" waitfor 30 eq printed: slip_status work
    check "$label: paper near end (DLE EOT 4, read after the slip): staff are told" waitfor 20 kiosk_says 'paper low'
    rm -f "$W/peer/answer-4"
    check "$label: ... and the slip that could not print is not replayed" like 'not_printed:*' slip_status caring
}

# steady LEVEL LINE: output GPIO$LINE reads LEVEL for 1.5 s on end (a blinking light does not).
steady() { local i; for i in $(seq 15); do [ "$(level "$2")" = "$1" ] || return 1; sleep 0.1; done; }

# A button held down longer than the stuck limit (packaging/kiosk.toml: 30 s), through the real daemon: the press is
# flagged and left out of the counts, staff are alerted (line and status) until it is released.
stuck_suite() {
    local label=$1
    gap
    press 16                                                            # caring: GPIO16, held
    pressed
    check "$label: a button held down (GPIO16) is stored" waitfor 30 eq 1 presses caring
    check "$label: ... after 30 s it is flagged stuck" waitfor 45 eq 1 presses caring " AND flags & 8 = 8"
    check "$label: ... and left out of the counts" eq 0 db "SELECT count(*) FROM visit_need WHERE need = 'caring'"
    check "$label: ... the staff-alert line (GPIO10) signals" waitfor 10 eq 1 level 10
    check "$label: ... and staff are told" waitfor 10 kiosk_says 'caring is stuck'
    release 16
    check "$label: released: the staff-alert line goes off" waitfor 10 steady 0 10
}

# The printer unplugged while a slip is being written, then plugged in again (on a running daemon; K and KPID set). The printer peer stops reading first, so the gadget's one
# receive buffer fills with the status query before the slip and the slip's write waits at the printer; then the
# gadget is unbound from its UDC (an unplug) and bound again.
printer_ready() { kiosk status && grep -q '^Printer: ready' "$K/last" && ! grep -q '^  - printer: ' "$K/last"; }
unplug_during_slip_suite() {
    local label=$1 since at preview
    gap
    touch "$W/peer/paused"
    at=$(date +%s)
    tap 13                                                              # housing
    # What the interrupted slip would have printed, to look for it later (slow to start under TCG: meanwhile).
    "$TOOL" slip preview --config "$K/kiosk.toml" --need housing --at "$(date -d "@$at" +%Y-%m-%dT%H:%M)" \
        --escpos "$K/interrupted" >/dev/null 2>&1 &
    preview=$!
    waitfor 30 eq 1 db "SELECT count(*) FROM slip WHERE needs = 'housing'"
    sleep 1
    check "$label: a slip the printer is not taking stays in flight (not printed yet)" like 'pending:*' slip_status housing
    unplug
    check "$label: unplugged during the slip: it is recorded as not printed" waitfor 30 like 'not_printed:*unplugged*' slip_status housing
    check "$label: ... the daemon is still running (the same process)" kill -0 "$KPID"
    check "$label: ... the staff-alert line (GPIO10) signals" waitfor 20 eq 1 level 10
    check "$label: ... and staff are told" waitfor 10 kiosk_says '^  - printer: '
    plug
    waitfor 20 test -c /dev/usb/lp0
    rm -f "$W/peer/paused"
    check "$label: re-plugged: the printer alert clears without a restart" waitfor 30 steady 0 10
    check "$label: ... and the status says the printer is ready, with no printer alert" waitfor 10 printer_ready
    since=$(stat -c %s "$W/received")
    at=$(date +%s)
    tap 20                                                              # work
    check "$label: ... the next slip prints" waitfor 30 eq printed: slip_status work
    check "$label: ... whole, as 'slip preview' encodes it" slip_matches work "$at"
    wait "$preview"
    check "$label: ... with nothing of the interrupted slip sent again" only_one_slip "$since"
    check "$label: ... which stays not printed" like 'not_printed:*' slip_status housing
}

# only_one_slip OFFSET: the printer received one slip (one ESC @) after byte OFFSET, and no line of the interrupted
# slip ($K/interrupted) that is not also on the slip that printed ($K/expected, from slip_matches).
only_one_slip() {
    python3 - "$W/received" "$1" "$K/interrupted" "$K/expected" <<'PY'
import sys
received = open(sys.argv[1], "rb").read()[int(sys.argv[2]):]
interrupted, printed = open(sys.argv[3], "rb").read(), open(sys.argv[4], "rb").read()
own = [line for line in interrupted.split(b"\n") if len(line) > 12 and line not in printed]
replayed = [line for line in own if line in received]
print("  after the re-plug: %d bytes, %d ESC @, %d of %d lines of the interrupted slip" % (
    len(received), received.count(b"\x1b@"), len(replayed), len(own)))
sys.exit(0 if own and not replayed and received.count(b"\x1b@") == 1 else 1)
PY
}
