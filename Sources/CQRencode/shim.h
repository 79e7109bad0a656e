// libqrencode, for printers without QR firmware: the symbol is printed as a raster image.
#ifndef HUBKIOSK_CQRENCODE_SHIM_H
#define HUBKIOSK_CQRENCODE_SHIM_H

#include <qrencode.h>

#endif
