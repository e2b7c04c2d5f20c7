/* Shared by the engine tests: a routine given as text made into a plan the
 * way a reload makes one, and an engine driven as the outputs drive it, in
 * device-sized blocks, its output kept for the checks.  A routine or a plan
 * that fails, or a full command ring, ends the test (exit 1) with a message:
 * each is a mistake in the test itself. */
#ifndef CALFPACE_TEST_ENGINE_RUN_H
#define CALFPACE_TEST_ENGINE_RUN_H

#include "clips.h"
#include "control.h"
#include "engine.h"

#include <stdint.h>

#define ENGINE_RUN_RATE 48000

struct engine_run {
    const char *dir; /* the routine's folder: sounds_dir "." is there */
    struct clip_bank *bank;
    struct engine *engine;
    float *x; /* interleaved stereo, N frames */
    int64_t n, cap;
};

/* Guidance with nothing spoken but what a test turns back on. */
extern const char *const engine_run_quiet;

/* A plan of the routine "DIR/t.cfg" that holds BODY after a name, both
 * volumes at 0 dB and sounds_dir "." (unless BODY names one), with the
 * routine's voice or "en". */
struct engine_plan *engine_run_plan(struct engine_run *s, const char *body);

/* A new run of BODY at tempo scale SCALE; S's other fields are cleared. */
void engine_run_start(struct engine_run *s, const char *dir, const char *body, double scale);

/* Renders up to frame UNTIL (or the session's end) in 512-frame blocks. */
void engine_run_to(struct engine_run *s, int64_t until);

void engine_run_send(struct engine_run *s, enum control_kind kind, double value, void *ptr);

/* A saved edit: BODY's plan sent as a reload. */
void engine_run_reload(struct engine_run *s, const char *body);

/* The engine's status, after retired plans are collected. */
struct engine_status engine_run_status(struct engine_run *s);

void engine_run_finish(struct engine_run *s);

#endif
