/* live: a session played through the sound card.  Starts the audio system
 * while the routine loads, opens the device (the default when a saved one
 * has gone), runs the session loop (session.h) on it, and reports.
 *
 * Returns CP_OK when done or stopped on request, else the kind of failure
 * (cp_error.h), after saying what went wrong on stderr. */
#ifndef CALFPACE_LIVE_H
#define CALFPACE_LIVE_H

#include "cp_error.h"
#include "setup.h"

struct live_options {
    const char *routine; /* the routine file (watched for edits) */
    const char *text;    /* or, if not NULL, the routine itself; ROUTINE names it */
    const char *device;
    int device_saved; /* the device came from the personal config, not the command line */
    double latency;
    double tempo_scale; /* the listener's tempo factor from the start */
    struct setup_choice choice;
    int quiet;
    int no_summary; /* not even the closing figures (a reminder's prompt) */
    int figures;    /* the closing figures for developers and benchmarks (-v) */
    int reminding;  /* played by remind: no advice to render a file instead */
    int mpris;        /* be an MPRIS player on the session bus while playing */
    int pause_others; /* pause other MPRIS players while playing, resume after */
    char *played_on;  /* if not NULL, gets the name of the device opened (LIVE_DEVICE_NAME_MAX) */
};

#define LIVE_DEVICE_NAME_MAX 256

enum cp_err_kind live_play(const struct live_options *o);

/* Call first thing in main: the session's figures count start-up from here. */
void live_mark_launch(void);

#endif
