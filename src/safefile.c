#include "safefile.h"
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *safefile_kind(mode_t mode)
{
    if (S_ISREG(mode))
        return "a regular file";
    if (S_ISDIR(mode))
        return "a folder";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISLNK(mode))
        return "a symbolic link";
    return "not a regular file";
}

int safefile_open_read(const char *path, long long max, const char *what, long long *size,
                       int *missing, char *err, size_t errlen)
{
    if (missing)
        *missing = 0;
    /* O_NONBLOCK: opening a FIFO with no writer, or a device, returns at once. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (missing && errno == ENOENT)
            *missing = 1;
        snprintf(err, errlen, "%s: cannot read the %s: %s", path, what, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: cannot read the %s: %s", path, what, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: the %s is %s (allowed: a regular file)", path, what,
                 safefile_kind(st.st_mode));
        close(fd);
        return -1;
    }
    if ((long long)st.st_size > max) {
        snprintf(err, errlen, "%s: the %s is %lld bytes (allowed: at most %lld)", path, what,
                 (long long)st.st_size, max);
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    if (size)
        *size = (long long)st.st_size;
    return fd;
}

int safefile_read(const char *path, long long max, const char *what, char **text, size_t *len,
                  int *missing, char *err, size_t errlen)
{
    long long size;
    *text = NULL;
    *len = 0;
    int fd = safefile_open_read(path, max, what, &size, missing, err, errlen);
    if (fd < 0)
        return -1;
    /* The file may grow after fstat: read at most MAX + 1 bytes to see it. */
    size_t cap = (size_t)size + 1;
    if ((long long)cap > max + 1)
        cap = (size_t)max + 1;
    char *buf = malloc(cap + 1);
    if (!buf) {
        snprintf(err, errlen, "%s: cannot read the %s: out of memory", path, what);
        close(fd);
        return -1;
    }
    size_t got = 0;
    while (got < cap) {
        ssize_t n = read(fd, buf + got, cap - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "%s: cannot read the %s: %s", path, what, strerror(errno));
            free(buf);
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if ((long long)got > max) {
        snprintf(err, errlen, "%s: the %s grew past %lld bytes while being read", path, what,
                 max);
        free(buf);
        return -1;
    }
    buf[got] = '\0';
    *text = buf;
    *len = got;
    return 0;
}

int safefile_own_dir(const char *dir, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno != ENOENT || mkdir(dir, 0700) != 0 || lstat(dir, &st) != 0) {
            snprintf(err, errlen, "%s: cannot create the folder: %s", dir, strerror(errno));
            return -1;
        }
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: is %s (allowed: a folder of your own)", dir,
                 safefile_kind(st.st_mode));
        return -1;
    }
    if (st.st_uid != geteuid()) {
        snprintf(err, errlen, "%s: the folder belongs to user %ld (allowed: your own, %ld)", dir,
                 (long)st.st_uid, (long)geteuid());
        return -1;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(err, errlen,
                 "%s: others may write to the folder (mode %03o; allowed: no group or world "
                 "write, e.g. chmod 700)",
                 dir, (unsigned)(st.st_mode & 0777));
        return -1;
    }
    return 0;
}

/* Where a write to PATH goes, into TARGET: PATH itself, or with FOLLOW and
 * PATH a symlink, the file it names (resolved once; relative to PATH's
 * folder when the link dangles).  0, or -1 with a message. */
static int write_target(const char *path, int follow, char target[PATH_MAX], char *err,
                        size_t errlen)
{
    snprintf(target, PATH_MAX, "%s", path);
    struct stat st;
    if (!follow || lstat(path, &st) != 0 || !S_ISLNK(st.st_mode) || realpath(path, target))
        return 0;
    if (errno != ENOENT) {
        snprintf(err, errlen, "%s: cannot follow the link: %s", path, strerror(errno));
        return -1;
    }
    ssize_t n = readlink(path, target, PATH_MAX - 1);
    if (n <= 0) {
        snprintf(err, errlen, "%s: cannot follow the link: %s", path, strerror(errno));
        return -1;
    }
    target[n] = '\0';
    if (target[0] != '/') {
        char dir[PATH_MAX], rel[PATH_MAX];
        paths_dir_of(path, dir, sizeof dir);
        snprintf(rel, sizeof rel, "%s", target);
        if ((size_t)snprintf(target, PATH_MAX, "%s/%s", dir, rel) >= PATH_MAX) {
            snprintf(err, errlen, "%s: the link's target is too long", path);
            return -1;
        }
    }
    return 0;
}

/* Writes DATA (LEN bytes) with mode WANT into a new file in DIR, fsync'ed,
 * and renames it over TARGET (named LEAF in DIR).  0, or -1 with a message
 * and nothing left behind. */
static int write_beside(const char *target, const char *dir, const char *leaf, const char *data,
                        size_t len, mode_t want, char *err, size_t errlen)
{
    char tmp[PATH_MAX + 32];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, leaf) >= sizeof tmp) {
        snprintf(err, errlen, "%s: the name is too long", target);
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a file beside it: %s", target, strerror(errno));
        return -1;
    }
    const char *failed = NULL;
    int saved = 0;
    if (fchmod(fd, want) != 0) {
        failed = "cannot set its mode";
        saved = errno;
    }
    size_t done = 0;
    while (!failed && done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            failed = "cannot write";
            saved = n < 0 ? errno : ENOSPC;
        } else {
            done += (size_t)n;
        }
    }
    if (!failed && fsync(fd) != 0) {
        failed = "cannot write";
        saved = errno;
    }
    if (close(fd) != 0 && !failed) {
        failed = "cannot write";
        saved = errno;
    }
    if (!failed && rename(tmp, target) != 0) {
        failed = "cannot replace";
        saved = errno;
    }
    if (failed) {
        snprintf(err, errlen, "%s: %s: %s", target, failed, strerror(saved ? saved : EIO));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int safefile_replace(const char *path, const char *data, size_t len, mode_t mode, int follow,
                     char *err, size_t errlen)
{
    char target[PATH_MAX];
    /* A symlink stays a link: write the file it names. */
    if (write_target(path, follow, target, err, errlen) != 0)
        return -1;
    struct stat st;
    int exists = 0;
    if (lstat(target, &st) == 0 && !(S_ISLNK(st.st_mode) && !follow)) {
        if (!S_ISREG(st.st_mode)) {
            snprintf(err, errlen, "%s: is %s (allowed: a regular file)", target,
                     safefile_kind(st.st_mode));
            return -1;
        }
        if (st.st_uid != geteuid()) {
            snprintf(err, errlen, "%s: the file belongs to user %ld (allowed: your own)", target,
                     (long)st.st_uid);
            return -1;
        }
        exists = 1;
    }
    char dir[PATH_MAX];
    const char *leaf = paths_dir_of(target, dir, sizeof dir);
    mode_t want = exists ? (st.st_mode & 07777) : mode;
    if (write_beside(target, dir, leaf, data, len, want, err, errlen) != 0)
        return -1;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

int safefile_open_append(const char *path, mode_t mode, const char *what, char *err,
                         size_t errlen)
{
    /* O_NOFOLLOW first: a missing file is created here, never through a
     * dangling link; an existing link is followed only to a file of ours. */
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
    if (fd < 0 && errno == ELOOP)
        fd = open(path, O_RDWR | O_APPEND | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot write the %s: %s", path, what, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: the %s is %s (allowed: a regular file)", path, what,
                 safefile_kind(st.st_mode));
        close(fd);
        return -1;
    }
    if (st.st_uid != geteuid()) {
        snprintf(err, errlen,
                 "%s: the %s belongs to user %ld (allowed: a file of your own; is it a link?)",
                 path, what, (long)st.st_uid);
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}
