#ifndef HUBKIOSK_KIOSK_SHIMS_H
#define HUBKIOSK_KIOSK_SHIMS_H

/// Whether the kernel considers the system clock synchronised (adjtimex: STA_UNSYNC clear and not TIME_ERROR).
/// Returns 1 if synchronised, 0 if not, -1 (errno set) if the kernel could not be asked.
int hubkiosk_clock_synchronized(void);

/// Limits glibc's malloc to `arenas` arenas (a small daemon does not need one per thread). Returns 1 on success.
int hubkiosk_limit_malloc_arenas(int arenas);

/// Returns free heap memory to the kernel (glibc malloc_trim). Returns 1 if memory was released.
int hubkiosk_release_free_memory(void);

/// Opens a pseudo-terminal pair (like openpty(3)): the master descriptor goes to `*master`, the slave's path to
/// `slave_path`. Returns 0, or -1 with errno set. Used to test the serial printer transport without a printer.
int hubkiosk_openpty(int *master, char *slave_path, unsigned long size);

#endif
