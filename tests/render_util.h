/* Shared by the render tests: temporary folders, test clicks, running the
 * calfpace binary, and the expected beat positions computed from the
 * routine format's definition (independently of src/tempo.c). */
#ifndef CALFPACE_TEST_RENDER_UTIL_H
#define CALFPACE_TEST_RENDER_UTIL_H

#include "routine.h"

#include <stddef.h>
#include <stdint.h>

struct expected_beat {
    int64_t frame;
    int step;
    int beat;
    double pan;
};

/* A new empty folder under /tmp; removed by tmp_cleanup (read-only folders
 * in it too): 0, or -1 after saying it could not. */
void tmp_dir(char *out, size_t outlen, const char *tag);
int tmp_cleanup(const char *dir);

/* Writes a mono 16-bit WAV click: the first sample at AMP, decaying to
 * silence over LEN frames. */
void write_click(const char *path, int rate, float amp, int len);

void write_text(const char *path, const char *text);
/* PATH's text (its first 8 KiB) in a buffer the next call reuses; "" when
 * it cannot be read. */
const char *read_text(const char *path);

/* Runs "$CALFPACE ARGS..." through the shell; returns its exit status. */
int run_calfpace(const char *args);

/* Every beat of R in order, from the format's definition. */
size_t expected_beats(const struct routine *r, struct expected_beat **out);

#endif
