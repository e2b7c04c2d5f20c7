/* signals: how a live session hears Ctrl-C, SIGTERM, SIGHUP, a stop and a
 * continue.  The session loop asks; nothing else is done in a handler but
 * setting a flag, restoring the terminal, and (for a second Ctrl-C) leaving
 * at once.  For the main thread. */
#ifndef CALFPACE_SIGNALS_H
#define CALFPACE_SIGNALS_H

/* Installs the handlers; safe to call more than once. */
void signals_install(void);

/* 1 once SIGINT, SIGTERM or SIGHUP has arrived. */
int signals_stop_requested(void);

/* 1 if the process was continued (SIGCONT) since the last call. */
int signals_take_continued(void);

#endif
