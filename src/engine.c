/* The real-time core: engine_render and everything it reaches.  No
 * allocation, no locks, no I/O, no waiting; plans are built in
 * engine_plan.c and the engine's life is in engine_ctl.c. */
#include "engine_impl.h"

#include <math.h>
#include <string.h>

void engine_take_plan(struct engine *e, struct engine_plan *pl)
{
    const struct routine *r = pl->routine;
    e->plan = pl;
    e->click_gain = mixer_db_to_gain(r->clicks_db);
    e->voice_gain = mixer_db_to_gain(r->voice_db);
    mixer_set_duck(&e->mix, mixer_db_to_gain(r->guidance.duck_db), 0.02);
}

/* ---- speech (audio thread) ---- */

static int speech_busy(const struct engine *e, int64_t at)
{
    return e->speech_n > 0 || e->speech_end_at > at;
}

/* Queues PHRASE to start no earlier than AT.  A DROPPABLE phrase (a count,
 * "halfway") is said on time or not at all. */
static void say(struct engine *e, const struct phrase *p, int64_t at, int droppable)
{
    if (!e->plan->voice || p->n == 0)
        return;
    if (droppable && speech_busy(e, at))
        return;
    /* Said on time or not at all: it does not wait out the gap after
     * speech that has already ended. */
    if (droppable && e->speech_free_at > at)
        e->speech_free_at = at > e->speech_end_at ? at : e->speech_end_at;
    for (int i = 0; i < p->n && e->speech_n < ENGINE_SPEECH_QUEUE; i++) {
        struct speech_item *it = &e->speech[(e->speech_head + e->speech_n) % ENGINE_SPEECH_QUEUE];
        it->clip = p->clip[i];
        it->not_before = at;
        e->speech_n++;
    }
}

static void say_one(struct engine *e, struct clip_ref c, int64_t at, int droppable)
{
    struct phrase p = {0};
    phrase_add(&p, c);
    say(e, &p, at, droppable);
}

static int64_t next_speech_frame(const struct engine *e)
{
    int64_t at = e->speech[e->speech_head].not_before;
    return at > e->speech_free_at ? at : e->speech_free_at;
}

static void start_speech(struct engine *e)
{
    struct speech_item *it = &e->speech[e->speech_head];
    mixer_add_voice(&e->mix, it->clip.data, it->clip.frames, e->voice_gain, 0.0f, MIXER_BUS_VOICE);
    e->speech_end_at = e->pos + it->clip.frames;
    e->speech_free_at = e->speech_end_at + (int64_t)(PHRASE_WORD_GAP_SECONDS * e->rate);
    e->speech_head = (e->speech_head + 1) % ENGINE_SPEECH_QUEUE;
    e->speech_n--;
}

static void hush(struct engine *e)
{
    e->speech_n = 0;
    e->speech_free_at = e->speech_end_at = e->pos;
    mixer_release_bus(&e->mix, MIXER_BUS_VOICE);
}

/* ---- events (audio thread) ---- */

static void click(struct engine *e, struct clip_ref c, float gain, float pan)
{
    mixer_add_voice(&e->mix, c.data, c.frames, gain, pan, MIXER_BUS_CLICKS);
}

static void publish_step(struct engine *e, const struct seq_event *ev)
{
    const struct step *st = &e->plan->routine->steps[ev->step];
    e->step_start = ev->frame;
    e->step_end = ev->frame + sequencer_frame_at(st->lead_in + e->seq.body_len, e->rate);
    atomic_store_explicit(&e->status_step_start, e->step_start, memory_order_relaxed);
    atomic_store_explicit(&e->status_step_end, e->step_end, memory_order_relaxed);
    atomic_store_explicit(&e->status_round, ev->round, memory_order_relaxed);
    atomic_store_explicit(&e->status_beat, 0, memory_order_relaxed);
    atomic_store_explicit(&e->status_beats, e->seq.beats, memory_order_relaxed);
    atomic_store_explicit(&e->status_step, ev->step, memory_order_relaxed);
}

static void dispatch(struct engine *e, const struct seq_event *ev)
{
    const struct engine_plan *pl = e->plan;
    const struct routine *r = pl->routine;
    const struct guidance *g = &r->guidance;
    switch (ev->kind) {
    case SEQ_OPEN:
        say_one(e, pl->open_cue, ev->frame, 0);
        break;
    case SEQ_STEP:
        publish_step(e, ev);
        say(e, &pl->steps[ev->step].announce, ev->frame, 0);
        break;
    case SEQ_COUNT:
        if (g->countdown && ev->beat <= 200)
            say_one(e, pl->vocab.number[ev->beat], ev->frame, 1);
        break;
    case SEQ_BEAT: {
        const struct step *st = &r->steps[ev->step];
        const struct step_sounds *ss = &pl->steps[ev->step];
        click(e, ss->clip[ev->beat % ss->n], e->click_gain, (float)st->pan[ev->beat % st->n_pan]);
        int k = ev->beat, n = ev->beats;
        if (g->halfway && n >= 16 && k == n / 2)
            say_one(e, pl->vocab.word[WORD_HALFWAY], ev->frame, 1);
        if (g->remaining && n >= 30 && k == n - 10)
            say_one(e, pl->vocab.word[WORD_TEN_MORE], ev->frame, 1);
        if (g->remaining && n >= 12 && k == n - 5)
            say_one(e, pl->vocab.word[WORD_LAST_FIVE], ev->frame, 1);
        atomic_store_explicit(&e->status_beat, ev->beat + 1, memory_order_relaxed);
        atomic_store_explicit(&e->status_beats, n, memory_order_relaxed);
        /* The tempo this beat was played at: the next beat's, still in this step. */
        long long bpm = llround(sequencer_current_tempo(&e->seq) * 1000.0);
        if (e->seq.step == ev->step && bpm > 0) {
            if (e->tempo_min_milli == 0 || bpm < e->tempo_min_milli)
                atomic_store_explicit(&e->status_tempo_min_milli, e->tempo_min_milli = bpm,
                                      memory_order_relaxed);
            if (bpm > e->tempo_max_milli)
                atomic_store_explicit(&e->status_tempo_max_milli, e->tempo_max_milli = bpm,
                                      memory_order_relaxed);
        }
        break;
    }
    case SEQ_STEP_END:
        if (g->transitions && r->steps[ev->step].type == STEP_HOLD) {
            /* The sequencer has already moved on: what comes next? */
            int next_hold = e->seq.next_kind == SEQ_STEP && r->steps[e->seq.step].type == STEP_HOLD;
            say_one(e, pl->vocab.word[next_hold ? WORD_SWITCH_LEGS : WORD_RELAX], ev->frame, 0);
        }
        break;
    case SEQ_CLOSE: {
        atomic_store_explicit(&e->status_step, r->n_steps, memory_order_relaxed);
        struct phrase p = {0};
        phrase_add(&p, pl->close_cue);
        if (g->closing && pl->voice) {
            phrase_add(&p, pl->vocab.word[WORD_SESSION_LENGTH]);
            phrase_duration(&pl->vocab, &p, (double)ev->frame / e->rate);
        }
        say(e, &p, ev->frame, 0);
        break;
    }
    case SEQ_DONE:
        e->timeline_done = 1;
        break;
    }
}

/* After a change of plan or tempo the current step may end elsewhere. */
static void republish_end(struct engine *e)
{
    if (e->pending.kind == SEQ_OPEN || e->pending.kind == SEQ_CLOSE ||
        e->pending.kind == SEQ_DONE || e->seq.step != e->pending.step)
        return;
    const struct step *st = &e->plan->routine->steps[e->seq.step];
    e->step_end = e->step_start + sequencer_frame_at(st->lead_in + e->seq.body_len, e->rate);
    atomic_store_explicit(&e->status_step_end, e->step_end, memory_order_relaxed);
    atomic_store_explicit(&e->status_beats, e->seq.beats, memory_order_relaxed);
}

/* ---- controls (audio thread) ---- */

static double beat_period_frames(const struct engine *e)
{
    double bpm = sequencer_current_tempo(&e->seq);
    return bpm > 0.0 ? 60.0 / bpm * e->rate : 0.0;
}

static int in_paced_step(const struct engine *e)
{
    return (e->pending.kind == SEQ_BEAT || e->pending.kind == SEQ_COUNT) &&
           e->plan->routine->steps[e->pending.step].type == STEP_PACED;
}

static void resume(struct engine *e)
{
    int64_t shift = e->pos - e->paused_at;
    double period = beat_period_frames(e);
    if (in_paced_step(e) && e->pending.kind == SEQ_BEAT && period > 0.0) {
        /* Back into the beat: "go", a count-in click, then the next beat,
         * one beat apart; clicks only: one beat of silence. */
        int64_t p = (int64_t)llround(period);
        int64_t next = e->pending.frame + shift;
        int64_t want = e->pos + (e->plan->voice ? 2 * p : p);
        if (next < want)
            shift += want - next;
        if (e->plan->voice)
            e->countin_at = e->pos + p;
    } else {
        shift += (int64_t)(0.5 * e->rate);
    }
    say_one(e, e->plan->vocab.word[WORD_GO], e->pos, 0);
    sequencer_shift(&e->seq, shift);
    e->pending.frame += shift;
    e->paused = 0;
    atomic_store_explicit(&e->status_paused, 0, memory_order_relaxed);
}

/* The step the listener is in: the pending event's, or the next one's. */
static void jump(struct engine *e, int ahead)
{
    const struct routine *r = e->plan->routine;
    int round = e->pending.round, step = e->pending.step;
    if (e->pending.kind == SEQ_CLOSE || e->pending.kind == SEQ_DONE || e->timeline_done)
        return;
    if (e->pending.kind == SEQ_OPEN) {
        round = 0;
        step = 0;
    } else {
        step += ahead;
    }
    if (step >= r->n_steps) {
        step = 0;
        round++;
    }
    hush(e);
    e->paused = 0;
    e->countin_at = -1;
    atomic_store_explicit(&e->status_paused, 0, memory_order_relaxed);
    sequencer_goto(&e->seq, round, step, e->pos + (int64_t)(ENGINE_JUMP_SECONDS * e->rate));
    sequencer_next(&e->seq, &e->pending);
}

static void apply(struct engine *e, const struct control_cmd *c)
{
    switch (c->kind) {
    case CONTROL_PAUSE:
        /* value 0 toggles; above 0 only pauses, below 0 only resumes, so
         * that a headset's separate Play and Pause can be sent twice. */
        if (e->timeline_done || (c->value > 0.0 && e->paused) || (c->value < 0.0 && !e->paused))
            break;
        if (e->paused) {
            resume(e);
        } else {
            e->paused = 1;
            e->paused_at = e->pos;
            e->countin_at = -1;
            hush(e);
            say_one(e, e->plan->vocab.word[WORD_PAUSED], e->pos, 0);
            atomic_store_explicit(&e->status_paused, 1, memory_order_relaxed);
        }
        break;
    case CONTROL_NEXT:
        jump(e, 1);
        break;
    case CONTROL_BACK:
        jump(e, 0);
        break;
    case CONTROL_TEMPO: {
        sequencer_scale_tempo(&e->seq, c->value);
        atomic_store_explicit(&e->status_scale_milli, llround(e->seq.scale * 1000.0),
                              memory_order_relaxed);
        republish_end(e);
        double bpm = sequencer_current_tempo(&e->seq);
        if (bpm > 0.0) {
            struct phrase p = {0};
            phrase_add(&p, e->plan->vocab.word[WORD_TEMPO]);
            phrase_number(&e->plan->vocab, &p, lround(bpm));
            hush(e);
            say(e, &p, e->pos, 0);
        }
        break;
    }
    case CONTROL_VOLUME:
        e->volume_db += c->value;
        if (e->volume_db < ENGINE_VOLUME_MIN_DB)
            e->volume_db = ENGINE_VOLUME_MIN_DB;
        if (e->volume_db > ENGINE_VOLUME_MAX_DB)
            e->volume_db = ENGINE_VOLUME_MAX_DB;
        mixer_set_volume(&e->mix, mixer_db_to_gain(e->volume_db), 0.05);
        atomic_store_explicit(&e->status_volume_milli, llround(e->volume_db * 1000.0),
                              memory_order_relaxed);
        /* Heard back: one click at the new level, once the ramp is there. */
        click(e, e->plan->feedback, e->click_gain, 0.0f);
        break;
    case CONTROL_STOP:
        atomic_store_explicit(&e->stop_requested, 1, memory_order_relaxed);
        break;
    case CONTROL_RELOAD: {
        struct engine_plan *old = e->plan;
        struct engine_plan *pl = c->ptr;
        int kind_before = old->routine->steps[e->seq.step].type;
        engine_take_plan(e, pl);
        sequencer_switch(&e->seq, pl->routine, e->pos + (int64_t)(ENGINE_JUMP_SECONDS * e->rate));
        if (e->pending.kind != SEQ_OPEN && e->pending.kind != SEQ_CLOSE &&
            e->pending.kind != SEQ_DONE &&
            (e->pending.step >= pl->routine->n_steps ||
             (int)pl->routine->steps[e->seq.step].type != kind_before))
            sequencer_next(&e->seq, &e->pending);
        struct control_cmd back = {.kind = CONTROL_RELOAD, .ptr = old};
        if (control_push(&e->retired, &back) != 0) {
            /* The control thread is far behind; keeping the plan is safe,
             * freeing it here is not. */
        }
        republish_end(e);
        atomic_fetch_add_explicit(&e->status_reloads, 1, memory_order_relaxed);
        break;
    }
    case CONTROL_ALERT:
        say_one(e, e->plan->vocab.word[WORD_CONFIG_ERROR], e->pos, 0);
        break;
    }
}

/* ---- rendering (audio thread) ---- */

int engine_render(struct engine *e, float *out, int frames)
{
    if (atomic_load_explicit(&e->status_finished, memory_order_relaxed)) {
        memset(out, 0, (size_t)frames * 2 * sizeof *out);
        return 0;
    }
    struct control_cmd c;
    while (!e->fading && control_pop(&e->commands, &c))
        apply(e, &c);
    if (!e->fading && atomic_load_explicit(&e->stop_requested, memory_order_relaxed)) {
        e->fading = 1;
        mixer_set_master_gain(&e->mix, 0.0f, ENGINE_FADE_SECONDS);
    }
    int done = 0;
    while (done < frames) {
        int live = !e->fading;
        int events = live && !e->paused && !e->timeline_done;
        if (events && e->pending.frame <= e->pos) {
            dispatch(e, &e->pending);
            if (!e->timeline_done)
                sequencer_next(&e->seq, &e->pending);
            continue;
        }
        if (live && e->speech_n > 0 && next_speech_frame(e) <= e->pos) {
            start_speech(e);
            continue;
        }
        if (live && e->countin_at >= 0 && e->countin_at <= e->pos) {
            const struct step_sounds *ss = &e->plan->steps[e->pending.step];
            click(e, ss->n ? ss->clip[0] : e->plan->feedback, e->click_gain * 0.5f, 0.0f);
            e->countin_at = -1;
            continue;
        }
        if ((e->timeline_done && e->speech_n == 0 && mixer_active_voices(&e->mix) == 0) ||
            (e->fading && mixer_is_silent(&e->mix)))
            break;
        int64_t n = frames - done;
        if (events && e->pending.frame - e->pos < n)
            n = e->pending.frame - e->pos;
        if (live && e->speech_n > 0 && next_speech_frame(e) - e->pos < n)
            n = next_speech_frame(e) - e->pos;
        if (live && e->countin_at >= 0 && e->countin_at - e->pos < n)
            n = e->countin_at - e->pos;
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
    atomic_store_explicit(&e->status_tempo_milli,
                          llround(sequencer_current_tempo(&e->seq) * 1000.0), memory_order_relaxed);
    atomic_store_explicit(&e->status_dropped, e->mix.voices_dropped, memory_order_relaxed);
    return done;
}

