/* out_portaudio: play a session live through PortAudio.
 *
 * The stream's callback calls engine_render and nothing else of note: it
 * does not allocate, lock, wait, log or touch a file or the terminal.  What
 * happens in it is counted in atomics (callbacks, underflows, time spent)
 * that any thread may read with out_pa_stats.
 *
 * PortAudio's backends (ALSA, JACK) print to stderr while probing for
 * devices; while out_pa opens and probes, their chatter is kept off the
 * user's terminal so that calfpace's own one-line errors are what is seen.
 */
#ifndef CALFPACE_OUT_PORTAUDIO_H
#define CALFPACE_OUT_PORTAUDIO_H

#include "engine.h"
#include "output.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Starts PortAudio; 0, or -1 with a message. */
int out_pa_init(char *err, size_t errlen);
void out_pa_terminate(void);

/* Lists output devices, the default marked; returns how many. */
int out_pa_list(FILE *to);

/* The output (see output.h): opens params->device (a name substring or an
 * index; NULL for the default) at the engine's rate, or fails with a
 * one-line message when there is no such device. */
extern const struct output_ops out_pa_ops;

#endif
