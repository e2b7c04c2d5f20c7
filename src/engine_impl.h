/* engine_impl: the insides of a plan and of an engine, shared by the files
 * of the engine alone (engine_plan.c builds plans, engine_ctl.c is the other
 * threads' side, engine.c the real-time core).  Nothing else includes it. */
#ifndef CALFPACE_ENGINE_IMPL_H
#define CALFPACE_ENGINE_IMPL_H

#include "engine.h"
#include "mixer.h"
#include "phrase.h"
#include "sequencer.h"

#include <stdatomic.h>

#define ENGINE_SPEECH_QUEUE 64

struct step_sounds {
    struct clip_ref cue;
    int n;
    struct clip_ref clip[ROUTINE_MAX_CYCLE];
    struct phrase announce; /* the cue and the step's length */
};

/* A plan's whole vocabulary, loaded after the plan started to play
 * (engine_plan_complete); OF is the plan it completes. */
struct plan_vocab {
    const struct engine_plan *of;
    struct phrase_vocab v;
};

struct engine_plan {
    struct routine *routine;
    int voice; /* guidance is spoken */
    struct clip_ref open_cue, close_cue, feedback;
    struct phrase_vocab vocab;
    int partial;             /* vocab has only the numbers the timeline says */
    struct plan_vocab *late; /* the whole vocabulary once loaded; the control side's */
    struct step_sounds steps[ROUTINE_MAX_STEPS];
    int mono;       /* the listener's output choices (engine_plan_set_output) */
    double balance;
};

struct speech_item {
    struct clip_ref clip;
    int64_t not_before;
};

struct engine {
    struct engine_plan *plan;
    const struct phrase_vocab *vocab; /* the plan's, or its completion (audio thread) */
    int rate;
    float click_gain, voice_gain;

    /* Audio thread only. */
    struct sequencer seq;
    struct seq_event pending;
    struct mixer mix;
    int64_t pos;
    int timeline_done;
    int fading;
    int paused;
    int64_t paused_at;
    int64_t countin_at; /* a count-in click after a pause, or -1 */
    struct clip_ref countin_clip;
    int64_t feedback_at;  /* the volume key's click, once the new level is reached; or -1 */
    uint64_t late_events; /* events handed out after their frame: the sequencer's promise broken */
    double volume_db;
    struct speech_item speech[ENGINE_SPEECH_QUEUE];
    int speech_head, speech_n;
    int64_t speech_free_at; /* when the voice channel is free for the next clip */
    int64_t speech_end_at;  /* when the clip now speaking ends */
    int64_t step_start, step_end;

    struct control_ring commands; /* control thread -> audio thread */
    struct control_ring retired;  /* audio thread -> control thread: old plans */

    /* Shared with other threads. */
    atomic_int stop_requested;
    atomic_llong status_frame, status_step_start, status_step_end;
    atomic_int status_round, status_step, status_beat, status_beats;
    atomic_int status_finished, status_stopped, status_paused, status_reloads;
    atomic_int status_skipped;
    atomic_llong status_tempo_milli, status_scale_milli, status_volume_milli;
    atomic_llong status_tempo_min_milli, status_tempo_max_milli;
    long long tempo_min_milli, tempo_max_milli; /* audio thread's own copy */
    atomic_ullong status_dropped, status_late;
};

/* The progress call on beat K of paced step ST, N beats long, counted in
 * its units (routine_count_unit): WORD_HALFWAY at the middle unit (16 or
 * more), WORD_TEN_MORE ten units before the end (30 or more), WORD_LAST_FIVE
 * five before it (12 or more), each on its unit's first beat; -1 for none. */
int engine_progress_word(const struct step *st, const struct guidance *g, int k, int n);

/* Makes PL the engine's plan: its gains and ducking.  Real-time safe. */
void engine_take_plan(struct engine *e, struct engine_plan *pl);

#endif
