/* live: a session played through the sound card, steered from the control
 * (main) thread: single keys, the status line, edits of the routine file
 * picked up while it plays, and clean stops on q, Ctrl-C and SIGTERM.
 *
 * The audio thread is PortAudio's; this module only sends it commands
 * through engine_send and reads engine_status.  Returns an exit status: 0
 * done or stopped on request, 1 a runtime failure, 2 bad input. */
#ifndef CALFPACE_LIVE_H
#define CALFPACE_LIVE_H

struct live_options {
    const char *routine;
    const char *device;
    const char *sounds;
    double latency;
    int voice;
    int quiet;
};

int live_play(const struct live_options *o);

/* Call first thing in main: the session's figures count start-up from here. */
void live_mark_launch(void);

#endif
