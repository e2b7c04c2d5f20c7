/* stream_props: the name, icon and role that sound servers and mixers show
 * for calfpace's stream, handed to them through the environment that
 * PortAudio's ALSA path reads: PULSE_PROP and PULSE_PROP_OVERRIDE (ALSA's
 * pulse plugin, for PulseAudio and pipewire-pulse alike) and PIPEWIRE_PROPS
 * (pipewire-alsa).
 *
 * The role is music, never phone or Communication: with those, WirePlumber
 * and PulseAudio move Bluetooth headphones to the low-quality headset
 * profile.  The listener's own values stay: a key already in a variable is
 * not added again.
 *
 * stream_props_apply calls setenv, so it must run before any thread starts
 * (setenv and a concurrent getenv race): first thing in main. */
#ifndef CALFPACE_STREAM_PROPS_H
#define CALFPACE_STREAM_PROPS_H

#include <stddef.h>

/* Adds to USER (a variable's value, or NULL) each "key=value" of OURS
 * whose key USER does not set; the result in OUT.  A value in braces (SPA
 * JSON, as PIPEWIRE_PROPS may be) gets the keys inside its braces.  Returns
 * 0, or -1 when OUT is too small (OUT then holds USER unchanged). */
int stream_props_merge(const char *user, const char *ours, char *out, size_t outlen);

/* Sets the three variables, keeping what the listener set. */
void stream_props_apply(void);

#endif
