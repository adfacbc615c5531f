#ifndef WIRETALE_CZLIB_SHIM_H
#define WIRETALE_CZLIB_SHIM_H
#include <zlib.h>

/// zlib's inflateInit2 is a macro (it passes the library version and the stream's size), so Swift
/// cannot call it directly: this is the same call as a function.
static inline int wiretale_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
#endif
