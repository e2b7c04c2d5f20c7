#include "engine.h"

#include "mixer.h"
#include "sequencer.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PHRASE_MAX 12
#define SPEECH_QUEUE 64
#define WORD_GAP_SECONDS 0.06 /* between the clips of one phrase */
#define NUMBER_MAX 999

struct clip_ref {
    const mixer_sample *data;
    int64_t frames;
};

struct phrase {
    int n;
    struct clip_ref clip[PHRASE_MAX];
};

enum word {
    W_TIMES,
    W_SECONDS,
    W_MINUTES,
    W_GETTING_FASTER,
    W_HOLD_FOR,
    W_TEMPO,
    W_SESSION_LENGTH,
    W_HUNDRED,
    W_HALFWAY,
    W_TEN_MORE,
    W_LAST_FIVE,
    W_SWITCH_LEGS,
    W_RELAX,
    W_PAUSED,
    W_GO,
    W_CONFIG_ERROR,
    W_ONE_MINUTE,
    W_ONE_SECOND,
    W_COUNT
};

static const char *const word_names[W_COUNT] = {
    "w-times",      "w-seconds",        "w-minutes",    "w-getting-faster", "w-hold-for",
    "w-tempo",      "w-session-length", "w-hundred",    "halfway",          "ten-more",
    "last-five",    "switch-legs",      "relax",        "paused",           "go",
    "config-error", "w-one-minute",     "w-one-second",
};

struct step_sounds {
    struct clip_ref cue;
    int n;
    struct clip_ref clip[ROUTINE_MAX_CYCLE];
    struct phrase announce; /* the cue and the step's length */
};

struct engine_plan {
    struct routine *routine;
    int voice; /* guidance is spoken */
    struct clip_ref open_cue, close_cue, feedback;
    struct clip_ref word[W_COUNT];
    struct clip_ref number[201]; /* the number clips that exist, by value */
    struct step_sounds steps[ROUTINE_MAX_STEPS];
};

struct speech_item {
    struct clip_ref clip;
    int64_t not_before;
};

struct engine {
    struct engine_plan *plan;
    struct engine_options opt;
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
    double volume_db;
    struct speech_item speech[SPEECH_QUEUE];
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
    atomic_llong status_tempo_milli, status_scale_milli, status_volume_milli;
    atomic_llong status_tempo_min_milli, status_tempo_max_milli;
    long long tempo_min_milli, tempo_max_milli; /* audio thread's own copy */
    atomic_ullong status_dropped;
};

/* ---- plans (control thread) ---- */

static int load_ref(struct clip_bank *bank, const struct routine *r, const char *name, int line,
                    struct clip_ref *out, char *err, size_t errlen)
{
    char why[1536];
    int idx = clip_bank_load(bank, name, why, sizeof why);
    if (idx < 0) {
        if (line > 0)
            snprintf(err, errlen, "%s:%d: %s", r->path, line, why);
        else
            snprintf(err, errlen, "%s: %s", r->path, why);
        return -1;
    }
    const struct clip *c = clip_bank_get(bank, idx);
    out->data = c->data;
    out->frames = c->frames;
    return 0;
}

static void phrase_add(struct phrase *p, struct clip_ref c)
{
    if (c.data && p->n < PHRASE_MAX)
        p->clip[p->n++] = c;
}

/* Any whole number up to 999 from the number clips: "one hundred" "five". */
static void phrase_number(const struct engine_plan *pl, struct phrase *p, long n)
{
    if (n < 0)
        n = 0;
    if (n > NUMBER_MAX)
        n = NUMBER_MAX;
    if (n <= 200 && pl->number[n].data) {
        phrase_add(p, pl->number[n]);
        return;
    }
    if (n < 100) {
        phrase_add(p, pl->number[n / 10 * 10]);
        phrase_add(p, pl->number[n % 10]);
        return;
    }
    if (n < 300) {
        phrase_add(p, pl->number[n / 100 * 100]);
    } else {
        phrase_add(p, pl->number[n / 100]);
        phrase_add(p, pl->word[W_HUNDRED]);
    }
    if (n % 100)
        phrase_number(pl, p, n % 100);
}

static void phrase_duration(const struct engine_plan *pl, struct phrase *p, double seconds)
{
    long s = lround(seconds);
    long m = s / 60, rest = s % 60;
    /* "one minute" has clips of its own: German says "eine Minute", not
     * "eins Minute". */
    if (m == 1) {
        phrase_add(p, pl->word[W_ONE_MINUTE]);
    } else if (m > 0) {
        phrase_number(pl, p, m);
        phrase_add(p, pl->word[W_MINUTES]);
    }
    if (rest == 1) {
        phrase_add(p, pl->word[W_ONE_SECOND]);
    } else if (rest > 0 || m == 0) {
        phrase_number(pl, p, rest);
        phrase_add(p, pl->word[W_SECONDS]);
    }
}

static void announce(const struct engine_plan *pl, const struct step *st, struct phrase *p)
{
    const struct guidance *g = &pl->routine->guidance;
    p->n = 0;
    phrase_add(p, pl->steps[st - pl->routine->steps].cue);
    if (!g->lengths)
        return;
    switch (st->type) {
    case STEP_PACED:
        if (st->beats_given) {
            phrase_number(pl, p, st->beats);
            phrase_add(p, pl->word[W_TIMES]);
        } else {
            phrase_duration(pl, p, st->seconds);
        }
        if (st->tempo_to > st->tempo_from)
            phrase_add(p, pl->word[W_GETTING_FASTER]);
        break;
    case STEP_HOLD:
        phrase_add(p, pl->word[W_HOLD_FOR]);
        phrase_duration(pl, p, st->seconds);
        break;
    case STEP_REST:
        phrase_duration(pl, p, st->seconds);
        break;
    }
}

struct engine_plan *engine_plan_create(struct routine *r, struct clip_bank *bank,
                                       const struct engine_options *opt, char *err, size_t errlen)
{
    if (clip_bank_rate(bank) != r->rate) {
        snprintf(err, errlen, "%s: sounds loaded at %d Hz for a routine at %d Hz", r->path,
                 clip_bank_rate(bank), r->rate);
        return NULL;
    }
    struct engine_plan *pl = calloc(1, sizeof *pl);
    if (!pl) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pl->routine = r;
    pl->voice = opt->voice && r->guidance.voice;
    /* Cues are checked even when voice is off, so a routine that plays
     * clicks-only today does not fail with voice tomorrow. */
    if (r->cue[0] && load_ref(bank, r, r->cue, r->cue_line, &pl->open_cue, err, errlen))
        goto fail;
    if (r->end_cue[0] &&
        load_ref(bank, r, r->end_cue, r->end_cue_line, &pl->close_cue, err, errlen))
        goto fail;
    if (load_ref(bank, r, ROUTINE_DEFAULT_SOUND, 0, &pl->feedback, err, errlen))
        goto fail;
    for (int i = 0; i < r->n_steps; i++) {
        const struct step *st = &r->steps[i];
        struct step_sounds *ss = &pl->steps[i];
        if (st->cue[0] && load_ref(bank, r, st->cue, st->cue_line, &ss->cue, err, errlen))
            goto fail;
        if (st->type != STEP_PACED)
            continue;
        ss->n = st->n_sounds;
        for (int k = 0; k < st->n_sounds; k++)
            if (load_ref(bank, r, st->sounds[k], st->sounds_line, &ss->clip[k], err, errlen))
                goto fail;
    }
    if (pl->voice) {
        for (int w = 0; w < W_COUNT; w++)
            if (load_ref(bank, r, word_names[w], 0, &pl->word[w], err, errlen))
                goto fail;
        for (int n = 0; n <= 200; n++) {
            if (n > 60 && n % 10)
                continue;
            char name[16];
            snprintf(name, sizeof name, "n%d", n);
            if (load_ref(bank, r, name, 0, &pl->number[n], err, errlen))
                goto fail;
        }
        for (int i = 0; i < r->n_steps; i++)
            announce(pl, &r->steps[i], &pl->steps[i].announce);
    } else {
        memset(&pl->open_cue, 0, sizeof pl->open_cue);
        memset(&pl->close_cue, 0, sizeof pl->close_cue);
    }
    return pl;
fail:
    free(pl);
    return NULL;
}

static double phrase_seconds(const struct phrase *p, int rate)
{
    double t = 0.0;
    for (int i = 0; i < p->n; i++)
        t += (double)p->clip[i].frames / rate + (i ? WORD_GAP_SECONDS : 0.0);
    return t;
}

void engine_plan_warn(const struct engine_plan *p, FILE *to)
{
    const struct routine *r = p->routine;
    if (!p->voice)
        return;
    if (r->cue[0]) {
        double len = (double)p->open_cue.frames / r->rate;
        if (len > r->lead_in)
            fprintf(to,
                    "%s:%d: warning: the opening cue lasts %.1f s but lead_in is %.1f s; it "
                    "will run into the first step (set lead_in = %.1f;)\n",
                    r->path, r->cue_line, len, r->lead_in, ceil(len + 0.5));
    }
    for (int i = 0; i < r->n_steps; i++) {
        const struct step *st = &r->steps[i];
        double len = phrase_seconds(&p->steps[i].announce, r->rate);
        double room = st->lead_in, count = 0.0;
        if (st->type == STEP_PACED && r->guidance.countdown) {
            count = SEQUENCER_COUNTDOWN * 60.0 / st->tempo_from;
            room -= count;
        }
        if (st->type == STEP_REST || len <= room + 1e-9)
            continue;
        fprintf(to,
                "%s:%d: warning: step %d's announcement lasts %.1f s%s but its lead_in is %.1f s; "
                "the beat or the countdown will run over it (set lead_in = %.1f;)\n",
                r->path, st->line, i + 1, len, count > 0.0 ? " and its countdown needs more" : "",
                st->lead_in, ceil((len + count + 0.3) * 2.0) / 2.0);
    }
}

void engine_plan_destroy(struct engine_plan *p)
{
    if (!p)
        return;
    routine_destroy(p->routine);
    free(p);
}

const struct routine *engine_plan_routine(const struct engine_plan *p)
{
    return p->routine;
}

/* ---- the session ---- */

static void take_plan(struct engine *e, struct engine_plan *pl)
{
    const struct routine *r = pl->routine;
    e->plan = pl;
    e->click_gain = mixer_db_to_gain(r->clicks_db);
    e->voice_gain = mixer_db_to_gain(r->voice_db);
    mixer_set_duck(&e->mix, mixer_db_to_gain(r->guidance.duck_db), 0.02);
}

struct engine *engine_create(struct engine_plan *plan, const struct engine_options *opt)
{
    struct engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->opt = *opt;
    e->rate = plan->routine->rate;
    mixer_init(&e->mix, e->rate);
    take_plan(e, plan);
    sequencer_init(&e->seq, plan->routine, e->rate);
    if (opt->tempo_scale > 0.0 && opt->tempo_scale != 1.0)
        sequencer_scale_tempo(&e->seq, opt->tempo_scale);
    atomic_init(&e->status_scale_milli, llround(e->seq.scale * 1000.0));
    sequencer_next(&e->seq, &e->pending);
    e->countin_at = -1;
    control_ring_init(&e->commands);
    control_ring_init(&e->retired);
    atomic_init(&e->stop_requested, 0);
    atomic_init(&e->status_frame, 0);
    atomic_init(&e->status_step_start, 0);
    atomic_init(&e->status_step_end, 0);
    atomic_init(&e->status_round, 0);
    atomic_init(&e->status_step, -1);
    atomic_init(&e->status_beat, 0);
    atomic_init(&e->status_beats, 0);
    atomic_init(&e->status_finished, 0);
    atomic_init(&e->status_stopped, 0);
    atomic_init(&e->status_paused, 0);
    atomic_init(&e->status_reloads, 0);
    atomic_init(&e->status_tempo_milli, 0);
    atomic_init(&e->status_volume_milli, 0);
    atomic_init(&e->status_dropped, 0);
    atomic_init(&e->status_tempo_min_milli, 0);
    atomic_init(&e->status_tempo_max_milli, 0);
    return e;
}

void engine_collect(struct engine *e)
{
    struct control_cmd c;
    while (control_pop(&e->retired, &c))
        engine_plan_destroy(c.ptr);
}

void engine_destroy(struct engine *e)
{
    if (!e)
        return;
    engine_collect(e);
    struct control_cmd c;
    while (control_pop(&e->commands, &c))
        if (c.kind == CONTROL_RELOAD)
            engine_plan_destroy(c.ptr);
    engine_plan_destroy(e->plan);
    free(e);
}

int engine_rate(const struct engine *e)
{
    return e->rate;
}

int engine_send(struct engine *e, const struct control_cmd *cmd)
{
    return control_push(&e->commands, cmd);
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
    for (int i = 0; i < p->n && e->speech_n < SPEECH_QUEUE; i++) {
        struct speech_item *it = &e->speech[(e->speech_head + e->speech_n) % SPEECH_QUEUE];
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
    e->speech_free_at = e->speech_end_at + (int64_t)(WORD_GAP_SECONDS * e->rate);
    e->speech_head = (e->speech_head + 1) % SPEECH_QUEUE;
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
            say_one(e, pl->number[ev->beat], ev->frame, 1);
        break;
    case SEQ_BEAT: {
        const struct step *st = &r->steps[ev->step];
        const struct step_sounds *ss = &pl->steps[ev->step];
        click(e, ss->clip[ev->beat % ss->n], e->click_gain, (float)st->pan[ev->beat % st->n_pan]);
        int k = ev->beat, n = ev->beats;
        if (g->halfway && n >= 16 && k == n / 2)
            say_one(e, pl->word[W_HALFWAY], ev->frame, 1);
        if (g->remaining && n >= 30 && k == n - 10)
            say_one(e, pl->word[W_TEN_MORE], ev->frame, 1);
        if (g->remaining && n >= 12 && k == n - 5)
            say_one(e, pl->word[W_LAST_FIVE], ev->frame, 1);
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
            say_one(e, pl->word[next_hold ? W_SWITCH_LEGS : W_RELAX], ev->frame, 0);
        }
        break;
    case SEQ_CLOSE: {
        atomic_store_explicit(&e->status_step, r->n_steps, memory_order_relaxed);
        struct phrase p = {0};
        phrase_add(&p, pl->close_cue);
        if (g->closing && pl->voice) {
            phrase_add(&p, pl->word[W_SESSION_LENGTH]);
            phrase_duration(pl, &p, (double)ev->frame / e->rate);
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
    say_one(e, e->plan->word[W_GO], e->pos, 0);
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
        if (e->timeline_done)
            break;
        if (e->paused) {
            resume(e);
        } else {
            e->paused = 1;
            e->paused_at = e->pos;
            e->countin_at = -1;
            hush(e);
            say_one(e, e->plan->word[W_PAUSED], e->pos, 0);
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
            phrase_add(&p, e->plan->word[W_TEMPO]);
            phrase_number(e->plan, &p, lround(bpm));
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
        take_plan(e, pl);
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
        say_one(e, e->plan->word[W_CONFIG_ERROR], e->pos, 0);
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
    st->beats = atomic_load_explicit(&e->status_beats, memory_order_relaxed);
    st->step_start = atomic_load_explicit(&e->status_step_start, memory_order_relaxed);
    st->step_end = atomic_load_explicit(&e->status_step_end, memory_order_relaxed);
    st->paused = atomic_load_explicit(&e->status_paused, memory_order_relaxed);
    st->reloads = atomic_load_explicit(&e->status_reloads, memory_order_relaxed);
    st->tempo = (double)atomic_load_explicit(&e->status_tempo_milli, memory_order_relaxed) / 1000.0;
    st->tempo_scale =
        (double)atomic_load_explicit(&e->status_scale_milli, memory_order_relaxed) / 1000.0;
    st->volume_db =
        (double)atomic_load_explicit(&e->status_volume_milli, memory_order_relaxed) / 1000.0;
    st->voices_dropped = atomic_load_explicit(&e->status_dropped, memory_order_relaxed);
    st->tempo_min =
        (double)atomic_load_explicit(&e->status_tempo_min_milli, memory_order_relaxed) / 1000.0;
    st->tempo_max =
        (double)atomic_load_explicit(&e->status_tempo_max_milli, memory_order_relaxed) / 1000.0;
}
