/* session: the control loop of one live session.  It waits in one poll()
 * for keys, saves of the routine file, signals and any descriptor a caller
 * adds (session_add_fd), and between them sends the engine its commands,
 * takes up edits, shows the status and notices an output that stopped
 * taking frames.  It drives any output (output.h): a device, or in tests the
 * null output with a fake clock.  Afterwards session_report prints the
 * closing figures and appends the history line.
 *
 * The session borrows its engine, bank and output; the caller creates and
 * frees them.  For the control (main) thread only.
 */
#ifndef CALFPACE_SESSION_H
#define CALFPACE_SESSION_H

#include "clips.h"
#include "control.h"
#include "engine.h"
#include "output.h"
#include "setup.h"
#include "status.h"
#include "watch.h"

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#define SESSION_POLL_MS 50
#define SESSION_STALL_SECONDS 3.0 /* no frame for this long: the device went away */
#define SESSION_TEMPO_STEP 1.05
#define SESSION_VOLUME_STEP_DB 2.0
#define SESSION_MAX_FDS 8

struct session_params {
    const char *routine;               /* watched and reloaded on a save; NULL: neither */
    const struct setup_choice *choice; /* for reloads */
    struct engine_plan *complete;      /* the engine's plan, made by engine_plan_create_first:
                                          its vocabulary is completed in the background once
                                          the sound runs; NULL: nothing to complete */
    int keys_fd;                       /* a terminal to read keys from (raw mode), or -1 */
    FILE *out;                         /* status and notices (stdout) */
    int out_fd;                        /* its descriptor, for the terminal's width */
    int tty;                           /* out is a terminal: the status line redraws */
    int quiet;                         /* no status, no notices */
    int no_summary;                    /* no closing figures, no history (a reminder's prompt) */
    int figures;                       /* the closing figures (callbacks, start-up, RSS): -v */
    int poll_ms;                       /* longest wait in poll() */
    double stall_seconds;              /* no new frame for this long: the output is lost */
    double (*now)(void *ctx);          /* monotonic seconds; NULL for CLOCK_MONOTONIC */
    void *clock_ctx;
};

enum session_end {
    SESSION_FINISHED, /* played to the end */
    SESSION_STOPPED,  /* ended early on request (q, Ctrl-C, SIGTERM) */
    SESSION_LOST,     /* the output ended before the session did */
    SESSION_STALLED,  /* the output stopped taking frames: it may never return */
    SESSION_FAILED    /* the output would not start */
};

struct session;

/* A session of ENGINE (whose plan's routine is SHOWN) on OUT.  NULL when out
 * of memory. */
struct session *session_create(struct engine *engine, struct clip_bank **bank,
                               const struct routine *shown, struct output *out,
                               const struct session_params *p);
void session_destroy(struct session *s);

/* 1 while a reload works in its own thread (the routine read, its sounds and
 * speech loaded): the loop goes on meanwhile and takes the plan up once it
 * is done.  A session that ends waits for it. */
int session_reloading(const struct session *s);

/* Something else the loop waits for (a D-Bus connection, say), on the
 * control thread.  Every member but fd may be NULL. */
struct session_source {
    int fd;       /* polled with events; -1 for none */
    short events; /* what to poll for, unless prepare says otherwise */
    /* Before each poll(): may change *events; returns the longest wait it
     * allows in ms, or -1 for no limit of its own. */
    int (*prepare)(void *ctx, short *events);
    void (*ready)(void *ctx, short revents); /* fd polled ready */
    void (*after_poll)(void *ctx);           /* every turn, after poll() */
    /* Every turn, with the engine's status as the loop last read it. */
    void (*update)(void *ctx, const struct engine_status *st);
    void *ctx;
};

/* Adds a source to the loop; 0, or -1 when the loop is full
 * (SESSION_MAX_FDS). */
int session_add_source(struct session *s, const struct session_source *src);

/* A descriptor with a handler alone: READY(CTX, revents) whenever it polls
 * with one of EVENTS. */
int session_add_fd(struct session *s, int fd, short events, void (*ready)(void *ctx, short revents),
                   void *ctx);

/* From a handler: a command for the engine (as a key would send it), or the
 * end of the session.  0, or -1 when the engine's queue is full. */
int session_command(struct session *s, enum control_kind kind, double value);
void session_request_stop(struct session *s);

/* Changes the volume by DB, kept within the engine's range; the volume the
 * listener asked for, ahead of the engine's. */
void session_change_volume(struct session *s, double db);
double session_volume_db(const struct session *s);

/* 1 within a second of a skip or restart (n, b, or a command). */
int session_jumped(const struct session *s);

void session_status(const struct session *s, struct engine_status *st);
double session_seconds(const struct session *s); /* the routine's planned length */

/* Starts the output and runs until the session ends; with SESSION_FAILED
 * the reason is in err. */
enum session_end session_run(struct session *s, char *err, size_t errlen);

/* The closing line and figures on TO, and the history line (not for a
 * prompt); LAUNCHED_AT is when the program started (monotonic seconds). */
void session_report(struct session *s, FILE *to, double launched_at);

/* The newest routine handed to the engine. */
const struct routine *session_routine(const struct session *s);

#endif
