# The printer over the real usblp, on a running daemon (sourced by checks/20-daemon.sh; K and KPID set): paper empty
# through LPGETSTATUS and cover open through DLE EOT, unplug and re-plug, paper near end through DLE EOT; and a button
# held past the stuck limit. Needs are pressed 6 s apart (the kiosk prints at most one slip per 5 s).
slip_status() { db "SELECT status || ':' || coalesce(reason, '') FROM slip WHERE needs = '$1'"; }
kiosk_says() { kiosk status && grep -q "$1" "$K/last"; }
press_need() { sleep 6; press "$1"; sleep 0.2; release "$1"; }

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
    press 16                                                            # caring: GPIO16, held
    check "$label: a button held down (GPIO16) is stored" waitfor 30 eq 1 presses caring
    check "$label: ... after 30 s it is flagged stuck" waitfor 45 eq 1 presses caring " AND flags & 8 = 8"
    check "$label: ... and left out of the counts" eq 0 db "SELECT count(*) FROM visit_need WHERE need = 'caring'"
    check "$label: ... the staff-alert line (GPIO10) signals" waitfor 10 eq 1 level 10
    check "$label: ... and staff are told" waitfor 10 kiosk_says 'caring is stuck'
    release 16
    check "$label: released: the staff-alert line goes off" waitfor 10 steady 0 10
}
