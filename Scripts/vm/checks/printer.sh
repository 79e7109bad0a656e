# The printer over the real usblp, on a running daemon (sourced by checks/20-daemon.sh; K and KPID set): paper empty
# through LPGETSTATUS and cover open through DLE EOT, unplug and re-plug, paper near end through DLE EOT. Needs are pressed 6 s apart (the
# kiosk prints at most one slip per 5 s).
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
