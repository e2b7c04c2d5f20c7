/* live_mpris: a live session as an MPRIS player (mpris.h).  Media keys and
 * headset buttons send what the keys send; the player's properties follow
 * the session; other players that were playing are paused before the first
 * sound and resumed after the last.  For the control thread. */
#ifndef CALFPACE_LIVE_MPRIS_H
#define CALFPACE_LIVE_MPRIS_H

#include "session.h"

struct live_mpris;

/* Joins S's loop (before session_run): on the bus as a player with PLAYER,
 * other players paused with PAUSE_OTHERS.  NULL when neither is asked for or
 * out of memory; with no session bus, a quiet no-op. */
struct live_mpris *live_mpris_attach(struct session *s, int player, int pause_others);

/* Once the last sound has gone out: the player's last state, the other
 * players resumed, off the bus.  Accepts NULL. */
void live_mpris_detach(struct live_mpris *m);

#endif
