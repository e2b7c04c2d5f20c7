/* engine: the sequencer and the mixer tied together into one stream of
 * frames.  engine_render is the only function the outputs call, live and to
 * a file alike, so a render is a faithful copy of a live session.
 *
 * engine_create loads every clip the routine needs (I/O, allocation) and
 * must finish before a stream starts.  engine_render is real-time safe: no
 * allocation, no locks, no I/O.  The request and status functions may be
 * called from any thread: they only touch atomics.
 */
#ifndef CALFPACE_ENGINE_H
#define CALFPACE_ENGINE_H

#include "clips.h"
#include "routine.h"

#include <stddef.h>
#include <stdint.h>

#define ENGINE_FADE_SECONDS 0.05

struct engine_options {
    int voice; /* speak cues; 0 plays the routine's beats alone */
};

struct engine_status {
    int64_t frame; /* frames rendered so far */
    int round;
    int step;     /* -1 before the first step, n_steps after the last */
    int beat;     /* beats sounded in the current step */
    int finished; /* the session is over (or faded out on request) */
    int stopped;  /* it ended early, on request */
};

struct engine;

/* Loads the routine's sounds through BANK (whose rate must be the routine's)
 * and prepares a session.  On failure NULL with "FILE:LINE: ..." in err. */
struct engine *engine_create(const struct routine *r, struct clip_bank *bank,
                             const struct engine_options *opt, char *err, size_t errlen);
void engine_destroy(struct engine *e);

/* Fills OUT with FRAMES interleaved stereo frames.  Returns the number of
 * frames that belong to the session; after the end it fills silence and
 * returns less than FRAMES (0 once everything has sounded). */
int engine_render(struct engine *e, float *out, int frames);

/* Asks for a fade-out and the end of the session; safe from any thread. */
void engine_request_stop(struct engine *e);

void engine_status(const struct engine *e, struct engine_status *st);

int engine_rate(const struct engine *e);

#endif
