/* sequencer: turn a routine into events at exact sample positions.
 *
 * The session's timeline, in seconds from its first sample:
 *   preroll (silence, so a new stream's first milliseconds lose nothing)
 *   opening cue, then the routine's lead_in
 *   for each round (repeat) and each step: the step's cue at its start,
 *     its lead_in, then its body of S seconds (beats for paced steps)
 *   closing cue
 * Every event's time is computed in double precision from the session's
 * start and rounded once to a frame, so nothing drifts, however long the
 * session.  The timeline does not depend on whether cues are voiced, so a
 * clicks-only session keeps every beat where the full one has it.
 *
 * Controls move the timeline by whole frames (an offset added after the
 * rounding) or re-anchor the current step's ramp at its next beat, so the
 * rest of a session stays exact after a pause, a skip or a tempo change.
 *
 * Pure: no allocation, no I/O; safe on the audio thread.  The routine must
 * outlive its use by the sequencer.
 */
#ifndef CALFPACE_SEQUENCER_H
#define CALFPACE_SEQUENCER_H

#include "routine.h"

#include <stdint.h>

#define SEQUENCER_PREROLL_SECONDS 0.1
#define SEQUENCER_COUNTDOWN 3        /* "three, two, one" */
#define SEQUENCER_HOLD_COUNT_MIN 6.0 /* holds shorter than this get no countdown */

enum seq_kind {
    SEQ_OPEN,     /* the session begins: its opening cue, if any */
    SEQ_STEP,     /* a step begins: its cue, if any */
    SEQ_COUNT,    /* a countdown number (beat is the number): into a paced step's
                     first beat, or to the end of a hold */
    SEQ_BEAT,     /* a beat of a paced step */
    SEQ_STEP_END, /* a step's body is over */
    SEQ_CLOSE,    /* the last step is over: the closing cue, if any */
    SEQ_DONE      /* nothing more will come */
};

struct seq_event {
    int64_t frame;
    enum seq_kind kind;
    int round; /* 0 .. repeat-1 */
    int step;  /* index into the routine's steps; -1 for OPEN, CLOSE, DONE */
    int beat;  /* beat index within the step (SEQ_BEAT); the number (SEQ_COUNT) */
    int beats; /* the step's beat count as now planned (SEQ_BEAT) */
};

struct sequencer {
    const struct routine *routine;
    int rate;
    int64_t offset; /* frames added to every position */
    double scale;   /* tempo factor for the rest of the session */
    enum seq_kind next_kind;
    int round;
    int step;
    int beat;
    int count;         /* the next countdown number */
    double step_start; /* seconds from the session's start, before the offset */
    /* The current paced step's ramp: beat k sits at the ramp's phase
     * seg_phase + (k - seg_beat) / seg_scale. */
    double seg_phase;
    int seg_beat;
    double seg_scale;
    int beats;       /* the current step's beat count as now planned */
    double body_len; /* the current step's body length as now planned */
};

void sequencer_init(struct sequencer *s, const struct routine *r, int rate);

/* The next event, in order of frame; after SEQ_DONE it repeats SEQ_DONE. */
void sequencer_next(struct sequencer *s, struct seq_event *ev);

/* Moves everything not yet returned later by FRAMES (a pause). */
void sequencer_shift(struct sequencer *s, int64_t frames);

/* The next event will be the start of STEP in ROUND, at frame AT (a step past
 * the last moves on to the next round, or to the close). */
void sequencer_goto(struct sequencer *s, int round, int step, int64_t at);

/* Multiplies the tempo of the rest of the session by FACTOR from the beat
 * after the next one returned (which keeps its place). */
void sequencer_scale_tempo(struct sequencer *s, double factor);

/* Switches to routine R keeping the position: the same round, step and beat
 * count; the event last returned keeps its place and later ones follow R.  A
 * step that changed its type starts afresh at frame AT. */
void sequencer_switch(struct sequencer *s, const struct routine *r, int64_t at);

/* The tempo (bpm, scaled) at which the next beat of a paced step sounds. */
double sequencer_current_tempo(const struct sequencer *s);

/* Seconds from the session's start at which each part begins, unscaled. */
double sequencer_first_step_seconds(const struct routine *r);
double sequencer_step_length(const struct step *st);       /* lead_in + S */
double sequencer_session_seconds(const struct routine *r); /* up to the closing cue */

/* A time in seconds from the session's start as a frame: rounded once. */
int64_t sequencer_frame_at(double seconds, int rate);

#endif
