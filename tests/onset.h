/* onset: find where clicks start in recorded or rendered audio.
 *
 * An onset is the first sample whose magnitude exceeds THRESHOLD after at
 * least MIN_GAP samples at or below it.  Used by the render and live tests to
 * compare where clicks land with where the routine's tempo math puts them. */
#ifndef CALFPACE_TEST_ONSET_H
#define CALFPACE_TEST_ONSET_H

#include <stddef.h>
#include <stdint.h>

struct onsets {
    int64_t *frame;
    float *peak; /* the largest magnitude within the onset's first few ms */
    size_t n, cap;
};

/* Scans N frames of interleaved audio with STRIDE samples per frame, at
 * channel offset CHANNEL; FIRST is the frame number of x[0], so a long file
 * can be fed in blocks (keep STATE between calls, zeroed before the first). */
struct onset_state {
    int64_t quiet; /* samples at or below the threshold so far */
    int64_t last;  /* index in o of the onset whose peak is still being measured */
    int64_t peak_until;
};

void onset_scan(struct onsets *o, struct onset_state *st, const float *x, int64_t n, int stride,
                int channel, int64_t first, float threshold, int64_t min_gap);

void onsets_free(struct onsets *o);

/* Reads a whole sound file as float; returns frames, or -1. */
int64_t onset_read_file(const char *path, float **data, int *channels, int *rate);

#endif
