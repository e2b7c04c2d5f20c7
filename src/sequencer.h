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
 * Pure: no allocation, no I/O; safe on the audio thread.  The routine must
 * outlive the sequencer.
 */
#ifndef CALFPACE_SEQUENCER_H
#define CALFPACE_SEQUENCER_H

#include "routine.h"

#include <stdint.h>

#define SEQUENCER_PREROLL_SECONDS 0.1

enum seq_kind {
    SEQ_OPEN,       /* the session begins: its opening cue, if any */
    SEQ_STEP,       /* a step begins: its cue, if any */
    SEQ_BEAT,       /* a beat of a paced step */
    SEQ_STEP_END,   /* a step's body is over */
    SEQ_CLOSE,      /* the last step is over: the closing cue, if any */
    SEQ_DONE        /* nothing more will come */
};

struct seq_event {
    int64_t frame;
    enum seq_kind kind;
    int round; /* 0 .. repeat-1 */
    int step;  /* index into the routine's steps; -1 for OPEN, CLOSE, DONE */
    int beat;  /* beat index within the step, for SEQ_BEAT */
};

struct sequencer {
    const struct routine *routine;
    double rate;
    int64_t offset; /* frames added to every position */
    enum seq_kind next_kind;
    int round;
    int step;
    int beat;
    double step_start; /* seconds from the session's start */
};

void sequencer_init(struct sequencer *s, const struct routine *r, int rate);

/* The next event, in order of frame; after SEQ_DONE it repeats SEQ_DONE. */
void sequencer_next(struct sequencer *s, struct seq_event *ev);

/* Seconds from the session's start at which each part begins. */
double sequencer_first_step_seconds(const struct routine *r);
double sequencer_step_length(const struct step *st); /* lead_in + S */
double sequencer_session_seconds(const struct routine *r); /* up to the closing cue */

/* A time in seconds from the session's start as a frame: rounded once. */
int64_t sequencer_frame_at(double seconds, int rate);

#endif
