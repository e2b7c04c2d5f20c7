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

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct out_pa_stats {
    uint64_t callbacks;
    uint64_t underflows;      /* blocks the device ran out of data (output underflow) */
    double mean_fraction;     /* mean callback time as a fraction of the buffer period */
    double worst_fraction;    /* worst callback time as a fraction of its period */
    double latency;           /* the stream's output latency, seconds */
    int64_t first_frames;     /* frames handed to the device by the first callback */
    double first_callback_at; /* CLOCK_MONOTONIC seconds of the first callback; 0 if none */
};

struct out_pa;

/* Starts PortAudio; 0, or -1 with a message. */
int out_pa_init(char *err, size_t errlen);
void out_pa_terminate(void);

/* Lists output devices, the default marked; returns how many. */
int out_pa_list(FILE *to);

/* Opens DEVICE (a name substring or index; NULL for the default) at the
 * engine's rate.  NULL with a one-line message when there is no device. */
struct out_pa *out_pa_open(struct engine *e, const char *device, double latency, char *err,
                           size_t errlen);
int out_pa_start(struct out_pa *o, char *err, size_t errlen);

/* 1 while the stream plays, 0 once it has finished. */
int out_pa_active(struct out_pa *o);

const char *out_pa_device_name(const struct out_pa *o);
void out_pa_stats(struct out_pa *o, struct out_pa_stats *st);

/* Stops (if needed) and closes the stream. */
void out_pa_close(struct out_pa *o);

/* For a stream whose device has gone away: stopping it could wait forever,
 * so leave it to the process's exit. */
void out_pa_abandon(struct out_pa *o);

#endif
