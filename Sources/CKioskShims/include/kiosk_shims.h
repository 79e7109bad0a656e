#ifndef HUBKIOSK_KIOSK_SHIMS_H
#define HUBKIOSK_KIOSK_SHIMS_H

/// Whether the kernel considers the system clock synchronised (adjtimex: STA_UNSYNC clear and not TIME_ERROR).
/// Returns 1 if synchronised, 0 if not, -1 (errno set) if the kernel could not be asked.
int hubkiosk_clock_synchronized(void);

#endif
