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
    e->vocab = &pl->vocab;
    e->click_gain = mixer_db_to_gain(r->clicks_db);
    e->voice_gain = mixer_db_to_gain(r->voice_db);
    mixer_set_duck(&e->mix, mixer_db_to_gain(r->guidance.duck_db), ENGINE_DUCK_SECONDS);
    mixer_set_output(&e->mix, pl->mono, (float)pl->balance);
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

/* Frames the clicks take to duck (and a margin): speech known this far
 * ahead starts with the clicks already down. */
static int64_t duck_lead(const struct engine *e)
{
    return (int64_t)ceil(e->mix.duck_seconds * e->rate) + ENGINE_DUCK_MARGIN;
}

/* Where speech started by a key begins: a ramp's length after the key (20 ms,
 * too little to hear as a delay), so that the clicks are ducked by their
 * full depth before it, on a beat that falls on the key's frame too.  The
 * queued speech holds the duck from the key on (next_speech_start). */
static int64_t key_speech_at(const struct engine *e)
{
    return e->pos + duck_lead(e);
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
    sequencer_step_span(&e->seq, &e->step_start, &e->step_end);
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
            say_one(e, e->vocab->number[ev->beat], ev->frame, 1);
        break;
    case SEQ_BEAT: {
        const struct step *st = &r->steps[ev->step];
        const struct step_sounds *ss = &pl->steps[ev->step];
        click(e, ss->clip[ev->beat % ss->n], e->click_gain, (float)st->pan[ev->beat % st->n_pan]);
        int k = ev->beat, n = ev->beats;
        if (st->count_aloud) {
            /* The count says where the listener is: no "halfway" over it. */
            struct phrase p = {0};
            int num = engine_count_number(st, k);
            double bpm = sequencer_current_tempo(&e->seq);
            if (num > 0 && bpm > 0.0) {
                phrase_number(e->vocab, &p, num);
                if (phrase_seconds(&p, e->rate) <= engine_count_room(st, bpm))
                    say(e, &p, ev->frame, 1);
            }
        } else {
            int w = engine_progress_word(st, g, k, n);
            if (w >= 0)
                say_one(e, e->vocab->word[w], ev->frame, 1);
        }
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
            say_one(e, e->vocab->word[next_hold ? WORD_SWITCH_LEGS : WORD_RELAX], ev->frame, 0);
        }
        break;
    case SEQ_CLOSE: {
        atomic_store_explicit(&e->status_step, r->n_steps, memory_order_relaxed);
        struct phrase p = {0};
        phrase_add(&p, pl->close_cue);
        if (g->closing && pl->voice) {
            phrase_add(&p, e->vocab->word[WORD_SESSION_LENGTH]);
            phrase_duration(e->vocab, &p, (double)ev->frame / e->rate);
        }
        say(e, &p, ev->frame, 0);
        break;
    }
    case SEQ_DONE:
        e->timeline_done = 1;
        break;
    }
}

/* ---- moves in time (audio thread) ---- */

/* The step the listener is in, its beats and its end, re-derived from the
 * sequencer after every move; never patched by hand. */
static void republish(struct engine *e)
{
    sequencer_peek(&e->seq, &e->pending);
    if (e->pending.kind != SEQ_COUNT && e->pending.kind != SEQ_BEAT &&
        e->pending.kind != SEQ_STEP_END)
        return;
    sequencer_step_span(&e->seq, &e->step_start, &e->step_end);
    atomic_store_explicit(&e->status_step_start, e->step_start, memory_order_relaxed);
    atomic_store_explicit(&e->status_step_end, e->step_end, memory_order_relaxed);
    atomic_store_explicit(&e->status_beats, e->seq.beats, memory_order_relaxed);
}

/* Every control that moves in time comes here: the sequencer stands where M
 * says, never before the first frame not yet handed out (while paused, the
 * frame the pause began on: the timeline stands still there). */
static void move(struct engine *e, struct seq_move m)
{
    m.floor = e->paused ? e->paused_at : e->pos;
    sequencer_locate(&e->seq, &m);
    republish(e);
}

static double beat_period_frames(const struct engine *e)
{
    double bpm = sequencer_current_tempo(&e->seq);
    return bpm > 0.0 ? 60.0 / bpm * e->rate : 0.0;
}

static void resume(struct engine *e)
{
    int64_t shift = e->pos - e->paused_at;
    double period = beat_period_frames(e);
    if (e->pending.kind == SEQ_BEAT && period > 0.0) {
        /* Back into the beat: "go", a count-in click once "go" has ended
         * (one beat after it, or two, four... when "go" is longer than a
         * beat), then the next beat one beat later; clicks only: one beat
         * of silence. */
        int64_t p = (int64_t)llround(period);
        int64_t go = 1;
        while (go * p < duck_lead(e) + e->vocab->word[WORD_GO].frames)
            go *= 2;
        int64_t next = e->pending.frame + shift;
        int64_t want = e->pos + (e->plan->voice ? (go + 1) * p : p);
        if (next < want)
            shift += want - next;
        if (e->plan->voice) {
            const struct step_sounds *ss = &e->plan->steps[e->pending.step];
            e->countin_at = e->pos + go * p;
            e->countin_clip = ss->n ? ss->clip[0] : e->plan->feedback;
        }
    } else {
        shift += (int64_t)(0.5 * e->rate);
    }
    say_one(e, e->vocab->word[WORD_GO], key_speech_at(e), 0);
    e->paused = 0;
    atomic_store_explicit(&e->status_paused, 0, memory_order_relaxed);
    move(e, (struct seq_move){.kind = SEQ_MOVE_SHIFT, .delay = shift});
}

static void pause(struct engine *e)
{
    e->paused = 1;
    e->paused_at = e->pos;
    e->countin_at = -1;
    hush(e);
    say_one(e, e->vocab->word[WORD_PAUSED], key_speech_at(e), 0);
    atomic_store_explicit(&e->status_paused, 1, memory_order_relaxed);
}

/* The step the listener is in: the pending event's, or the next one's.
 * AHEAD 1 is the one after it (past the last: the next round, or the
 * close), 0 the same step again. */
static void jump(struct engine *e, int ahead)
{
    if (e->pending.kind == SEQ_CLOSE || e->pending.kind == SEQ_DONE || e->timeline_done)
        return;
    int open = e->pending.kind == SEQ_OPEN;
    /* Ahead from a step: that step is skipped (from the opening, none is). */
    if (ahead && !open)
        atomic_fetch_add_explicit(&e->status_skipped, 1, memory_order_relaxed);
    hush(e);
    e->paused = 0;
    e->countin_at = -1;
    atomic_store_explicit(&e->status_paused, 0, memory_order_relaxed);
    move(e, (struct seq_move){.kind = SEQ_MOVE_STEP,
                              .round = open ? 0 : e->pending.round,
                              .step = open ? 0 : e->pending.step + ahead,
                              .delay = (int64_t)(ENGINE_JUMP_SECONDS * e->rate)});
}

/* Tempo keys keep to the personal config's range; at its edge the listener
 * hears the tempo and then "limit". */
static void change_tempo(struct engine *e, double factor)
{
    double want = e->seq.scale * factor;
    int limit = 0;
    if (want >= ENGINE_TEMPO_SCALE_MAX - 1e-9) {
        limit = want > ENGINE_TEMPO_SCALE_MAX + 1e-9 || e->seq.scale >= ENGINE_TEMPO_SCALE_MAX;
        want = ENGINE_TEMPO_SCALE_MAX;
    } else if (want <= ENGINE_TEMPO_SCALE_MIN + 1e-9) {
        limit = want < ENGINE_TEMPO_SCALE_MIN - 1e-9 || e->seq.scale <= ENGINE_TEMPO_SCALE_MIN;
        want = ENGINE_TEMPO_SCALE_MIN;
    }
    move(e, (struct seq_move){.kind = SEQ_MOVE_STAY, .scale = want});
    atomic_store_explicit(&e->status_scale_milli, llround(e->seq.scale * 1000.0),
                          memory_order_relaxed);
    double bpm = sequencer_current_tempo(&e->seq);
    struct phrase p = {0};
    if (bpm > 0.0) {
        phrase_add(&p, e->vocab->word[WORD_TEMPO]);
        phrase_number(e->vocab, &p, lround(bpm));
    }
    if (limit)
        phrase_add(&p, e->vocab->word[WORD_LIMIT]);
    if (p.n) {
        hush(e);
        say(e, &p, key_speech_at(e), 0);
    }
}

static void change_volume(struct engine *e, double db)
{
    e->volume_db += db;
    if (e->volume_db < ENGINE_VOLUME_MIN_DB)
        e->volume_db = ENGINE_VOLUME_MIN_DB;
    if (e->volume_db > ENGINE_VOLUME_MAX_DB)
        e->volume_db = ENGINE_VOLUME_MAX_DB;
    mixer_set_volume(&e->mix, mixer_db_to_gain(e->volume_db), ENGINE_VOLUME_RAMP_SECONDS);
    atomic_store_explicit(&e->status_volume_milli, llround(e->volume_db * 1000.0),
                          memory_order_relaxed);
    /* Heard back: one click at the new level, once the ramp is there. */
    e->feedback_at = e->pos + (int64_t)ceil(ENGINE_VOLUME_RAMP_SECONDS * e->rate);
}

/* A saved edit: the new plan from now on, the listener where they were. */
static void reload(struct engine *e, struct engine_plan *pl)
{
    struct engine_plan *old = e->plan;
    engine_take_plan(e, pl);
    e->countin_at = -1; /* it belonged to the old plan's beat */
    move(e, (struct seq_move){.kind = SEQ_MOVE_STAY, .routine = pl->routine});
    struct control_cmd back = {.kind = CONTROL_RELOAD, .ptr = old};
    if (control_push(&e->retired, &back) != 0) {
        /* The control thread is far behind; keeping the plan is safe,
         * freeing it here is not. */
    }
    atomic_fetch_add_explicit(&e->status_reloads, 1, memory_order_relaxed);
}

static void apply(struct engine *e, const struct control_cmd *c)
{
    switch (c->kind) {
    case CONTROL_PAUSE:
        /* value 0 toggles; above 0 only pauses, below 0 only resumes, so
         * that a headset's separate Play and Pause can be sent twice. */
        if (e->timeline_done || (c->value > 0.0 && e->paused) || (c->value < 0.0 && !e->paused))
            break;
        if (e->paused)
            resume(e);
        else
            pause(e);
        break;
    case CONTROL_NEXT:
        jump(e, 1);
        break;
    case CONTROL_BACK:
        jump(e, 0);
        break;
    case CONTROL_TEMPO:
        change_tempo(e, c->value);
        break;
    case CONTROL_VOLUME:
        change_volume(e, c->value);
        break;
    case CONTROL_STOP:
        atomic_store_explicit(&e->stop_requested, 1, memory_order_relaxed);
        break;
    case CONTROL_RELOAD:
        reload(e, c->ptr);
        break;
    case CONTROL_ALERT:
        say_one(e, e->vocab->word[WORD_CONFIG_ERROR], key_speech_at(e), 0);
        break;
    case CONTROL_VOCAB: {
        /* Only for the plan it completes: a reload may have come between. */
        const struct plan_vocab *lv = c->ptr;
        if (lv && lv->of == e->plan)
            e->vocab = &lv->v;
        break;
    }
    }
}

/* ---- rendering (audio thread) ---- */

/* Does the next thing due at the current frame, if any: an event, a clip of
 * speech, the count-in or the volume's feedback click.  1 when it did one. */
static int do_due(struct engine *e)
{
    if (e->fading)
        return 0;
    if (!e->paused && !e->timeline_done && e->pending.frame <= e->pos) {
        struct seq_event ev;
        sequencer_next(&e->seq, &ev);
        /* The sequencer promises nothing before the frame now due; were it
         * broken, a late beat or number is counted and not played, so the
         * block can never fill with a burst. */
        int late = ev.frame < e->pos;
        e->late_events += (uint64_t)late;
        if (!late || (ev.kind != SEQ_BEAT && ev.kind != SEQ_COUNT))
            dispatch(e, &ev);
        sequencer_peek(&e->seq, &e->pending);
        return 1;
    }
    if (e->speech_n > 0 && next_speech_frame(e) <= e->pos) {
        start_speech(e);
        return 1;
    }
    if (e->countin_at >= 0 && e->countin_at <= e->pos) {
        click(e, e->countin_clip, e->click_gain * 0.5f, 0.0f);
        e->countin_at = -1;
        return 1;
    }
    if (e->feedback_at >= 0 && e->feedback_at <= e->pos) {
        click(e, e->plan->feedback, e->click_gain, 0.0f);
        e->feedback_at = -1;
        return 1;
    }
    return 0;
}

/* ---- ducking ahead of speech (audio thread) ---- */

/* Would dispatching EV (with C the sequencer just past it) queue speech?
 * Mirrors dispatch; a droppable phrase counts as said, so at worst the
 * clicks duck under speech that is already sounding. */
static int event_speaks(const struct engine *e, const struct sequencer *c,
                        const struct seq_event *ev)
{
    const struct engine_plan *pl = e->plan;
    const struct routine *r = pl->routine;
    const struct guidance *g = &r->guidance;
    if (!pl->voice)
        return 0;
    switch (ev->kind) {
    case SEQ_OPEN:
        return pl->open_cue.data != NULL;
    case SEQ_STEP:
        return pl->steps[ev->step].announce.n > 0;
    case SEQ_COUNT:
        return g->countdown && ev->beat <= 200 && e->vocab->number[ev->beat].data != NULL;
    case SEQ_BEAT: {
        const struct step *st = &r->steps[ev->step];
        int k = ev->beat, n = ev->beats;
        if (st->count_aloud) {
            struct phrase p = {0};
            int num = engine_count_number(st, k);
            double bpm = sequencer_current_tempo(c);
            if (num <= 0 || bpm <= 0.0)
                return 0;
            phrase_number(e->vocab, &p, num);
            return p.n > 0 && phrase_seconds(&p, e->rate) <= engine_count_room(st, bpm);
        }
        int w = engine_progress_word(st, g, k, n);
        return w >= 0 && e->vocab->word[w].data != NULL;
    }
    case SEQ_STEP_END:
        return g->transitions && r->steps[ev->step].type == STEP_HOLD;
    case SEQ_CLOSE:
        return pl->close_cue.data != NULL || g->closing;
    case SEQ_DONE:
        return 0;
    }
    return 0;
}

/* The first frame before LIMIT at which speech will start, or LIMIT: a clip
 * already queued, or an event of the timeline that speaks.  Depends only on
 * the engine's state, which changes only at frames where something is due,
 * so the answer is the same whatever the block size. */
static int64_t next_speech_start(const struct engine *e, int64_t limit)
{
    if (e->fading)
        return limit;
    if (e->speech_n > 0)
        return e->pos; /* a phrase is under way: hold across its gaps */
    if (e->paused || e->timeline_done)
        return limit;
    struct sequencer c = e->seq;
    for (int i = 0; i < 256; i++) {
        struct seq_event ev;
        sequencer_next(&c, &ev);
        if (ev.kind == SEQ_DONE || ev.frame >= limit)
            break;
        if (event_speaks(e, &c, &ev))
            return ev.frame > e->pos ? ev.frame : e->pos;
    }
    return limit;
}

/* How many of the next N frames pass before something is due. */
static int64_t frames_until_due(const struct engine *e, int64_t n)
{
    if (e->fading)
        return n;
    if (!e->paused && !e->timeline_done && e->pending.frame - e->pos < n)
        n = e->pending.frame - e->pos;
    if (e->speech_n > 0 && next_speech_frame(e) - e->pos < n)
        n = next_speech_frame(e) - e->pos;
    if (e->countin_at >= 0 && e->countin_at - e->pos < n)
        n = e->countin_at - e->pos;
    if (e->feedback_at >= 0 && e->feedback_at - e->pos < n)
        n = e->feedback_at - e->pos;
    return n;
}

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
        move(e, (struct seq_move){.kind = SEQ_MOVE_END});
    }
    int done = 0;
    while (done < frames) {
        if (do_due(e))
            continue;
        if ((e->timeline_done && e->speech_n == 0 && mixer_active_voices(&e->mix) == 0) ||
            (e->fading && mixer_is_silent(&e->mix)))
            break;
        int64_t n = frames_until_due(e, frames - done);
        /* The clicks are down by the time speech starts: the ramp begins
         * the ramp's length (and a margin) ahead; split where that happens. */
        int64_t lead = duck_lead(e);
        int64_t speech_at = next_speech_start(e, e->pos + n + lead);
        int64_t hold_at = speech_at - lead;
        mixer_hold_duck(&e->mix, hold_at <= e->pos);
        if (hold_at > e->pos && hold_at - e->pos < n)
            n = hold_at - e->pos;
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
    atomic_store_explicit(&e->status_late, e->late_events, memory_order_relaxed);
    return done;
}
