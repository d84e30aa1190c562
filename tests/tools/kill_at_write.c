/* LD_PRELOAD shim for crash-consistency tests: the process kills itself with SIGKILL
 * just before its N-th positioned write (pwrite or pwritev; N = AF_KILL_AT_WRITE), so
 * the file holds exactly the first N-1 writes, as after a kill at that instant. AF_KILL_AT_WRITE unset or 0: count
 * only, and print the total to stderr at exit. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long writes = 0;

static void report(void) { fprintf(stderr, "af_kill_at_write: %ld writes\n", writes); }

static long kill_at = -1;

static void count(void) {
  if (kill_at < 0) {
    const char* s = getenv("AF_KILL_AT_WRITE");
    kill_at = s ? atol(s) : 0;
    if (kill_at == 0) atexit(report);
  }
  if (++writes == kill_at) raise(SIGKILL);
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off_t off) {
  static ssize_t (*real)(int, const void*, size_t, off_t) = 0;
  if (!real) real = (ssize_t(*)(int, const void*, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
  count();
  return real(fd, buf, n, off);
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) { return pwrite64(fd, buf, n, off); }

ssize_t pwritev64(int fd, const struct iovec* v, int n, off_t off) {
  static ssize_t (*real)(int, const struct iovec*, int, off_t) = 0;
  if (!real) real = (ssize_t(*)(int, const struct iovec*, int, off_t))dlsym(RTLD_NEXT, "pwritev64");
  count();
  return real(fd, v, n, off);
}

ssize_t pwritev(int fd, const struct iovec* v, int n, off_t off) { return pwritev64(fd, v, n, off); }
