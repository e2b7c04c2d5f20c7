/* engine: the sequencer, the spoken guidance and the mixer tied together into
 * one stream of frames.  engine_render is the only function the outputs
 * call, live and to a file alike, so a render is a faithful copy of a live
 * session.
 *
 * A plan is a validated routine with every clip it needs already loaded and
 * resolved to sample data: engine_plan_create does the I/O and allocation,
 * off the audio thread.  engine_render is real-time safe: no allocation, no
 * locks, no I/O, no waiting.  Other threads talk to it only through
 * engine_send (a lock-free queue it drains at the top of each block) and read
 * it only through engine_status (atomics).  Plans it retires (after a reload)
 * come back to the control thread through engine_collect, which frees them.
 */
#ifndef CALFPACE_ENGINE_H
#define CALFPACE_ENGINE_H

#include "clips.h"
#include "control.h"
#include "routine.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ENGINE_FADE_SECONDS 1.0 /* the stop's fade: long enough for a second Ctrl-C to end it at once */
#define ENGINE_JUMP_SECONDS 0.3 /* from a skip or restart to the step's start */
#define ENGINE_DUCK_SECONDS 0.02 /* the clicks' duck ramp under speech, down or up */
#define ENGINE_DUCK_MARGIN 2     /* frames: the duck ramp is down this much before speech */
/* Speech started by a key ("tempo 105", "paused", "go", a refused edit)
 * begins ENGINE_DUCK_SECONDS (and the margin) after the key, so the clicks
 * are down by their full depth before it starts. */
#define ENGINE_VOLUME_MIN_DB -40.0
#define ENGINE_VOLUME_MAX_DB 12.0
#define ENGINE_VOLUME_RAMP_SECONDS 0.05
/* The tempo keys keep the tempo factor in the personal config's range. */
#define ENGINE_TEMPO_SCALE_MIN 0.5
#define ENGINE_TEMPO_SCALE_MAX 2.0

struct engine_status {
    int64_t frame; /* frames rendered so far */
    int round;
    int step;                     /* -1 before the first step, n_steps after the last */
    int beat;                     /* beats sounded in the current step */
    int beats;                    /* the current step's beats as now planned */
    int64_t step_start, step_end; /* frames of the current step's start and planned end */
    double tempo;                 /* bpm of the next beat; 0 outside paced steps */
    double tempo_scale;           /* the listener's tempo factor */
    double volume_db;             /* the listener's volume change */
    double tempo_min, tempo_max; /* the range of the beats played so far; 0 before any */
    int paused;
    int reloads;  /* routine edits taken up */
    int skipped;  /* steps left early for the next one (n, or a headset's Next) */
    int finished; /* the session is over (or faded out on request) */
    int stopped;  /* it ended early, on request */
    uint64_t voices_dropped;
    uint64_t events_late; /* events handed out after their frame; 0 always, by design */
};

struct engine_plan;
struct engine;

/* Resolves every sound R needs through BANK (at R's rate); VOICE 0 plays the
 * routine's beats alone, without speech.  On success the plan owns R; on
 * failure R stays the caller's and err says "FILE:LINE: ...". */
struct engine_plan *engine_plan_create(struct routine *r, struct clip_bank *bank, int voice,
                                       char *err, size_t errlen);
void engine_plan_destroy(struct engine_plan *p);

/* As engine_plan_create, with only the voice's clips R's own timeline says
 * (its count-ins, announcements, progress calls and transitions): what a
 * live session needs before its first sample.  The numbers and words the
 * listener's keys or the session's end may call for (a tempo, "paused", the
 * session's length) come with engine_plan_complete. */
struct engine_plan *engine_plan_create_first(struct routine *r, struct clip_bank *bank,
                                             int voice, char *err, size_t errlen);

/* Loads the clips a plan made by engine_plan_create_first lacks, into
 * a vocabulary P keeps apart from the one the engine reads, so it may run
 * while P plays (not while BANK loads anything else).  0 (also when nothing
 * lacks), or -1 with "FILE: ..." in err. */
int engine_plan_complete(struct engine_plan *p, struct clip_bank *bank, char *err,
                         size_t errlen);

/* After engine_plan_complete: hands P's whole vocabulary to E, which plays
 * P, to speak from the next block on.  From the control thread; 0 when
 * queued or nothing to hand, -1 when the queue is full (try again). */
int engine_send_vocab(struct engine *e, const struct engine_plan *p);

/* Prints "FILE:LINE: warning: ..." for each spoken announcement that does
 * not fit before its step's beats (or countdown), with the lead_in that
 * would fit it. */
void engine_plan_warn(const struct engine_plan *p, FILE *to);

/* The listener's output for sessions of P: MONO puts every sound in both
 * ears, whatever its pan; BALANCE (-1 to 1, 0 centred) turns the left (above
 * 0) or the right (below 0) down, as mixer_set_output says. */
void engine_plan_set_output(struct engine_plan *p, int mono, double balance);
const struct routine *engine_plan_routine(const struct engine_plan *p);

/* A session of PLAN, which the engine now owns, with every tempo times
 * TEMPO_SCALE from the start (0 means 1; kept within the tempo keys' range). */
struct engine *engine_create(struct engine_plan *plan, double tempo_scale);
void engine_destroy(struct engine *e);

/* Fills OUT with FRAMES interleaved stereo frames.  Returns the number of
 * frames that belong to the session; after the end it fills silence and
 * returns less than FRAMES (0 once everything has sounded). */
int engine_render(struct engine *e, float *out, int frames);

/* From one control thread: queue a command (a CONTROL_RELOAD hands over its
 * plan).  0 when queued, -1 when the queue is full (try again later). */
int engine_send(struct engine *e, const struct control_cmd *cmd);

/* From the control thread: frees plans the engine has retired. */
void engine_collect(struct engine *e);

/* Asks for a fade-out and the end of the session; safe from any thread and
 * from a signal handler. */
void engine_request_stop(struct engine *e);

void engine_status(const struct engine *e, struct engine_status *st);

int engine_rate(const struct engine *e);

/* Counting aloud (a paced step's count_aloud): the number said on beat K,
 * or 0 when K is not a movement's first beat (a movement is one turn of the
 * step's sounds); and the seconds a number may take at BPM, so that it ends
 * before the next one starts. */
int engine_count_number(const struct step *st, int k);
double engine_count_room(const struct step *st, double bpm);

#endif
