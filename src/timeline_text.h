/* timeline_text: the routine's timeline as text, for 'calfpace check'. */
#ifndef CALFPACE_TIMELINE_TEXT_H
#define CALFPACE_TIMELINE_TEXT_H

#include "routine.h"

#include <stdint.h>
#include <stdio.h>

#define TIMELINE_CHAPTER_NAME_MAX 128
#define TIMELINE_CHAPTERS_MAX 999 /* Vorbis CHAPTERxxx numbers have three digits */

/* A part of the session a listener may skip to: the opening, each step of
 * each round, the closing. */
struct timeline_chapter {
    int64_t frame; /* where it starts, at the rate given to timeline_chapters */
    char name[TIMELINE_CHAPTER_NAME_MAX];
};

/* Each step with its start, length, beats and tempo range, and the total. */
void timeline_print(FILE *to, const struct routine *r);

/* Every event of the session, one a line: "FRAME KIND ROUND STEP BEAT PAN". */
void timeline_print_events(FILE *to, const struct routine *r);

/* The session's chapters in order: "Opening" at frame 0, each step at its
 * start (its cue) named after it ("NAME (round 2)" from the second round),
 * "Closing" at the closing cue.  Fills up to MAX; returns how many there
 * are in all. */
int timeline_chapters(const struct routine *r, int rate, struct timeline_chapter *out, int max);

/* "1:02.5" or "1:02:03" style, into OUT. */
void timeline_format_time(double seconds, char *out, size_t outlen);

#endif
