/* reminder: the loop of 'calfpace remind'.  At each interval inside the
 * active hours it speaks a prompt and then plays the routine (unless the
 * prompt is all there is); a key postpones the next reminder, q quits, and
 * a snooze written by another calfpace process moves it.  The sound device
 * is open only while something plays, and only in a child process, one per
 * reminder, so whatever a lost stream leaves behind ends with the child.
 * The time arithmetic is remind.h's.
 *
 * While the screen is locked or the machine asleep no reminder sounds, and
 * after an absence of at least ro->away the interval starts again; while a
 * microphone is in use (a call) a due reminder waits and is said when it
 * ends (presence.h).  With o->pause_others, other MPRIS players are paused
 * from the prompt to the routine's end, and resumed after. */
#ifndef CALFPACE_REMINDER_H
#define CALFPACE_REMINDER_H

#include "live.h"

struct remind_options {
    double every;    /* seconds between reminders */
    int from, to;    /* active hours, minutes after midnight (equal: all day) */
    double postpone; /* seconds a key press postpones the next reminder */
    int prompt_only; /* "none": the spoken prompt alone, no routine */
    double run_for;  /* stop after this many seconds (0: run until stopped) */
    double away;     /* locked or asleep this long restarts the interval */
    double prompt_silence; /* seconds of silence before the prompt's first sound */
};

/* Reminds until stopped; returns CP_OK, or how the last reminder that
 * failed did (as live_play says it). */
enum cp_err_kind reminder_run(const struct live_options *o, const struct remind_options *ro);

/* The prompt's routine text: SILENCE seconds of silence (a Bluetooth sink
 * that slept wakes on the stream and would clip the first word), then one
 * spoken cue ("calf-time", or "stand-up" with PROMPT_ONLY) and nothing else. */
void reminder_prompt_text(char *out, size_t outlen, int prompt_only, double silence);

#endif
