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
 * Every such move goes through sequencer_locate, which never schedules an
 * event before the first frame not yet handed out.
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
#define SEQUENCER_COUNT_SLOW 1.5     /* seconds: a count-in number at most this far from the next */

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
    int64_t end_at;  /* the frame an edit made the step end on, or -1 */
};

void sequencer_init(struct sequencer *s, const struct routine *r, int rate);

/* The next event, in order of frame; after SEQ_DONE it repeats SEQ_DONE. */
void sequencer_next(struct sequencer *s, struct seq_event *ev);

/* Where to stand: every move in time (an edit, a tempo key, next, back,
 * pause and resume, stop) is one of these, and sequencer_locate is the one
 * place that knows how to stand there. */
enum seq_move_kind {
    SEQ_MOVE_STAY,  /* the same round, step and beat count under ROUTINE and SCALE */
    SEQ_MOVE_STEP,  /* ROUND/STEP starts afresh from its announcement, DELAY after FLOOR */
    SEQ_MOVE_SHIFT, /* everything not yet handed out moves DELAY frames later */
    SEQ_MOVE_END    /* nothing more comes */
};

struct seq_move {
    enum seq_move_kind kind;
    const struct routine *routine; /* STAY: the routine from now on; NULL for the same */
    double scale;                  /* STAY: the tempo factor from now on; 0 for the same */
    int round, step;               /* STEP (a step past the last is the next round's first) */
    int64_t delay;                 /* STEP, SHIFT: frames, >= 0 */
    int64_t floor;                 /* the first frame not yet handed out */
};

/* Stands S where M says.  Promise: the next event is not before M->floor,
 * and what follows it is the closed form from one anchor:
 *   STAY keeps the next beat (or, before the first beat, the step's start;
 *   in a hold or rest, its body's start) on its frame and times the rest of
 *   the step from there at the new tempo;
 *   a step that is already over (edited shorter than what has been played)
 *   ends at M->floor, and the next step begins there from its announcement;
 *   a step whose type changed, or that is gone, starts afresh from its
 *   announcement at M->floor (gone: the step that now follows it);
 *   a beat or a countdown number that would fall before M->floor is moved
 *   to it (a beat) or left out (a number). */
void sequencer_locate(struct sequencer *s, const struct seq_move *m);

/* The next event sequencer_next will return, without taking it. */
void sequencer_peek(const struct sequencer *s, struct seq_event *ev);

/* The frames of the current step's start and of its end as now planned
 * (the step the next event belongs to, or the next step to begin). */
void sequencer_step_span(const struct sequencer *s, int64_t *start, int64_t *end);

/* The tempo (bpm, scaled) at which the next beat of a paced step sounds. */
double sequencer_current_tempo(const struct sequencer *s);

/* The beats from one count-in number to the next, and from "one" to the
 * first beat, for paced step ST at BPM (its first tempo, scaled): one beat
 * when the routine's longest count-in number (r->count_word, seconds) fits
 * in a beat; else the fewest beats it fits in, doubled from one (2, 4, 8...,
 * a movement times 2, 4... when the step counts movements), so the count
 * keeps the beat's pulse; and below 40 bpm a half (a quarter...) of a beat,
 * so the count-in does not drag: "three" "two" "one" at most
 * SEQUENCER_COUNT_SLOW s apart, never closer than a number takes to say. */
double sequencer_count_spacing(const struct routine *r, const struct step *st, double bpm);

/* Seconds from the session's start at which each part begins, unscaled. */
double sequencer_first_step_seconds(const struct routine *r);
double sequencer_step_length(const struct step *st);       /* lead_in + S */
double sequencer_session_seconds(const struct routine *r); /* up to the closing cue */

/* A time in seconds from the session's start as a frame: rounded once. */
int64_t sequencer_frame_at(double seconds, int rate);

#endif
