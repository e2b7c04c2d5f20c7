/* live: a session played through the sound card, steered from the control
 * (main) thread: single keys, the status line, edits of the routine file
 * picked up while it plays, and clean stops on q, Ctrl-C and SIGTERM.
 *
 * The audio thread is PortAudio's; this module only sends it commands
 * through engine_send and reads engine_status.  Returns an exit status: 0
 * done or stopped on request, 1 a runtime failure, 2 bad input. */
#ifndef CALFPACE_LIVE_H
#define CALFPACE_LIVE_H

#include "setup.h"

struct live_options {
    const char *routine;
    const char *device;
    int device_saved; /* the device came from the personal config, not the command line */
    double latency;
    double tempo_scale; /* the listener's tempo factor from the start */
    struct setup_choice choice;
    int quiet;
    int no_summary; /* not even the closing figures (a reminder's prompt) */
    int mpris;        /* be an MPRIS player on the session bus while playing */
    int pause_others; /* pause other MPRIS players while playing, resume after */
};

int live_play(const struct live_options *o);

struct remind_options {
    double every;    /* seconds between reminders */
    int from, to;    /* active hours, minutes after midnight (equal: all day) */
    double postpone; /* seconds a key press postpones the next reminder */
    int prompt_only; /* "none": the spoken prompt alone, no routine */
    double run_for;  /* stop after this many seconds (0: run until stopped) */
};

/* Reminds to move until stopped: at each interval inside the active hours,
 * a spoken prompt and then the routine in O (unless prompt_only).  The
 * sound device is open only while something plays. */
int live_remind(const struct live_options *o, const struct remind_options *ro);

/* Call first thing in main: the session's figures count start-up from here. */
void live_mark_launch(void);

#endif
