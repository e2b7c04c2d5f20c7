/* safefile: the one way calfpace opens a file it reads or writes.
 *
 * Reading never blocks and never reads without a bound: the file is opened
 * with O_NONBLOCK (a FIFO or a device cannot stall the open), fstat'ed, and
 * refused unless it is a regular file, with a message naming the file and
 * what it is ("a FIFO", "a folder"); its size is checked against a limit
 * before a byte is read.
 *
 * Writing never follows a planted link into someone else's file: files are
 * created with O_EXCL|O_NOFOLLOW (mkstemp) beside their final name and
 * renamed over it, in a folder checked to be the user's own; an existing
 * file that is appended to must belong to the user.
 *
 * Messages are "PATH: what is wrong (what is allowed)".  No global state;
 * not for the audio thread.
 */
#ifndef CALFPACE_SAFEFILE_H
#define CALFPACE_SAFEFILE_H

#include <stddef.h>
#include <sys/types.h>

/* "a FIFO", "a folder", "a character device", ... for a st_mode. */
const char *safefile_kind(mode_t mode);

/* Opens PATH for reading: a regular file of at most MAX bytes.  WHAT names
 * the file in messages ("routine", "sound", "history").  Returns the fd
 * (blocking again, close-on-exec) and the size in *SIZE, or -1 with a
 * message; *MISSING (if not NULL) is set to 1 when the file does not exist. */
int safefile_open_read(const char *path, long long max, const char *what, long long *size,
                       int *missing, char *err, size_t errlen);

/* Reads the whole of PATH (as safefile_open_read) into a NUL-terminated
 * buffer the caller frees.  0, or -1 with a message. */
int safefile_read(const char *path, long long max, const char *what, char **text, size_t *len,
                  int *missing, char *err, size_t errlen);

/* Makes sure DIR exists (created with mode 0700 if missing) and is the
 * user's own folder that no one else may write to (not group- or
 * world-writable, not a symlink).  0, or -1 with a message. */
int safefile_own_dir(const char *dir, char *err, size_t errlen);

/* Replaces PATH by DATA (LEN bytes): a temporary file in the same folder
 * (mkstemp: O_EXCL, never through a link), given the mode of the file it
 * replaces (or MODE for a new one), written, fsync'ed and renamed over PATH,
 * then the folder fsync'ed.  Where PATH is a symlink and FOLLOW is set, its
 * target (a file of the user's own) is written and the link stays a link;
 * without FOLLOW the link itself is replaced, never followed.  0, or -1
 * with a message; PATH is then as it was. */
int safefile_replace(const char *path, const char *data, size_t len, mode_t mode, int follow,
                     char *err, size_t errlen);

/* Opens PATH for appending (O_RDWR|O_APPEND, created with MODE if missing, never
 * through a dangling link); an existing file, or a link's target, must be
 * a regular file of the user's own.  The fd, or -1 with a message. */
int safefile_open_append(const char *path, mode_t mode, const char *what, char *err,
                         size_t errlen);

#endif
