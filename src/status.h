/* status: what a live session shows while it plays.  On a terminal, one
 * status line redrawn in place (step, beat or time left, tempo, progress
 * bars, underruns); otherwise one line as each step begins.  Other messages
 * go through status_say, which clears the status line first so that they
 * start on a clean line.  For the control thread only. */
#ifndef CALFPACE_STATUS_H
#define CALFPACE_STATUS_H

#include "engine.h"
#include "routine.h"

#include <stdint.h>
#include <stdio.h>

struct status {
    FILE *out; /* the status line's stream (stdout) */
    int fd;    /* its terminal, for the width */
    int tty;   /* redraw in place; else a line a step */
    int quiet; /* show nothing but what status_say is given */
    int drawn; /* a status line is on the screen */
    int shown_step, shown_round;
    /* what the line remembers between draws */
    int drawn_columns, drawn_width; /* the last line's length and the width it was drawn at */
    double last_tempo;              /* shown after a step's last beat, not 0.0 */
    int last_tempo_step;
    int was_paused;
    int64_t pause_from, paused_frames; /* the clock stands still while paused */
};

/* The line itself, for a terminal WIDTH columns wide: at most WIDTH - 1
 * display columns (UTF-8 characters, not bytes).  Pure apart from S's
 * memory of the last tempo and of pauses. */
void status_format(struct status *s, const struct routine *r, const struct engine_status *st,
                   uint64_t underruns, double session_seconds, int width, char *out,
                   size_t outlen);

/* The status line is for sighted terminal users: off when ACCESSIBLE is set
 * (a screen reader re-reads a redrawn line) or TERM is "dumb". */
int status_wanted(void);

void status_init(struct status *s, FILE *out, int fd, int tty, int quiet);

/* One message line on TO (the status line cleared first). */
void status_say(struct status *s, FILE *to, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Shows ST of a session of R (SESSION_SECONDS long) with UNDERRUNS so far. */
void status_update(struct status *s, const struct routine *r, const struct engine_status *st,
                   uint64_t underruns, double session_seconds);

/* Clears the status line if one is drawn. */
void status_clear(struct status *s);

/* "###-------": WIDTH characters for FRACTION (clamped to 0..1) in OUT. */
void status_bar(char *out, size_t width, double fraction);

#endif
