/* watch: notice saves of one file.  The watch is on the file's folder:
 * editors often save by writing a new file and renaming it over the old one,
 * which a watch on the file itself would miss.  An editor's save can also be
 * several writes, so a change is due only once the file has been quiet for
 * WATCH_QUIET_SECONDS.  For the control thread; no allocation. */
#ifndef CALFPACE_WATCH_H
#define CALFPACE_WATCH_H

#include <limits.h>

#define WATCH_QUIET_SECONDS 0.15

struct watch {
    int fd; /* to poll for POLLIN; -1 when the folder cannot be watched */
    char dir[PATH_MAX];
    char base[NAME_MAX + 1];
    double due; /* when the change is due, or 0 */
};

/* Starts watching PATH's folder for saves of PATH; 0, or -1 (fd is then -1
 * and the watch never fires). */
int watch_start(struct watch *w, const char *path);

/* After fd polled readable: reads the events, and if one was PATH, the
 * change is due at NOW plus the quiet time.  Returns 1 if PATH was touched. */
int watch_read(struct watch *w, double now);

/* 1 once a noticed change is due (and forgets it), else 0. */
int watch_due(struct watch *w, double now);

void watch_stop(struct watch *w);

#endif
