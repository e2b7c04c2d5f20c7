#include "watch.h"
#include "paths.h"

#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

/* Adds PATH's folder to the watch and PATH to the files; 0 or -1. */
static int add_file(struct watch *w, const char *path)
{
    char dir[PATH_MAX];
    const char *base = paths_dir_of(path, dir, sizeof dir);
    if (w->n >= WATCH_FILES_MAX || strlen(base) > NAME_MAX)
        return -1;
    /* A folder watched already gives back its own watch descriptor. */
    int wd = inotify_add_watch(w->fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
    if (wd < 0)
        return -1;
    w->files[w->n].wd = wd;
    snprintf(w->files[w->n].base, sizeof w->files[w->n].base, "%s", base);
    w->n++;
    return 0;
}

int watch_start(struct watch *w, const char *path)
{
    w->n = 0;
    w->due = 0.0;
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0)
        return -1;
    if (add_file(w, path) != 0) {
        close(w->fd);
        w->fd = -1;
        return -1;
    }
    return 0;
}

int watch_set(struct watch *w, const char *const *paths, int n)
{
    if (w->fd < 0)
        return 0;
    /* Folders no longer named stay watched: their events match no file. */
    w->n = 0;
    for (int i = 0; i < n; i++)
        add_file(w, paths[i]);
    return w->n;
}

static int watched(const struct watch *w, const struct inotify_event *ev)
{
    for (int i = 0; i < w->n; i++)
        if (w->files[i].wd == ev->wd && strcmp(ev->name, w->files[i].base) == 0)
            return 1;
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
            if (ev->len && watched(w, ev))
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
    w->n = 0;
    w->due = 0.0;
}
