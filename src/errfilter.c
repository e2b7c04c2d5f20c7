#define _GNU_SOURCE /* pipe2 */
#include "errfilter.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef CALFPACE_SANITIZED
#include <sanitizer/common_interface_defs.h>
#include <stdint.h>
#endif

#define LINE_MAX_KEPT 4096 /* a longer line is passed on in pieces */

struct errfilter {
    int saved; /* the real stderr */
    int read_end;
    pthread_t thread;
    unsigned long dropped; /* the reader's; read after the join */
    char line[LINE_MAX_KEPT + 2]; /* the reader's line so far */
};

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int errfilter_is_noise(const char *line)
{
    /* PortAudio's PA_ENSURE and friends (pa_linux_alsa.c, pa_unix_util.c). */
    if (starts_with(line, "Expression '") && strstr(line, "' failed in '"))
        return 1;
    if (starts_with(line, "Assertion '") && strstr(line, "' failed in '"))
        return 1;
    /* ALSA's own, should a plugin print past snd_lib_error_set_handler. */
    if (starts_with(line, "ALSA lib "))
        return 1;
    /* libjack looking for a server that is not there. */
    if (starts_with(line, "Cannot connect to server") || starts_with(line, "jack server is not") ||
        starts_with(line, "JackShmReadWritePtr"))
        return 1;
    return 0;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void pass_or_drop(struct errfilter *f, char *line, size_t len, int newline)
{
    line[len] = '\0';
    if (errfilter_is_noise(line)) {
        f->dropped++;
        return;
    }
    if (newline)
        line[len++] = '\n';
    write_all(f->saved, line, len);
}

static void *reader(void *arg)
{
    struct errfilter *f = arg;
    char *line = f->line;
    size_t len = 0;
    char buf[1024];
    for (;;) {
        ssize_t n = read(f->read_end, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                pass_or_drop(f, line, len, 1);
                len = 0;
            } else {
                line[len++] = buf[i];
                if (len == LINE_MAX_KEPT) {
                    pass_or_drop(f, line, len, 0);
                    len = 0;
                }
            }
        }
    }
    if (len > 0)
        pass_or_drop(f, line, len, 0);
    return NULL;
}

struct errfilter *errfilter_start(void)
{
    struct errfilter *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    int fds[2];
    fflush(stderr);
    f->saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (f->saved < 0) {
        free(f);
        return NULL;
    }
    if (pipe2(fds, O_CLOEXEC) != 0) {
        close(f->saved);
        free(f);
        return NULL;
    }
    /* Writers never wait on a full pipe. */
    fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
    f->read_end = fds[0];
    if (pthread_create(&f->thread, NULL, reader, f) != 0) {
        close(fds[0]);
        close(fds[1]);
        close(f->saved);
        free(f);
        return NULL;
    }
#ifdef CALFPACE_SANITIZED
    /* A sanitizer's report is followed by the process's exit: through the
     * pipe it would die unread with the reader thread. It goes straight to
     * the real stderr instead. */
    __sanitizer_set_report_fd((void *)(intptr_t)f->saved);
#endif
    dup2(fds[1], STDERR_FILENO);
    close(fds[1]);
    return f;
}

unsigned long errfilter_stop(struct errfilter *f)
{
    if (!f)
        return 0;
    fflush(stderr);
    /* The last writer end goes: the reader drains the pipe and sees its end. */
    dup2(f->saved, STDERR_FILENO);
#ifdef CALFPACE_SANITIZED
    __sanitizer_set_report_fd((void *)(intptr_t)STDERR_FILENO);
#endif
    pthread_join(f->thread, NULL);
    close(f->read_end);
    close(f->saved);
    unsigned long dropped = f->dropped;
    free(f);
    return dropped;
}
