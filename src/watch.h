/* watch: notice saves of a routine and of the files it includes.  Each
 * file's folder is watched, not the file: editors often save by writing a
 * new file and renaming it over the old one, which a watch on the file
 * itself would miss.  An editor's save can also be several writes, so a
 * change is due only once the files have been quiet for WATCH_QUIET_SECONDS.
 * For the control thread; no allocation. */
#ifndef CALFPACE_WATCH_H
#define CALFPACE_WATCH_H

#include <limits.h>

#define WATCH_QUIET_SECONDS 0.15
#define WATCH_FILES_MAX 33 /* the routine and up to 32 included files */

struct watch_file {
    int wd; /* the inotify watch of the file's folder */
    char base[NAME_MAX + 1];
};

struct watch {
    int fd; /* to poll for POLLIN; -1 when nothing can be watched */
    int n;
    struct watch_file files[WATCH_FILES_MAX];
    double due; /* when the change is due, or 0 */
};

/* Starts watching PATH's folder for saves of PATH; 0, or -1 (fd is then -1
 * and the watch never fires). */
int watch_start(struct watch *w, const char *path);

/* Watches PATHS (N of them) instead of what was watched, keeping the same
 * fd; a path whose folder cannot be watched is left out.  Returns how many
 * are watched. */
int watch_set(struct watch *w, const char *const *paths, int n);

/* After fd polled readable: reads the events, and if one was a watched file,
 * the change is due at NOW plus the quiet time.  Returns 1 if one was
 * touched. */
int watch_read(struct watch *w, double now);

/* 1 once a noticed change is due (and forgets it), else 0. */
int watch_due(struct watch *w, double now);

void watch_stop(struct watch *w);

#endif
