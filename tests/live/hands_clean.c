/* hands_clean.so: an LD_PRELOAD shim that watches what the audio callback
 * does.  It wraps the callback calfpace hands to Pa_OpenStream, marks the
 * thread while the callback runs, and counts every call of the allocator,
 * of mutexes, of file and terminal I/O and of sleeping made inside it.  At
 * exit it writes the counts to $HANDS_CLEAN_REPORT (or stderr):
 *   callbacks N
 *   forbidden M
 *   NAME COUNT   (for each forbidden call seen)
 * The allocator is reached through glibc's __libc_* entry points, so the
 * shim needs no allocation of its own to find it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <portaudio.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

enum { C_MALLOC, C_CALLOC, C_REALLOC, C_FREE, C_MEMALIGN, C_MUTEX, C_WRITE, C_READ, C_OPEN,
       C_SLEEP, C_POLL, C_COUNT };
static const char *const names[C_COUNT] = {"malloc", "calloc", "realloc", "free",
                                           "memalign", "pthread_mutex_lock", "write", "read",
                                           "open", "sleep", "poll"};
static atomic_ulong counts[C_COUNT];
static atomic_ulong callbacks;
static _Thread_local int in_callback;

static void seen(int what)
{
    if (in_callback)
        atomic_fetch_add_explicit(&counts[what], 1, memory_order_relaxed);
}

void *malloc(size_t n)
{
    seen(C_MALLOC);
    return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
    seen(C_CALLOC);
    return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
    seen(C_REALLOC);
    return __libc_realloc(p, n);
}

void free(void *p)
{
    if (p)
        seen(C_FREE);
    __libc_free(p);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    seen(C_MEMALIGN);
    void *p = __libc_memalign(align, n);
    if (!p)
        return 12; /* ENOMEM */
    *out = p;
    return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
    seen(C_MEMALIGN);
    return __libc_memalign(align, n);
}

#define NEXT(type, name, args) ((type(*) args)dlsym(RTLD_NEXT, name))

int pthread_mutex_lock(pthread_mutex_t *m)
{
    seen(C_MUTEX);
    static int (*real)(pthread_mutex_t *);
    if (!real)
        real = NEXT(int, "pthread_mutex_lock", (pthread_mutex_t *));
    return real(m);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    seen(C_WRITE);
    static ssize_t (*real)(int, const void *, size_t);
    if (!real)
        real = NEXT(ssize_t, "write", (int, const void *, size_t));
    return real(fd, buf, n);
}

ssize_t read(int fd, void *buf, size_t n)
{
    seen(C_READ);
    static ssize_t (*real)(int, void *, size_t);
    if (!real)
        real = NEXT(ssize_t, "read", (int, void *, size_t));
    return real(fd, buf, n);
}

int open(const char *path, int flags, ...)
{
    seen(C_OPEN);
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    static int (*real)(const char *, int, ...);
    if (!real)
        real = NEXT(int, "open", (const char *, int, ...));
    return real(path, flags, mode);
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    seen(C_SLEEP);
    static int (*real)(const struct timespec *, struct timespec *);
    if (!real)
        real = NEXT(int, "nanosleep", (const struct timespec *, struct timespec *));
    return real(req, rem);
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
    seen(C_POLL);
    static int (*real)(struct pollfd *, nfds_t, int);
    if (!real)
        real = NEXT(int, "poll", (struct pollfd *, nfds_t, int));
    return real(fds, n, timeout);
}

/* The callback calfpace gave PortAudio, and its user data. */
static PaStreamCallback *user_callback;
static void *user_data;

static int watched(const void *in, void *out, unsigned long frames,
                   const PaStreamCallbackTimeInfo *time, PaStreamCallbackFlags flags, void *data)
{
    (void)data;
    atomic_fetch_add_explicit(&callbacks, 1, memory_order_relaxed);
    in_callback = 1;
    int rc = user_callback(in, out, frames, time, flags, user_data);
    in_callback = 0;
    return rc;
}

PaError Pa_OpenStream(PaStream **stream, const PaStreamParameters *in,
                      const PaStreamParameters *out, double rate, unsigned long frames,
                      PaStreamFlags flags, PaStreamCallback *callback, void *data)
{
    static PaError (*real)(PaStream **, const PaStreamParameters *, const PaStreamParameters *,
                           double, unsigned long, PaStreamFlags, PaStreamCallback *, void *);
    if (!real)
        real = NEXT(PaError, "Pa_OpenStream",
                    (PaStream **, const PaStreamParameters *, const PaStreamParameters *, double,
                     unsigned long, PaStreamFlags, PaStreamCallback *, void *));
    if (!callback)
        return real(stream, in, out, rate, frames, flags, callback, data);
    user_callback = callback;
    user_data = data;
    return real(stream, in, out, rate, frames, flags, watched, data);
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("HANDS_CLEAN_REPORT");
    FILE *f = path ? fopen(path, "w") : stderr;
    if (!f)
        return;
    unsigned long total = 0;
    for (int i = 0; i < C_COUNT; i++)
        total += atomic_load(&counts[i]);
    fprintf(f, "callbacks %lu\nforbidden %lu\n", atomic_load(&callbacks), total);
    for (int i = 0; i < C_COUNT; i++)
        if (atomic_load(&counts[i]))
            fprintf(f, "%s %lu\n", names[i], atomic_load(&counts[i]));
    if (f != stderr)
        fclose(f);
}
