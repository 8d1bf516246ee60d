/* LD_PRELOAD shim for system tests: fdatasync() sleeps LANLORD_TEST_FDATASYNC_MS
 * first, like an SD card's fsync on a bad day, then does the real thing. The
 * kernel here has no dm-delay, so a slow disk is simulated in the process. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    const char* ms = getenv("LANLORD_TEST_FDATASYNC_MS");
    if (ms) {
        long v = atol(ms);
        struct timespec t = {v / 1000, (v % 1000) * 1000000L};
        while (nanosleep(&t, &t) != 0) {
        }
    }
    return real(fd);
}
