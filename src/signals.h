/* signals: the signals a live session takes, as data in its poll() loop.
 *
 * signals_begin, called on the main thread before any other thread starts,
 * blocks SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT and SIGWINCH there, so
 * every thread made later (PortAudio's among them) inherits the block and
 * none of them is ever interrupted by one; the main thread reads them from
 * a signalfd.  SIGPIPE is ignored: a closed pipe on stdout is a failed
 * write, not a silent death.  Faults (SIGSEGV, SIGABRT, SIGBUS, SIGFPE)
 * keep a handler that restores the terminal before the default action.
 * For the main thread.
 */
#ifndef CALFPACE_SIGNALS_H
#define CALFPACE_SIGNALS_H

enum signals_event {
    SIGNALS_STOP = 1,      /* SIGINT, SIGTERM or SIGHUP: end the session */
    SIGNALS_SUSPEND = 2,   /* SIGTSTP: Ctrl-Z */
    SIGNALS_CONTINUED = 4, /* SIGCONT: after any stop, of any length */
    SIGNALS_RESIZED = 8    /* SIGWINCH */
};

/* Blocks the signals and opens the descriptor; 0, or -1 (then the default
 * actions stay).  Safe to call more than once. */
int signals_begin(void);

/* The descriptor to poll for POLLIN, or -1 before signals_begin. */
int signals_fd(void);

/* Reads what has arrived: a set of signals_event bits.  A second SIGINT
 * (Ctrl-C during the fade-out) leaves at once: the terminal restored,
 * exit status 130. */
int signals_read(void);

/* 1 once SIGINT, SIGTERM or SIGHUP has arrived. */
int signals_stop_requested(void);

/* Stops the process as SIGTSTP would (the caller has put the terminal
 * back); returns once it is continued. */
void signals_stop_self(void);

#endif
