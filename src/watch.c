#include "watch.h"

#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

int watch_start(struct watch *w, const char *path)
{
    w->fd = -1;
    w->due = 0.0;
    const char *slash = strrchr(path, '/');
    if (slash) {
        int dirlen = slash > path ? (int)(slash - path) : 1; /* "/x" lies in "/" */
        snprintf(w->dir, sizeof w->dir, "%.*s", dirlen, path);
        snprintf(w->base, sizeof w->base, "%s", slash + 1);
    } else {
        snprintf(w->dir, sizeof w->dir, ".");
        snprintf(w->base, sizeof w->base, "%s", path);
    }
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0)
        return -1;
    if (inotify_add_watch(w->fd, w->dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
        close(w->fd);
        w->fd = -1;
        return -1;
    }
    return 0;
}

int watch_read(struct watch *w, double now)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    int hit = 0;
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            if (ev->len && strcmp(ev->name, w->base) == 0)
                hit = 1;
            p += sizeof *ev + ev->len;
        }
    }
    if (hit)
        w->due = now + WATCH_QUIET_SECONDS;
    return hit;
}

int watch_due(struct watch *w, double now)
{
    if (w->due > 0.0 && now >= w->due) {
        w->due = 0.0;
        return 1;
    }
    return 0;
}

void watch_stop(struct watch *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    w->due = 0.0;
}
