/* term: the terminal while a session plays: single keys in raw mode, and a
 * status line redrawn in place.  Only the control (main) thread calls it;
 * the audio thread never touches the terminal.
 *
 * Raw mode is on only between term_begin and term_end.  The saved settings
 * are restored on every way out: term_end, exit (atexit), and the signal
 * paths through term_restore_now, which is async-signal-safe.  To do that
 * from a signal handler the saved settings live in this module's one static.
 */
#ifndef CALFPACE_TERM_H
#define CALFPACE_TERM_H

#include <stddef.h>
#include <stdio.h>

enum term_key {
    TERM_KEY_PAUSE,  /* space */
    TERM_KEY_NEXT,   /* n */
    TERM_KEY_BACK,   /* b */
    TERM_KEY_FASTER, /* up arrow, + (or =) */
    TERM_KEY_SLOWER, /* down arrow, - */
    TERM_KEY_LOUDER, /* right arrow, ] */
    TERM_KEY_SOFTER, /* left arrow, [ */
    TERM_KEY_QUIT    /* q */
};

/* Puts the terminal on FD in raw mode (no line buffering, no echo; Ctrl-C
 * still raises SIGINT).  Returns 1 if keys are on, 0 when FD is no terminal. */
int term_begin(int fd);

/* Restores the terminal as it was; safe to call more than once. */
void term_end(void);

/* The same, from a signal handler. */
void term_restore_now(void);

/* Before a stop (Ctrl-Z): the terminal as it was, raw mode to come back
 * with term_resume. */
void term_suspend(void);

/* Raw mode again (after a stop, or when the session comes back to the
 * foreground) if keys are on and the process is in the terminal's
 * foreground; in the background nothing is done, since setting the terminal
 * would stop the process.  Cheap: call it every turn. */
void term_resume(void);

/* 1 while keys are on and the process is in the terminal's foreground
 * (reading keys in the background would stop it). */
int term_foreground(void);

/* Turns the bytes BUF[0..N) into keys; returns how many (at most MAX).
 * Escape sequences for the arrow keys are read whole; other bytes are
 * ignored. */
int term_parse_keys(const char *buf, size_t n, enum term_key *keys, int max);

/* TEXT made safe for a terminal, in OUT (cut to OUTLEN, always ended):
 * control characters (C0, DEL, and C1 as U+0080..U+009F) and bytes that are
 * not UTF-8 become visible escapes (\n, \t, \x1b, \u009b), so a routine's
 * name, a file name or a device name can never move the cursor, retitle
 * the window or clear the screen.  Every such string goes through it before
 * it is printed.  Returns OUT. */
const char *term_clean(const char *text, char *out, size_t outlen);

/* Replaces the status line on TO with LINE (cleaned), cut to the terminal's
 * width. */
void term_status(FILE *to, int fd, const char *line);

/* Clears the status line so that other output starts on a clean line. */
void term_status_clear(FILE *to);

#endif
