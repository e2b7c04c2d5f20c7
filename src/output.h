/* output: where a session's frames go, behind one small table of operations
 * with an instance pointer, so the session loop never knows which output it
 * drives.  Three implementations: PortAudio (out_portaudio.c, a device, pulled
 * by its own callback thread), a file (out_file.c, rendered as fast as the
 * machine allows) and a null output (out_null.c, frames pulled by a fake
 * clock: the session loop in a unit test, with no sound server).
 *
 * Every operation is for the control (main) thread.  An output pulled by a
 * thread of its own leaves `pump` NULL; the others render when the session
 * loop calls output_pump.  An operation an output leaves NULL does nothing.
 */
#ifndef CALFPACE_OUTPUT_H
#define CALFPACE_OUTPUT_H

#include "cp_error.h"

#include <stddef.h>
#include <stdint.h>

struct engine;
struct out_file_options;

struct output_stats {
    uint64_t callbacks;       /* blocks rendered */
    uint64_t underflows;      /* blocks the device ran out of data (output underflow) */
    double mean_fraction;     /* mean render time as a fraction of the block's period */
    double worst_fraction;    /* worst render time as a fraction of its period */
    double latency;           /* the stream's output latency, seconds */
    int64_t first_frames;     /* frames handed over by the first block */
    int64_t frames;           /* frames handed over in all (file, null) */
    double first_callback_at; /* CLOCK_MONOTONIC seconds of the first block; 0 if none */
};

/* What an output is opened with; each output reads its own fields. */
struct output_params {
    const char *device;            /* PortAudio: a name substring or index; NULL for the default */
    double latency;                /* PortAudio: seconds asked of the device; 0 for ours */
    const char *path;              /* file: where to write (.wav .flac .ogg .oga .mp3 .opus) */
    struct out_file_options *file; /* file: its tags, cancel and progress */
    void *clock;                   /* null: the struct out_null_clock that pulls it */
};

struct output_ops {
    const char *kind; /* "portaudio", "file", "null" */
    /* A new instance bound to E, or NULL with err set. */
    void *(*open)(struct engine *e, const struct output_params *p, struct cp_error *err);
    /* Frames begin to flow; 0, or -1 with err set. */
    int (*start)(void *self, struct cp_error *err);
    /* Renders what is due (outputs without a thread of their own). */
    void (*pump)(void *self);
    /* 1 while frames flow, 0 once the session's last frame is out (or the
     * device went away). */
    int (*active)(void *self);
    /* Stops the flow; the instance can still report its stats. */
    void (*stop)(void *self);
    /* Once the last frame is out: makes the result whole (a file synced and
     * put in place); 0, or -1 with err set. */
    int (*finish)(void *self, struct cp_error *err);
    /* Stops if needed and frees the instance. */
    void (*close)(void *self);
    /* For a device that stopped answering: stopping could wait forever, so
     * the instance is left to the process's exit. */
    void (*abandon)(void *self);
    void (*stats)(void *self, struct output_stats *st);
    const char *(*name)(void *self); /* what to call it for the listener */
};

struct output {
    const struct output_ops *ops;
    void *self;
};

/* Opens an output of OPS; 0, or -1 with err set. */
int output_open(struct output *o, const struct output_ops *ops, struct engine *e,
                const struct output_params *p, struct cp_error *err);
int output_start(struct output *o, struct cp_error *err);
void output_pump(struct output *o);
int output_active(struct output *o);
void output_stop(struct output *o);
int output_finish(struct output *o, struct cp_error *err);
void output_close(struct output *o);
void output_abandon(struct output *o);
void output_stats(struct output *o, struct output_stats *st);
const char *output_name(struct output *o);

#endif
