/* onset: find where clicks start in recorded or rendered audio.
 *
 * A click is found where its magnitude first exceeds THRESHOLD after at
 * least MIN_GAP samples at or below it.  Its onset is where its sound begins:
 * a click with a short fade-in crosses the threshold a few samples after its
 * first sample, so the onset goes back to the first sample above a floor
 * (THRESHOLD / ONSET_FLOOR_RATIO) that follows at least ONSET_FLOOR_RUN
 * samples at or below that floor, when that sample lies at most
 * ONSET_RISE_MAX samples before the crossing; otherwise (a click on top of
 * other sound) the onset is the crossing itself.  A click whose first sample
 * is its peak has its onset at that sample either way.  Used by the render
 * and live tests to compare where clicks land with where the routine's tempo
 * math puts them. */
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
#define ONSET_FLOOR_RATIO 100.0f
#define ONSET_FLOOR_RUN 8
#define ONSET_RISE_MAX 48 /* samples: 1 ms at 48 kHz, twice the clicks' 0.5 ms fade-in */

struct onset_state {
    int64_t quiet; /* samples at or below the threshold so far */
    int64_t floor_quiet; /* samples at or below the floor so far */
    int64_t seen;        /* samples scanned */
    int64_t start;       /* 1 + the frame where sound last began after silence; 0: none */
    int64_t last;  /* index in o of the onset whose peak is still being measured */
    int64_t peak_until;
};

void onset_scan(struct onsets *o, struct onset_state *st, const float *x, int64_t n, int stride,
                int channel, int64_t first, float threshold, int64_t min_gap);

void onsets_free(struct onsets *o);

/* Reads a whole sound file as float; returns frames, or -1. */
int64_t onset_read_file(const char *path, float **data, int *channels, int *rate);

#endif
