#include "engine.h"

#include "mixer.h"
#include "sequencer.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct step_sounds {
    int cue; /* clip index, or -1 */
    int n;
    int clip[ROUTINE_MAX_CYCLE];
};

struct engine {
    const struct routine *routine;
    struct clip_bank *bank;
    struct engine_options opt;
    int rate;
    float click_gain, voice_gain;
    int open_cue, close_cue;
    struct step_sounds steps[ROUTINE_MAX_STEPS];

    /* Audio thread only. */
    struct sequencer seq;
    struct seq_event pending;
    struct mixer mix;
    int64_t pos;
    int timeline_done;
    int fading;

    /* Shared with other threads. */
    atomic_int stop_requested;
    atomic_llong status_frame;
    atomic_int status_round, status_step, status_beat, status_finished, status_stopped;
};

static int load(struct engine *e, const char *name, int line, char *err, size_t errlen)
{
    char why[1536];
    int idx = clip_bank_load(e->bank, name, why, sizeof why);
    if (idx < 0) {
        if (line > 0)
            snprintf(err, errlen, "%s:%d: %s", e->routine->path, line, why);
        else
            snprintf(err, errlen, "%s: %s", e->routine->path, why);
    }
    return idx;
}

struct engine *engine_create(const struct routine *r, struct clip_bank *bank,
                             const struct engine_options *opt, char *err, size_t errlen)
{
    if (clip_bank_rate(bank) != r->rate) {
        snprintf(err, errlen, "%s: sounds loaded at %d Hz for a routine at %d Hz", r->path,
                 clip_bank_rate(bank), r->rate);
        return NULL;
    }
    struct engine *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->routine = r;
    e->bank = bank;
    e->opt = *opt;
    e->rate = r->rate;
    e->click_gain = mixer_db_to_gain(r->clicks_db);
    e->voice_gain = mixer_db_to_gain(r->voice_db);
    e->open_cue = e->close_cue = -1;
    /* Cue files are checked even when voice is off, so a routine that plays
     * clicks-only today does not fail with voice tomorrow. */
    if (r->cue[0] && (e->open_cue = load(e, r->cue, r->cue_line, err, errlen)) < 0)
        goto fail;
    if (r->end_cue[0] && (e->close_cue = load(e, r->end_cue, r->end_cue_line, err, errlen)) < 0)
        goto fail;
    for (int i = 0; i < r->n_steps; i++) {
        const struct step *st = &r->steps[i];
        struct step_sounds *ss = &e->steps[i];
        ss->cue = -1;
        if (st->cue[0] && (ss->cue = load(e, st->cue, st->cue_line, err, errlen)) < 0)
            goto fail;
        if (st->type != STEP_PACED)
            continue;
        ss->n = st->n_sounds;
        for (int k = 0; k < st->n_sounds; k++)
            if ((ss->clip[k] = load(e, st->sounds[k], st->sounds_line, err, errlen)) < 0)
                goto fail;
    }
    if (!opt->voice)
        e->open_cue = e->close_cue = -1;
    mixer_init(&e->mix, e->rate);
    sequencer_init(&e->seq, r, e->rate);
    sequencer_next(&e->seq, &e->pending);
    atomic_init(&e->stop_requested, 0);
    atomic_init(&e->status_frame, 0);
    atomic_init(&e->status_round, 0);
    atomic_init(&e->status_step, -1);
    atomic_init(&e->status_beat, 0);
    atomic_init(&e->status_finished, 0);
    atomic_init(&e->status_stopped, 0);
    return e;
fail:
    free(e);
    return NULL;
}

void engine_destroy(struct engine *e)
{
    free(e);
}

int engine_rate(const struct engine *e)
{
    return e->rate;
}

static void start_clip(struct engine *e, int idx, float gain, float pan, enum mixer_bus bus)
{
    const struct clip *c = clip_bank_get(e->bank, idx);
    if (c)
        mixer_add_voice(&e->mix, c->data, c->frames, gain, pan, bus);
}

static void dispatch(struct engine *e, const struct seq_event *ev)
{
    const struct routine *r = e->routine;
    switch (ev->kind) {
    case SEQ_OPEN:
        if (e->open_cue >= 0)
            start_clip(e, e->open_cue, e->voice_gain, 0.0f, MIXER_BUS_VOICE);
        break;
    case SEQ_STEP:
        atomic_store_explicit(&e->status_round, ev->round, memory_order_relaxed);
        atomic_store_explicit(&e->status_beat, 0, memory_order_relaxed);
        atomic_store_explicit(&e->status_step, ev->step, memory_order_relaxed);
        if (e->opt.voice && e->steps[ev->step].cue >= 0)
            start_clip(e, e->steps[ev->step].cue, e->voice_gain, 0.0f, MIXER_BUS_VOICE);
        break;
    case SEQ_BEAT: {
        const struct step *st = &r->steps[ev->step];
        const struct step_sounds *ss = &e->steps[ev->step];
        int clip = ss->clip[ev->beat % ss->n];
        float pan = (float)st->pan[ev->beat % st->n_pan];
        start_clip(e, clip, e->click_gain, pan, MIXER_BUS_CLICKS);
        atomic_store_explicit(&e->status_beat, ev->beat + 1, memory_order_relaxed);
        break;
    }
    case SEQ_STEP_END:
        break;
    case SEQ_CLOSE:
        atomic_store_explicit(&e->status_step, r->n_steps, memory_order_relaxed);
        if (e->close_cue >= 0)
            start_clip(e, e->close_cue, e->voice_gain, 0.0f, MIXER_BUS_VOICE);
        break;
    case SEQ_DONE:
        e->timeline_done = 1;
        break;
    }
}

int engine_render(struct engine *e, float *out, int frames)
{
    if (atomic_load_explicit(&e->status_finished, memory_order_relaxed)) {
        memset(out, 0, (size_t)frames * 2 * sizeof *out);
        return 0;
    }
    if (!e->fading && atomic_load_explicit(&e->stop_requested, memory_order_relaxed)) {
        e->fading = 1;
        mixer_set_master_gain(&e->mix, 0.0f, ENGINE_FADE_SECONDS);
    }
    int done = 0;
    while (done < frames) {
        if (!e->fading && !e->timeline_done && e->pending.frame <= e->pos) {
            dispatch(e, &e->pending);
            if (!e->timeline_done)
                sequencer_next(&e->seq, &e->pending);
            continue;
        }
        int64_t n = frames - done;
        if (!e->fading && !e->timeline_done && e->pending.frame - e->pos < n)
            n = e->pending.frame - e->pos;
        if ((e->timeline_done && mixer_active_voices(&e->mix) == 0) ||
            (e->fading && mixer_is_silent(&e->mix)))
            break;
        mixer_render(&e->mix, out + 2 * done, (int)n);
        done += (int)n;
        e->pos += n;
    }
    if (done < frames) {
        memset(out + 2 * done, 0, (size_t)(frames - done) * 2 * sizeof *out);
        atomic_store_explicit(&e->status_stopped, e->fading, memory_order_relaxed);
        atomic_store_explicit(&e->status_finished, 1, memory_order_release);
    }
    atomic_store_explicit(&e->status_frame, e->pos, memory_order_relaxed);
    return done;
}

void engine_request_stop(struct engine *e)
{
    atomic_store_explicit(&e->stop_requested, 1, memory_order_relaxed);
}

void engine_status(const struct engine *e, struct engine_status *st)
{
    st->finished = atomic_load_explicit(&e->status_finished, memory_order_acquire);
    st->stopped = atomic_load_explicit(&e->status_stopped, memory_order_relaxed);
    st->frame = atomic_load_explicit(&e->status_frame, memory_order_relaxed);
    st->round = atomic_load_explicit(&e->status_round, memory_order_relaxed);
    st->step = atomic_load_explicit(&e->status_step, memory_order_relaxed);
    st->beat = atomic_load_explicit(&e->status_beat, memory_order_relaxed);
}
