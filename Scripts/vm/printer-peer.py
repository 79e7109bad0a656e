#!/usr/bin/env python3
"""The printer's side of the USB printer gadget (/dev/g_printer0) inside the VM.

Appends every byte the host sends (through usblp) to RECEIVED, except DLE EOT n status queries, which it answers
with the byte in CONTROL/answer-N (default 0x12: ready). CONTROL/port-status, when present, is set as the port
status LPGETSTATUS returns (GADGET_SET_PRINTER_STATUS). While CONTROL/paused exists it reads nothing (the host's
writes block, as on a printer that has stopped). Runs until killed.
"""
import fcntl
import os
import select
import sys

GADGET_SET_PRINTER_STATUS = 0xC0016722  # _IOWR('g', 0x22, unsigned char); the status is the argument itself

device, received, control = sys.argv[1:4]


def setting(name, default):
    try:
        with open(os.path.join(control, name)) as f:
            return int(f.read().strip(), 0)
    except (OSError, ValueError):
        return default


fd = os.open(device, os.O_RDWR | os.O_NONBLOCK)
out = open(received, "ab", buffering=0)
pending = b""
port = None
while True:
    wanted = setting("port-status", 0x18)
    if wanted != port:
        fcntl.ioctl(fd, GADGET_SET_PRINTER_STATUS, wanted)
        port = wanted
    if os.path.exists(os.path.join(control, "paused")):
        select.select([], [], [], 0.05)
        continue
    ready, _, _ = select.select([fd], [], [], 0.05)
    if not ready:
        continue
    try:
        chunk = os.read(fd, 4096)
    except BlockingIOError:
        continue
    except OSError:  # the gadget was unbound (unplugged): wait for the re-plug
        select.select([], [], [], 0.05)
        continue
    pending += chunk
    while True:
        at = pending.find(b"\x10\x04")
        if at < 0 or at + 2 >= len(pending):
            break
        out.write(pending[:at])
        n = pending[at + 2]
        pending = pending[at + 3:]
        if 1 <= n <= 4:
            answer = setting("answer-%d" % n, 0x12)
            if answer >= 0:
                os.write(fd, bytes([answer]))
        else:
            out.write(bytes([0x10, 0x04, n]))
    keep = 2 if pending.endswith(b"\x10\x04") else 1 if pending.endswith(b"\x10") else 0
    out.write(pending[: len(pending) - keep])
    pending = pending[len(pending) - keep:]
