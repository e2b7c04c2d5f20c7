/* presence: is the listener at the desk and free to hear a reminder?
 *
 *   - away: logind's LockedHint (the screen locked) and PrepareForSleep (the
 *     machine suspended), watched on the system bus; the time away is
 *     measured when the listener is back.
 *   - on a call: a microphone stream is open on the sound server (a
 *     source-output that does not record a sink's monitor), asked of the
 *     server with pactl.
 *
 * For the reminder loop on the control thread; not for the audio thread.
 * Both fail quietly: with no system bus or no logind the listener is never
 * away, and with no sound server or no pactl never on a call. */
#ifndef CALFPACE_PRESENCE_H
#define CALFPACE_PRESENCE_H

struct presence;

/* Watches logind for this process's session (XDG_SESSION_ID, else logind's
 * "auto").  NULL when there is no system bus or no logind. */
struct presence *presence_open(void);
void presence_close(struct presence *p);

int presence_fd(const struct presence *p); /* -1 without a connection */
short presence_events(const struct presence *p);

/* Handles what arrived.  Returns the seconds the listener was away when the
 * screen was just unlocked or the machine just woke up (>= 0), -1
 * otherwise. */
double presence_process(struct presence *p);

/* 1 while the screen is locked or the machine is going to sleep. */
int presence_away(const struct presence *p);

/* 1 when a program records from a microphone (a call), 0 when none does or
 * the server cannot be asked. */
int presence_on_call(void);

/* The same question asked of pactl's output: SOURCES is "pactl list short
 * sources", OUTPUTS "pactl list short source-outputs". */
int presence_on_call_parse(const char *sources, const char *outputs);

#endif
