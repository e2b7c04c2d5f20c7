/* reminder: the loop of 'calfpace remind'.  At each interval inside the
 * active hours it speaks a prompt and then plays the routine (unless the
 * prompt is all there is); a key postpones the next reminder, q quits, and
 * a snooze written by another calfpace process moves it.  The sound device
 * is open only while something plays.  The time arithmetic is remind.h's. */
#ifndef CALFPACE_REMINDER_H
#define CALFPACE_REMINDER_H

#include "live.h"

struct remind_options {
    double every;    /* seconds between reminders */
    int from, to;    /* active hours, minutes after midnight (equal: all day) */
    double postpone; /* seconds a key press postpones the next reminder */
    int prompt_only; /* "none": the spoken prompt alone, no routine */
    double run_for;  /* stop after this many seconds (0: run until stopped) */
};

/* Reminds until stopped; returns an exit status as live_play does. */
int reminder_run(const struct live_options *o, const struct remind_options *ro);

/* The prompt's routine text: one spoken cue ("calf-time", or "stand-up"
 * with PROMPT_ONLY) and nothing else. */
void reminder_prompt_text(char *out, size_t outlen, int prompt_only);

#endif
