/* The sequencer alone: every way of moving in time through sequencer_locate,
 * and a property test of thousands of random command sequences and routine
 * edits.  A small player stands in for the engine: it hands events out block
 * by block and sends every move with the first frame not yet handed out as
 * the floor.  Checked throughout:
 *   - no event is ever scheduled before that floor, nor handed out before
 *     the block it falls in; events come in order of frame;
 *   - within a step, no two beats closer than the fastest allowed tempo;
 *   - every beat lies where an independent closed form (written here, not
 *     src/tempo.c) puts it from the step's current anchor, to the sample. */
#include "check.h"
#include "routine.h"
#include "sequencer.h"
#include "tempo.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000
#define SEC(x) ((int64_t)llround((x)*RATE))

/* ---- routines built in memory ---- */

static struct routine *new_routine(void)
{
    struct routine *r = calloc(1, sizeof *r);
    snprintf(r->path, sizeof r->path, "t.cfg");
    r->rate = RATE;
    r->repeat = 1;
    return r;
}

static struct step *add_step(struct routine *r, enum step_type type, double seconds, double lead)
{
    struct step *st = &r->steps[r->n_steps++];
    memset(st, 0, sizeof *st);
    st->type = type;
    st->seconds = seconds;
    st->lead_in = lead;
    st->n_sounds = 1;
    st->n_pan = 1;
    return st;
}

static void set_paced(struct step *st, double from, double to, int beats)
{
    st->type = STEP_PACED;
    st->tempo_from = from;
    st->tempo_to = to;
    if (beats > 0) {
        st->beats_given = 1;
        st->beats = beats;
        st->seconds = tempo_seconds_for_beats(from, to, beats);
    } else {
        st->beats_given = 0;
        st->beats = tempo_whole_beats(tempo_phase(from, to, st->seconds, st->seconds),
                                      routine_count_unit(st));
    }
}

static struct step *add_paced(struct routine *r, double from, double to, double seconds, int beats,
                              double lead)
{
    struct step *st = add_step(r, STEP_PACED, seconds, lead);
    set_paced(st, from, to, beats);
    return st;
}

/* ---- the independent closed form ---- */

/* The time in a step's body at which the ramp's phase (beats) is P: the
 * root of from t + (to - from) t^2 / (2 S) = 60 P, past S at 'to'. */
static double ref_time(const struct step *st, double p)
{
    double a = st->tempo_from, b = st->tempo_to, S = st->seconds;
    double at_end = (a + b) * S / 120.0;
    if (p > at_end)
        return S + (p - at_end) * 60.0 / b;
    if (fabs(b - a) < 1e-12)
        return 60.0 * p / a;
    double k = (b - a) / S;
    return (sqrt(a * a + 120.0 * k * p) - a) / k;
}

/* Where beat K of the sequencer's current step belongs, before rounding. */
static double ref_beat_frame(const struct sequencer *s, int k)
{
    const struct step *st = &s->routine->steps[s->step];
    double p = s->seg_phase + (double)(k - s->seg_beat) / s->seg_scale;
    return (double)s->offset + (s->step_start + st->lead_in + ref_time(st, p)) * RATE;
}

/* ---- the player ---- */

struct player {
    struct sequencer s;
    int64_t pos;       /* the first frame not yet handed out */
    int64_t last;      /* the frame of the last event handed out */
    int64_t last_beat; /* the frame of the current step's last beat, or -1 */
    int late, unordered, off_form, bursts, beats, ends;
    int split; /* beats of a step given in seconds planned as no whole movement */
    double max_bpm; /* the fastest a beat may come: tempo max x scale max */
    struct seq_event ev[64];
    int n_ev; /* of the last block */
};

static void player_init(struct player *p, const struct routine *r)
{
    memset(p, 0, sizeof *p);
    sequencer_init(&p->s, r, RATE);
    p->last = p->last_beat = -1;
    p->max_bpm = ROUTINE_TEMPO_MAX * 2.0;
}

static void check_beat(struct player *p, const struct seq_event *ev)
{
    double want = ref_beat_frame(&p->s, ev->beat);
    double frac = want - floor(want);
    /* Exact, except where the two computations may round a hair apart. */
    if (ev->frame != llround(want) && fabs(frac - 0.5) > 1e-6)
        p->off_form++;
    p->beats++;
}

/* Hands out every event of the next N frames, as the engine does. */
static void play(struct player *p, int n)
{
    p->n_ev = 0;
    for (;;) {
        struct seq_event ev;
        sequencer_peek(&p->s, &ev);
        if (ev.kind == SEQ_DONE || ev.frame >= p->pos + n)
            break;
        sequencer_next(&p->s, &ev);
        if (ev.frame < p->pos)
            p->late++;
        if (ev.frame < p->last)
            p->unordered++;
        p->last = ev.frame;
        if (ev.kind == SEQ_STEP)
            p->last_beat = -1;
        if (ev.kind == SEQ_BEAT) {
            check_beat(p, &ev);
            const struct step *st = &p->s.routine->steps[ev.step];
            if (!st->beats_given && ev.beats % routine_count_unit(st) != 0)
                p->split++;
            /* Within a step, no two beats closer than the fastest tempo
             * allows (a step's first beat may follow the last one's closely:
             * the routine says so, edits or not). */
            if (p->last_beat >= 0 && ev.frame - p->last_beat < 60.0 / p->max_bpm * RATE - 1.0)
                p->bursts++;
            p->last_beat = ev.frame;
        }
        if (ev.kind == SEQ_STEP_END)
            p->ends++;
        if (p->n_ev < 64)
            p->ev[p->n_ev++] = ev;
    }
    p->pos += n;
}

static void play_to(struct player *p, int64_t until)
{
    while (p->pos < until)
        play(p, (int)(until - p->pos < 512 ? until - p->pos : 512));
}

/* A move at the current frame; the sequencer's promise checked at once. */
static void locate(struct player *p, struct seq_move m)
{
    m.floor = p->pos;
    sequencer_locate(&p->s, &m);
    struct seq_event ev;
    sequencer_peek(&p->s, &ev);
    if (ev.frame < p->pos)
        p->late++;
}

static struct seq_event peek(const struct player *p)
{
    struct seq_event ev;
    sequencer_peek(&p->s, &ev);
    return ev;
}

/* The next event of KIND, handing out everything before it. */
static struct seq_event next_of(struct player *p, enum seq_kind kind)
{
    for (int guard = 0; guard < 1000000; guard++) {
        struct seq_event ev = peek(p);
        if (ev.kind == kind || ev.kind == SEQ_DONE)
            return ev;
        play_to(p, ev.frame + 1);
    }
    return peek(p);
}

static void expect_clean(const struct player *p, const char *what)
{
    CHECK(p->late == 0 && p->unordered == 0 && p->off_form == 0 && p->bursts == 0 &&
              p->split == 0,
          "%s: %d late, %d out of order, %d off the closed form, %d bursts, %d not of whole "
          "movements (of %d beats)",
          what, p->late, p->unordered, p->off_form, p->bursts, p->split, p->beats);
}

/* ---- each relocation ---- */

/* An edit that leaves the current step already over: it ends at the floor,
 * and the next step begins there, from its announcement. */
static void expect_cut_here(struct player *p, const struct routine *r, const char *what)
{
    int64_t at = p->pos;
    struct seq_event ev = peek(p);
    CHECK(ev.kind == SEQ_STEP_END && ev.frame == at, "%s: the step ends at the edit (%d at %lld)",
          what, ev.kind, (long long)(ev.frame - at));
    play(p, 1);
    CHECK(p->n_ev >= 2 && p->ev[1].kind == SEQ_STEP && p->ev[1].frame == at && p->ev[1].step == 1,
          "%s: the next step begins there", what);
    ev = next_of(p, SEQ_BEAT);
    const struct step *st = &r->steps[1];
    CHECK(ev.step == 1 && ev.frame == at + SEC(st->lead_in),
          "%s: its first beat after its lead-in (%lld frames after the edit)", what,
          (long long)(ev.frame - at));
    play_to(p, at + SEC(40.0));
    expect_clean(p, what);
}

static void test_shorten(void)
{
    const char *what[] = {"paced, seconds given", "paced, beats given", "hold"};
    for (int kind = 0; kind < 3; kind++) {
        struct routine *a = new_routine(), *b = new_routine();
        for (int v = 0; v < 2; v++) {
            struct routine *r = v ? b : a;
            double len = v ? 10.0 : 60.0;
            if (kind == 0)
                add_paced(r, 100.0, 140.0, len, 0, 2.0);
            else if (kind == 1)
                add_paced(r, 60.0, 60.0, 0.0, (int)len, 2.0);
            else
                add_step(r, STEP_HOLD, len, 2.0);
            add_paced(r, 120.0, 120.0, 0.0, 20, 1.0);
        }
        struct player p;
        player_init(&p, a);
        play_to(&p, SEC(30.0) + 37);
        locate(&p, (struct seq_move){.kind = SEQ_MOVE_STAY, .routine = b});
        expect_cut_here(&p, b, what[kind]);
        free(a);
        free(b);
    }
    printf("shortened below the time played (paced by seconds, by beats, hold): ends at the "
           "edit, the next step from its announcement\n");
}

static void test_lengthen(void)
{
    struct routine *a = new_routine(), *b = new_routine();
    add_paced(a, 90.0, 90.0, 20.0, 0, 1.0);
    add_paced(b, 90.0, 90.0, 40.0, 0, 1.0);
    struct player p;
    player_init(&p, a);
    play_to(&p, SEC(10.0));
    struct seq_event before = peek(&p);
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_STAY, .routine = b});
    struct seq_event after = peek(&p);
    CHECK(after.kind == SEQ_BEAT && after.frame == before.frame && after.beat == before.beat,
          "lengthen: the next beat keeps its sample and its number");
    CHECK(p.s.beats == 60, "lengthen: 40 s at 90 bpm is 60 beats (%d)", p.s.beats);
    play_to(&p, SEC(60.0));
    expect_clean(&p, "lengthen");
    CHECK(p.ends == 1 && p.beats == 60, "lengthen: 60 beats, one end (%d, %d)", p.beats, p.ends);
    free(a);
    free(b);
    printf("lengthened: the beat grid goes on, 60 beats in all\n");
}

/* A step given in seconds ends on a whole movement: its beats and its end. */
static void expect_step(int sounds, double bpm, double seconds, int beats, double end,
                        const char *what)
{
    struct routine *r = new_routine();
    struct step *st = add_step(r, STEP_PACED, seconds, 1.0);
    st->n_sounds = sounds;
    set_paced(st, bpm, bpm, 0);
    struct player p;
    player_init(&p, r);
    struct seq_event ev = next_of(&p, SEQ_STEP_END);
    int64_t body = SEC(SEQUENCER_PREROLL_SECONDS + 1.0);
    CHECK(p.beats == beats && st->beats == beats && ev.frame == body + SEC(end) &&
              fabs(sequencer_step_length(st) - 1.0 - end) < 1e-9,
          "%s: %d beats (routine %d), want %d; ends at %.4f s (length %.4f), want %.4f", what,
          p.beats, st->beats, beats, (double)(ev.frame - body) / RATE,
          sequencer_step_length(st) - 1.0, end);
    expect_clean(&p, what);
    printf("%s: %d beats, the body %.2f s\n", what, beats, end);
    free(r);
}

static void test_whole_movements(void)
{
    /* 10.5 beats, 11 begun: the lone last heel up is dropped, S kept. */
    expect_step(2, 60.0, 10.5, 10, 10.5, "10.5 s at 60 bpm, two sounds");
    /* Exactly 21 beats: 20 or 22 as near, the raise is completed and the
     * body runs on a beat, to 22 s. */
    expect_step(2, 60.0, 21.0, 22, 22.0, "21 s at 60 bpm, two sounds");
    /* Three sounds, 10.8 beats: 11 begun; 12 is nearer than 9. */
    expect_step(3, 60.0, 10.8, 12, 11.8, "10.8 s at 60 bpm, three sounds");
    expect_step(1, 60.0, 10.5, 11, 10.5, "10.5 s at 60 bpm, one sound");

    /* An edit that leaves a raise half done (three beats played, the step
     * now 1 s long) completes it: one more beat where it was, then the end. */
    struct routine *a = new_routine(), *b = new_routine();
    add_step(a, STEP_PACED, 20.0, 1.0)->n_sounds = 2;
    set_paced(&a->steps[0], 60.0, 60.0, 0);
    add_step(b, STEP_PACED, 1.0, 1.0)->n_sounds = 2;
    set_paced(&b->steps[0], 60.0, 60.0, 0);
    struct player p;
    player_init(&p, a);
    int64_t body = SEC(SEQUENCER_PREROLL_SECONDS + 1.0);
    play_to(&p, body + SEC(2.5));
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_STAY, .routine = b});
    struct seq_event ev = peek(&p);
    CHECK(ev.kind == SEQ_BEAT && ev.beat == 3 && ev.frame == body + SEC(3.0),
          "cut in a raise: its heel down still comes (%d, beat %d at %.3f s)", ev.kind, ev.beat,
          (double)(ev.frame - body) / RATE);
    ev = next_of(&p, SEQ_STEP_END);
    CHECK(p.beats == 4 && ev.frame > body + SEC(3.0), "cut in a raise: 4 beats, then the end");
    play_to(&p, body + SEC(10.0));
    expect_clean(&p, "cut in a raise");
    printf("cut in a raise: the raise is completed, then the step ends\n");
    free(a);
    free(b);
}

static void test_remove_and_type(void)
{
    /* The current (last) step removed: the session closes at the edit. */
    struct routine *a = new_routine(), *b = new_routine();
    add_paced(a, 100.0, 100.0, 10.0, 0, 0.0);
    add_step(a, STEP_HOLD, 30.0, 1.0);
    add_paced(b, 100.0, 100.0, 10.0, 0, 0.0);
    struct player p;
    player_init(&p, a);
    play_to(&p, SEC(20.0));
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_STAY, .routine = b});
    struct seq_event ev = peek(&p);
    CHECK(ev.kind == SEQ_CLOSE && ev.frame == SEC(20.0),
          "remove the current step: the close at "
          "the edit (%d)",
          ev.kind);
    play_to(&p, SEC(30.0));
    expect_clean(&p, "remove the current step");
    free(b);

    /* Of two rounds: the next round begins at the edit. */
    a->repeat = 2;
    b = new_routine();
    b->repeat = 2;
    add_paced(b, 100.0, 100.0, 10.0, 0, 0.0);
    player_init(&p, a);
    play_to(&p, SEC(20.0));
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_STAY, .routine = b});
    ev = peek(&p);
    CHECK(ev.kind == SEQ_STEP && ev.round == 1 && ev.step == 0 && ev.frame == SEC(20.0),
          "remove the current step, first round: the second round begins at the edit");
    free(b);

    /* Type changes: rest -> paced, paced -> hold, hold -> rest. */
    const enum step_type from[] = {STEP_REST, STEP_PACED, STEP_HOLD};
    const enum step_type to[] = {STEP_PACED, STEP_HOLD, STEP_REST};
    for (int i = 0; i < 3; i++) {
        a->repeat = 1;
        a->n_steps = 0;
        b = new_routine();
        struct step *sa = add_step(a, from[i], 30.0, 1.0);
        struct step *sb = add_step(b, to[i], 30.0, 1.5);
        if (from[i] == STEP_PACED)
            set_paced(sa, 80.0, 80.0, 0);
        if (to[i] == STEP_PACED)
            set_paced(sb, 120.0, 120.0, 0);
        player_init(&p, a);
        play_to(&p, SEC(10.0));
        locate(&p, (struct seq_move){.kind = SEQ_MOVE_STAY, .routine = b});
        ev = peek(&p);
        CHECK(ev.kind == SEQ_STEP && ev.step == 0 && ev.frame == SEC(10.0),
              "type %s -> %s: the step afresh from its announcement at the edit",
              routine_step_type_name(from[i]), routine_step_type_name(to[i]));
        int64_t end0, start0;
        play(&p, 1);
        sequencer_step_span(&p.s, &start0, &end0);
        CHECK(start0 == SEC(10.0) && end0 == SEC(10.0) + SEC(31.5),
              "type %s -> %s: the step spans its new length from the edit",
              routine_step_type_name(from[i]), routine_step_type_name(to[i]));
        if (to[i] == STEP_PACED) {
            ev = next_of(&p, SEQ_BEAT);
            CHECK(ev.frame == SEC(11.5), "rest -> paced: its first beat after its lead-in");
        }
        play_to(&p, SEC(60.0));
        expect_clean(&p, "type change");
        free(b);
    }
    free(a);
    printf("the current step removed: the close, or the next round; a changed type: afresh\n");
}

static void test_tempo_mid_ramp(void)
{
    struct routine *a = new_routine();
    add_paced(a, 60.0, 180.0, 60.0, 0, 0.0);
    struct player p;
    player_init(&p, a);
    play_to(&p, SEC(20.0));
    struct seq_event before = peek(&p);
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_STAY, .scale = 1.5});
    struct seq_event after = peek(&p);
    CHECK(after.frame == before.frame && after.beat == before.beat,
          "tempo x1.5 mid-ramp: the next beat keeps its sample");
    /* The one after: the ramp's phase one beat / 1.5 on, from the same anchor. */
    play_to(&p, after.frame + 1);
    struct seq_event then = peek(&p);
    double t0 = (double)(after.frame - SEC(0.1)) / RATE;
    double p0 = (60.0 * t0 + 120.0 / 120.0 * t0 * t0) / 60.0; /* from t + (to-from) t^2/(2S) */
    double t1 = ref_time(&a->steps[0], p0 + 1.0 / 1.5);
    CHECK(llabs(then.frame - (SEC(0.1) + (int64_t)llround(t1 * RATE))) <= 1,
          "tempo x1.5 mid-ramp: the beat after it at %lld, the closed form says %lld",
          (long long)then.frame, (long long)(SEC(0.1) + llround(t1 * RATE)));
    /* Reload mid-ramp with another ramp. */
    struct routine *b = new_routine();
    add_paced(b, 90.0, 90.0, 60.0, 0, 0.0);
    play_to(&p, SEC(30.0));
    before = peek(&p);
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_STAY, .routine = b});
    after = peek(&p);
    CHECK(llabs(after.frame - before.frame) <= 1 && after.beat == before.beat,
          "a new ramp mid-ramp: the next beat keeps its place");
    play_to(&p, after.frame + 1);
    then = peek(&p);
    CHECK(llabs(then.frame - after.frame - SEC(60.0 / 135.0)) <= 1,
          "a new ramp mid-ramp: then 90 bpm x1.5 (%lld frames)",
          (long long)(then.frame - after.frame));
    play_to(&p, SEC(120.0));
    expect_clean(&p, "tempo mid-ramp");
    free(a);
    free(b);
    printf("tempo key and a new ramp mid-ramp: the next beat stays, the rest from it\n");
}

static void test_countin_and_pause(void)
{
    struct routine *a = new_routine(), *b = new_routine();
    add_paced(a, 60.0, 60.0, 20.0, 0, 4.0); /* counts at 1.1, 2.1, 3.1; beat 0 at 4.1 */
    add_paced(b, 60.0, 60.0, 20.0, 0, 2.5);
    struct player p;
    player_init(&p, a);
    play_to(&p, SEC(2.5));
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_STAY, .routine = b});
    struct seq_event ev = peek(&p);
    CHECK(ev.kind == SEQ_BEAT && ev.beat == 0 && ev.frame == SEC(2.6),
          "reload in the count-in: the passed numbers left out, beat 0 after the new lead-in "
          "(%d at %.3f s)",
          ev.kind, (double)ev.frame / RATE);
    b->steps[0].lead_in = 0.5; /* the body would have begun before the edit */
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_STAY, .routine = a});
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_STAY, .routine = b});
    ev = peek(&p);
    CHECK(ev.kind == SEQ_BEAT && ev.frame == p.pos, "a lead-in edited to before now: the first "
                                                    "beat at once, not in the past");
    play_to(&p, SEC(8.0));
    /* A pause: the player stops; an edit while paused stands at the pause. */
    int64_t paused_at = p.pos;
    struct seq_event before = peek(&p);
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_STAY, .routine = a});
    ev = peek(&p);
    CHECK(ev.frame == before.frame, "reload while paused: the next beat keeps its sample");
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_SHIFT, .delay = SEC(3.0)});
    ev = peek(&p);
    CHECK(ev.frame == before.frame + SEC(3.0) && ev.frame >= paused_at,
          "resume: everything not yet handed out 3 s later");
    play_to(&p, SEC(40.0));
    expect_clean(&p, "count-in and pause");
    free(a);
    free(b);
    printf("reload in the count-in and while paused; a resume shifts what is left\n");
}

static void test_keys_and_skips(void)
{
    struct routine *a = new_routine();
    add_paced(a, 100.0, 100.0, 30.0, 0, 1.0);
    add_step(a, STEP_HOLD, 10.0, 1.0);
    struct player p;
    player_init(&p, a);
    play_to(&p, SEC(5.0));
    for (int i = 0; i < 40; i++)
        locate(&p, (struct seq_move){.kind = SEQ_MOVE_STAY, .scale = p.s.scale * 1.05});
    CHECK(fabs(sequencer_current_tempo(&p.s) / p.s.scale - 100.0) < 1e-9,
          "40 tempo steps: the tempo is 100 bpm x the scale");
    /* The engine clamps; the sequencer takes what it is given. */
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_STAY, .scale = 2.0});
    play_to(&p, SEC(8.0));
    CHECK(fabs(sequencer_current_tempo(&p.s) - 200.0) < 1e-9, "x2: 200 bpm (%.3f)",
          sequencer_current_tempo(&p.s));
    /* Back on the first step: it starts again; next on the last: the close. */
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_STEP, .round = 0, .step = 0, .delay = 100});
    struct seq_event ev = peek(&p);
    CHECK(ev.kind == SEQ_STEP && ev.step == 0 && ev.frame == p.pos + 100, "back on the first");
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_STEP, .round = 0, .step = 2, .delay = 100});
    ev = peek(&p);
    CHECK(ev.kind == SEQ_CLOSE && ev.frame == p.pos + 100, "next on the last: the close");
    play_to(&p, p.pos + SEC(1.0));
    ev = peek(&p);
    CHECK(ev.kind == SEQ_DONE, "then nothing more");
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_STEP, .round = 0, .step = 1, .delay = 0});
    locate(&p, (struct seq_move){.kind = SEQ_MOVE_END});
    ev = peek(&p);
    CHECK(ev.kind == SEQ_DONE && ev.frame == p.pos, "stop: nothing more from now");
    expect_clean(&p, "keys and skips");
    free(a);
    printf("tempo keys, back on the first step, next on the last, stop\n");
}

/* ---- the property test ---- */

static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static double rnd_in(double lo, double hi)
{
    return lo + (hi - lo) * (double)rnd(1000001) / 1000000.0;
}

static void random_step(struct routine *r)
{
    unsigned t = rnd(5);
    double lead = rnd(3) ? rnd_in(0.0, 4.0) : 0.0;
    if (t >= 3) {
        add_step(r, t == 3 ? STEP_HOLD : STEP_REST, rnd_in(0.5, 20.0), lead);
        return;
    }
    double from = rnd_in(ROUTINE_TEMPO_MIN, 240.0);
    double to = rnd(2) ? from : rnd_in(ROUTINE_TEMPO_MIN, 240.0);
    struct step *st = add_step(r, STEP_PACED, rnd_in(0.5, 25.0), lead);
    st->n_sounds = 1 + (int)rnd(3); /* a movement of 1, 2 or 3 beats */
    set_paced(st, from, to, rnd(3) ? 0 : (int)rnd(40) + 1);
}

static struct routine *random_routine(void)
{
    struct routine *r = new_routine();
    r->repeat = 1 + (int)rnd(2);
    int n = 1 + (int)rnd(4);
    for (int i = 0; i < n; i++)
        random_step(r);
    return r;
}

/* A copy of R with one thing changed, as an editor's save would. */
static struct routine *random_edit(const struct routine *r)
{
    struct routine *e = new_routine();
    memcpy(e, r, offsetof(struct routine, steps) + (size_t)r->n_steps * sizeof r->steps[0]);
    struct step *st = &e->steps[rnd((unsigned)e->n_steps)];
    switch (rnd(6)) {
    case 0: /* another length */
        if (st->type == STEP_PACED && st->beats_given) {
            set_paced(st, st->tempo_from, st->tempo_to, (int)rnd(40) + 1);
        } else {
            st->seconds = rnd_in(0.2, 30.0);
            if (st->type == STEP_PACED)
                set_paced(st, st->tempo_from, st->tempo_to, 0);
        }
        break;
    case 1: /* another tempo or ramp */
        if (st->type == STEP_PACED)
            set_paced(st, rnd_in(20.0, 240.0), rnd_in(20.0, 240.0),
                      st->beats_given ? st->beats : 0);
        break;
    case 2:
        st->lead_in = rnd_in(0.0, 5.0);
        break;
    case 3: /* another type */
        st->type = (enum step_type)rnd(3);
        if (st->type == STEP_PACED)
            set_paced(st, rnd_in(20.0, 240.0), rnd_in(20.0, 240.0), 0);
        break;
    case 4: /* a step fewer or more */
        if (e->n_steps > 1 && rnd(2))
            e->n_steps--;
        else if (e->n_steps < 6)
            random_step(e);
        break;
    default:
        e->repeat = 1 + (int)rnd(3);
        break;
    }
    return e;
}

static void random_command(struct player *p, struct routine **cur, struct routine **old)
{
    unsigned c = rnd(10);
    if (c < 3) {
        struct routine *next = random_edit(*cur);
        locate(p, (struct seq_move){.kind = SEQ_MOVE_STAY, .routine = next});
        free(*old); /* the engine retires a plan once the next is in place */
        *old = *cur;
        *cur = next;
    } else if (c < 6) {
        double scale = p->s.scale * (rnd(2) ? 1.05 : 1.0 / 1.05);
        scale = fmin(2.0, fmax(0.5, scale));
        locate(p, (struct seq_move){.kind = SEQ_MOVE_STAY, .scale = scale});
    } else if (c < 8) {
        struct seq_event ev = peek(p);
        if (ev.kind != SEQ_CLOSE && ev.kind != SEQ_DONE)
            locate(p, (struct seq_move){.kind = SEQ_MOVE_STEP,
                                        .round = ev.kind == SEQ_OPEN ? 0 : ev.round,
                                        .step = ev.kind == SEQ_OPEN ? 0 : ev.step + (int)rnd(2),
                                        .delay = SEC(0.3)});
    } else if (c < 9) {
        locate(p, (struct seq_move){.kind = SEQ_MOVE_SHIFT, .delay = (int64_t)rnd(SEC(3.0))});
    } else if (rnd(20) == 0) {
        locate(p, (struct seq_move){.kind = SEQ_MOVE_END});
    }
}

static void test_property(void)
{
    int sessions = 3000, commands = 0, beats = 0;
    struct player p;
    int late = 0, unordered = 0, off = 0, bursts = 0, split = 0;
    for (int i = 0; i < sessions; i++) {
        struct routine *cur = random_routine(), *old = NULL;
        player_init(&p, cur);
        int n_cmd = 1 + (int)rnd(12);
        for (int k = 0; k < n_cmd; k++) {
            int64_t until = p.pos + (int64_t)rnd(SEC(8.0));
            while (p.pos < until)
                play(&p, 1 + (int)rnd(2048));
            random_command(&p, &cur, &old);
            commands++;
        }
        for (int guard = 0; guard < 50000 && peek(&p).kind != SEQ_DONE; guard++)
            play(&p, 1 + (int)rnd(4096));
        late += p.late;
        split += p.split;
        unordered += p.unordered;
        off += p.off_form;
        bursts += p.bursts;
        beats += p.beats;
        if (p.late + p.unordered + p.off_form + p.bursts + p.split &&
            late + unordered + off + bursts < 5)
            fprintf(stderr, "  session %d: %d late, %d unordered, %d off, %d bursts, %d split\n",
                    i, p.late, p.unordered, p.off_form, p.bursts, p.split);
        free(cur);
        free(old);
    }
    CHECK(late == 0 && unordered == 0 && off == 0 && bursts == 0 && split == 0,
          "property: %d sessions, %d random commands and edits, %d beats: %d late, %d out of "
          "order, %d off the closed form, %d bursts, %d in steps given in seconds planned as "
          "no whole movement",
          sessions, commands, beats, late, unordered, off, bursts, split);
    printf("property: %d random sessions, %d commands and edits, %d beats: none before the "
           "floor, none out of order, every beat on the closed form, no burst, every step "
           "given in seconds planned as whole movements\n",
           sessions, commands, beats);
}

int main(void)
{
    test_shorten();
    test_lengthen();
    test_whole_movements();
    test_remove_and_type();
    test_tempo_mid_ramp();
    test_countin_and_pause();
    test_keys_and_skips();
    test_property();
    return CHECK_DONE("test_sequencer");
}
