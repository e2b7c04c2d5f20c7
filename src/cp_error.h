/* cp_error: the one way a module reports what went wrong.  A function that
 * can fail fills a caller's struct cp_error with a kind and one line,
 * "FILE:LINE: what is wrong (what is allowed)", and returns -1 or NULL; it
 * never prints.  The kind says whose fault it is, not what to do about it:
 * main.c alone turns a kind into an exit status (cp_error's values are not
 * exit statuses, so a kind passed on as one shows up at once in the tests).
 */
#ifndef CALFPACE_CP_ERROR_H
#define CALFPACE_CP_ERROR_H

#include <stddef.h>

enum cp_err_kind {
    CP_OK = 0,
    CP_BAD_INPUT,  /* the user's input is wrong: a routine, an option, a file name */
    CP_RUNTIME,    /* the machine failed it: memory, a device, a disk, a sound server */
    CP_INTERRUPTED /* a signal cut it short; whatever it left half-made is gone */
};

#define CP_ERROR_MSG_MAX 2048

struct cp_error {
    enum cp_err_kind kind;
    char msg[CP_ERROR_MSG_MAX];
};

/* Clears E to CP_OK with an empty message. */
void cp_error_clear(struct cp_error *e);

/* Sets E to KIND with the formatted message; returns -1, for
 * "return cp_fail(err, CP_RUNTIME, ...);". */
int cp_fail(struct cp_error *e, enum cp_err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A kind's name, for tests and logs ("bad input", "runtime", ...). */
const char *cp_err_kind_name(enum cp_err_kind kind);

#endif
