/* hint: the likely cause of a mistake, for messages.  libconfig says only
 * "syntax error" at a line, and joins "a" "b" into "ab" without a word; these
 * look at the text around the error and name what was most likely meant.
 * Pure functions over text: no I/O, no allocation, no global state. */
#ifndef CALFPACE_HINT_H
#define CALFPACE_HINT_H

#include <stddef.h>

/* The edit distance between A and B (insertions, deletions, changes), or
 * 99 for names longer than 31 bytes. */
size_t hint_distance(const char *a, const char *b);

/* TEXT had a libconfig syntax error at line LINE (1-based).  When its likely
 * cause is one of the common ones (a decimal comma 60,5; a time 1:30; an
 * unquoted or single-quoted string; a comma before ')' or ']'), returns 1
 * with the line and the 1-based column (in characters) where it is, and a
 * message "what is wrong (what to write)" in MSG; otherwise 0. */
int hint_syntax(const char *text, int line, int *at_line, int *col, char *msg, size_t msglen);

/* libconfig said "duplicate setting name" at LINE: the name set twice, or
 * 0 when it cannot be told. */
int hint_duplicate(const char *text, int line, char *name, size_t namelen);

/* Two string literals with only blanks between them on LINE, which
 * libconfig joins into VALUE: 1 with the first two in A and B, or 0. */
int hint_joined(const char *text, int line, const char *value, char *a, size_t alen, char *b,
                size_t blen);

#endif
