#include "kiosk_shims.h"

#include <string.h>
#include <sys/timex.h>

int hubkiosk_clock_synchronized(void) {
    struct timex tx;
    memset(&tx, 0, sizeof tx);
    int state = adjtimex(&tx);
    if (state == -1) {
        return -1;
    }
    return (state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0) ? 1 : 0;
}
