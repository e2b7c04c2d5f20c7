/* out_null: an output with no device, pulled by a fake clock, so the whole
 * session loop (keys, reloads, status, stall detection, history) runs in a
 * unit test without a sound server.  Each output_pump moves the clock on by
 * one step and renders the frames that are due by then, as a device would
 * have taken them; a script called at each step plays the listener.  Not
 * real time: it renders on the caller's thread. */
#ifndef CALFPACE_OUT_NULL_H
#define CALFPACE_OUT_NULL_H

#include "output.h"

#include <stdint.h>

struct out_null_clock {
    double now;  /* seconds since the output started */
    double step; /* seconds a pump moves it on (0: 0.05) */
    int block;   /* frames per render (0: 512) */
    int stalled; /* set: the output takes no frames (a dead sound server) */
    /* The script: called at each step with the clock's time. */
    void (*tick)(void *ctx, double now);
    void *ctx;
    int64_t frames; /* frames rendered so far */
};

/* The clock as a session's time source (session_params.now). */
double out_null_now(void *clock);

/* Open with output_params.clock pointing at a struct out_null_clock. */
extern const struct output_ops out_null_ops;

#endif
