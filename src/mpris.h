/* mpris: calfpace on the session D-Bus, so that headset buttons, media keys
 * and desktop media widgets reach a session that plays, and so that other
 * players can be paused while it plays (the TV) and resumed after.
 *
 * Two things share one connection:
 *   - the player: org.mpris.MediaPlayer2 and org.mpris.MediaPlayer2.Player on
 *     /org/mpris/MediaPlayer2, under the bus name org.mpris.MediaPlayer2.calfpace
 *     (org.mpris.MediaPlayer2.calfpace.instance<PID> when that is taken).
 *     Method calls become mpris_command calls to the owner's handler; the
 *     properties come from the owner's snapshot (struct mpris_state).
 *   - the others: every other MPRIS player that is Playing can be paused, and
 *     later those, and only those, resumed.  One the listener starts or stops
 *     in between is the listener's again and is left alone.
 *
 * Everything runs on the thread that calls mpris_process (the control
 * thread): put mpris_fd in its poll() with mpris_events and wait at most
 * mpris_timeout_ms.  Not for the audio thread.
 *
 * Failure is silent: with no session bus, or a bus that refuses us,
 * mpris_open returns NULL and every function accepts NULL and does nothing;
 * the keys still work.  Strings are made valid UTF-8 before they go out. */
#ifndef CALFPACE_MPRIS_H
#define CALFPACE_MPRIS_H

#include <stddef.h>
#include <stdint.h>

enum mpris_command {
    MPRIS_PLAY,       /* resume if paused (idempotent: headsets send it alone) */
    MPRIS_PAUSE,      /* pause if playing (idempotent) */
    MPRIS_PLAY_PAUSE, /* the space key */
    MPRIS_NEXT,       /* n */
    MPRIS_PREVIOUS,   /* b */
    MPRIS_STOP,       /* q (Stop, and Quit on the root interface) */
    MPRIS_VOLUME      /* set the volume to value (0 silent, 1 as planned) */
};

/* What the player shows; the owner fills it on request. */
struct mpris_state {
    int playing;  /* 0: paused */
    int finished; /* the session is over: Stopped */
    int track;    /* a number for the current step, unique in the session */
    char title[256];
    char album[256];
    int64_t length_us;   /* the whole session */
    int64_t position_us; /* from the engine's frame */
    double volume;       /* linear gain: 1.0 as planned */
    int can_next, can_previous;
};

typedef void (*mpris_command_fn)(void *ctx, enum mpris_command cmd, double value);
typedef void (*mpris_state_fn)(void *ctx, struct mpris_state *st);

struct mpris;

/* Connects to the session bus.  With PLAYER set, registers the player and
 * takes its bus name; COMMAND and STATE are then called from mpris_process
 * and mpris_update.  Without, the connection serves mpris_pause_others
 * alone.  NULL when there is no usable bus. */
struct mpris *mpris_open(int player, mpris_command_fn command, mpris_state_fn state, void *ctx);

/* Gives up the bus name (and the connection) after resuming nothing:
 * call mpris_resume_others first if others were paused. */
void mpris_close(struct mpris *m);

/* The bus name taken, or NULL. */
const char *mpris_name(const struct mpris *m);

int mpris_fd(const struct mpris *m);        /* -1 without a connection */
short mpris_events(const struct mpris *m);  /* for pollfd.events */
int mpris_timeout_ms(const struct mpris *m, int most); /* at most MOST */

/* Reads and answers what has arrived; call when the fd is ready or the
 * timeout passed. */
void mpris_process(struct mpris *m);

/* Asks the owner for a new snapshot and sends PropertiesChanged for what
 * differs from the last one, and Seeked when the step changed by a jump
 * (JUMPED set) rather than by playing on. */
void mpris_update(struct mpris *m, int jumped);

/* Pauses every other MPRIS player whose PlaybackStatus is Playing and
 * remembers it; returns how many were paused. */
int mpris_pause_others(struct mpris *m);

/* Sends Play to those paused by mpris_pause_others that are still Paused
 * and that the listener has not touched since; returns how many. */
int mpris_resume_others(struct mpris *m);

/* Copies TEXT into OUT (OUTLEN > 0) as valid UTF-8: every byte that does
 * not begin a well-formed sequence becomes '?', and a cut never splits a
 * character. */
void mpris_utf8_clean(const char *text, char *out, size_t outlen);

#endif
