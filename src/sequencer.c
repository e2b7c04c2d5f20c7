#include "sequencer.h"

#include "tempo.h"

#include <math.h>

int64_t sequencer_frame_at(double seconds, int rate)
{
    return (int64_t)llround(seconds * (double)rate);
}

double sequencer_first_step_seconds(const struct routine *r)
{
    return SEQUENCER_PREROLL_SECONDS + (r->cue[0] ? r->lead_in : 0.0);
}

double sequencer_step_length(const struct step *st)
{
    return st->lead_in + st->seconds;
}

double sequencer_session_seconds(const struct routine *r)
{
    double t = sequencer_first_step_seconds(r);
    for (int round = 0; round < r->repeat; round++)
        for (int i = 0; i < r->n_steps; i++)
            t += sequencer_step_length(&r->steps[i]);
    return t;
}

/* The time within a step's body at which the ramp's phase is P; past the
 * ramp's end the tempo stays at 'to' (a slowed-down step runs past S). */
static double ramp_time(const struct step *st, double p)
{
    double end = tempo_phase(st->tempo_from, st->tempo_to, st->seconds, st->seconds);
    if (p <= end)
        return tempo_beat_time(st->tempo_from, st->tempo_to, st->seconds, p);
    return st->seconds + (p - end) * 60.0 / st->tempo_to;
}

static double beat_phase(const struct sequencer *s, int k)
{
    return s->seg_phase + (double)(k - s->seg_beat) / s->seg_scale;
}

/* Re-plans the current step's beat count and body from its ramp segment. */
static void plan_body(struct sequencer *s)
{
    const struct step *st = &s->routine->steps[s->step];
    if (st->type != STEP_PACED) {
        s->beats = 0;
        s->body_len = st->seconds;
        return;
    }
    if (st->beats_given) {
        s->beats = st->beats;
        s->body_len = ramp_time(st, beat_phase(s, st->beats));
        return;
    }
    /* Every beat with t < S: k < seg_beat + (phase(S) - seg_phase) * scale. */
    double end = tempo_phase(st->tempo_from, st->tempo_to, st->seconds, st->seconds);
    double n = (double)s->seg_beat + (end - s->seg_phase) * s->seg_scale;
    s->beats = (int)ceil(n - 1e-9 * fmax(1.0, n));
    if (s->beats < s->seg_beat)
        s->beats = s->seg_beat;
    s->body_len = st->seconds;
}

static void begin_step(struct sequencer *s)
{
    s->beat = 0;
    s->seg_phase = 0.0;
    s->seg_beat = 0;
    s->seg_scale = s->scale;
    s->count = SEQUENCER_COUNTDOWN;
    plan_body(s);
}

void sequencer_init(struct sequencer *s, const struct routine *r, int rate)
{
    s->routine = r;
    s->rate = rate;
    s->offset = 0;
    s->scale = 1.0;
    s->next_kind = SEQ_OPEN;
    s->round = 0;
    s->step = 0;
    s->step_start = sequencer_first_step_seconds(r);
    begin_step(s);
}

static int64_t frame_of(const struct sequencer *s, double seconds)
{
    return s->offset + sequencer_frame_at(seconds, s->rate);
}

static void emit(const struct sequencer *s, struct seq_event *ev, enum seq_kind kind, double t,
                 int beat)
{
    ev->kind = kind;
    ev->frame = frame_of(s, t);
    ev->round = s->round;
    ev->step = (kind == SEQ_OPEN || kind == SEQ_CLOSE || kind == SEQ_DONE) ? -1 : s->step;
    ev->beat = beat;
    ev->beats = s->beats;
}

/* The seconds of the countdown number N, or a negative time when it has no
 * place: before a paced step's first beat, one beat apart at its first
 * tempo; at the last seconds of a hold. */
static double count_time(const struct sequencer *s, int n)
{
    const struct step *st = &s->routine->steps[s->step];
    double body = s->step_start + st->lead_in;
    if (st->type == STEP_PACED) {
        double t = body - n * 60.0 / (st->tempo_from * s->seg_scale);
        return t >= s->step_start ? t : -1.0;
    }
    if (st->type == STEP_HOLD && s->body_len >= SEQUENCER_HOLD_COUNT_MIN)
        return body + s->body_len - n;
    return -1.0;
}

/* After the step's start: its countdown, its beats, or its end. */
static enum seq_kind after_start(struct sequencer *s)
{
    const struct step *st = &s->routine->steps[s->step];
    while (s->count > 0 && count_time(s, s->count) < 0.0)
        s->count--;
    if (s->count > 0 && (st->type != STEP_HOLD))
        return SEQ_COUNT;
    if (st->type == STEP_PACED && s->beat < s->beats)
        return SEQ_BEAT;
    if (s->count > 0)
        return SEQ_COUNT;
    return SEQ_STEP_END;
}

/* Moves on to the step after the current one, starting at step_start. */
static void advance(struct sequencer *s)
{
    const struct routine *r = s->routine;
    if (++s->step >= r->n_steps) {
        s->step = 0;
        if (++s->round >= r->repeat) {
            s->round = r->repeat - 1;
            s->step = r->n_steps - 1;
            s->next_kind = SEQ_CLOSE;
            return;
        }
    }
    begin_step(s);
    s->next_kind = SEQ_STEP;
}

void sequencer_next(struct sequencer *s, struct seq_event *ev)
{
    const struct routine *r = s->routine;
    const struct step *st = &r->steps[s->step];
    switch (s->next_kind) {
    case SEQ_OPEN:
        emit(s, ev, SEQ_OPEN, SEQUENCER_PREROLL_SECONDS, 0);
        s->next_kind = SEQ_STEP;
        return;
    case SEQ_STEP:
        emit(s, ev, SEQ_STEP, s->step_start, 0);
        s->next_kind = after_start(s);
        return;
    case SEQ_COUNT:
        emit(s, ev, SEQ_COUNT, count_time(s, s->count), s->count);
        s->count--;
        s->next_kind = after_start(s);
        return;
    case SEQ_BEAT: {
        double t = ramp_time(st, beat_phase(s, s->beat));
        emit(s, ev, SEQ_BEAT, s->step_start + st->lead_in + t, s->beat);
        s->beat++;
        s->next_kind = s->beat < s->beats ? SEQ_BEAT : SEQ_STEP_END;
        return;
    }
    case SEQ_STEP_END:
        emit(s, ev, SEQ_STEP_END, s->step_start + st->lead_in + s->body_len, s->beat);
        s->step_start += st->lead_in + s->body_len;
        advance(s);
        return;
    case SEQ_CLOSE:
        emit(s, ev, SEQ_CLOSE, s->step_start, 0);
        s->next_kind = SEQ_DONE;
        return;
    case SEQ_DONE:
        emit(s, ev, SEQ_DONE, s->step_start, 0);
        return;
    }
}

void sequencer_shift(struct sequencer *s, int64_t frames)
{
    s->offset += frames;
}

/* Makes time T (seconds, before the offset) fall on frame AT. */
static void anchor(struct sequencer *s, double t, int64_t at)
{
    s->offset = at - sequencer_frame_at(t, s->rate);
}

void sequencer_goto(struct sequencer *s, int round, int step, int64_t at)
{
    const struct routine *r = s->routine;
    while (step >= r->n_steps) {
        step -= r->n_steps;
        round++;
    }
    if (round >= r->repeat) {
        s->round = r->repeat - 1;
        s->step = r->n_steps - 1;
        s->next_kind = SEQ_CLOSE;
    } else {
        s->round = round;
        s->step = step;
        begin_step(s);
        s->next_kind = SEQ_STEP;
    }
    anchor(s, s->step_start, at);
}

void sequencer_scale_tempo(struct sequencer *s, double factor)
{
    s->scale *= factor;
    if (s->next_kind == SEQ_OPEN) {
        s->seg_scale = s->scale; /* the first step has not begun */
        plan_body(s);
        return;
    }
    if (s->next_kind == SEQ_CLOSE || s->next_kind == SEQ_DONE)
        return;
    const struct step *st = &s->routine->steps[s->step];
    if (st->type != STEP_PACED)
        return;
    if (s->next_kind == SEQ_STEP || s->next_kind == SEQ_COUNT) {
        /* Not yet at the first beat: the whole step takes the new tempo. */
        if (s->beat == 0) {
            s->seg_scale = s->scale;
            plan_body(s);
        }
        return;
    }
    /* The beat already handed out (beat - 1) keeps its place; the ramp is
     * re-anchored there. */
    int k = s->beat > 0 ? s->beat - 1 : 0;
    s->seg_phase = beat_phase(s, k);
    s->seg_beat = k;
    s->seg_scale = s->scale;
    plan_body(s);
    s->next_kind = s->beat < s->beats ? SEQ_BEAT : SEQ_STEP_END;
}

void sequencer_switch(struct sequencer *s, const struct routine *r, int64_t at)
{
    const struct routine *old = s->routine;
    const struct step *was = &old->steps[s->step];
    /* Where in the old body the last beat handed out sat. */
    int k = s->beat > 0 ? s->beat - 1 : 0;
    double u = was->type == STEP_PACED && s->beat > 0 ? ramp_time(was, beat_phase(s, k)) : 0.0;
    s->routine = r;
    if (s->round >= r->repeat)
        s->round = r->repeat - 1;
    if (s->next_kind == SEQ_OPEN || s->next_kind == SEQ_CLOSE || s->next_kind == SEQ_DONE)
        return;
    if (s->step >= r->n_steps) {
        /* The step is gone: the session closes where the next event was. */
        s->step = r->n_steps - 1;
        s->next_kind = SEQ_CLOSE;
        anchor(s, s->step_start, at);
        return;
    }
    const struct step *st = &r->steps[s->step];
    if (s->next_kind == SEQ_STEP) {
        begin_step(s); /* not begun yet: it simply begins as the new file says */
        return;
    }
    if (st->type != was->type) {
        /* A step that changed its kind starts afresh where the next event was. */
        sequencer_goto(s, s->round, s->step, at);
        return;
    }
    /* Keep the step's start on the frame it had, with the new lead-in. */
    s->offset +=
        sequencer_frame_at(was->lead_in, s->rate) - sequencer_frame_at(st->lead_in, s->rate);
    if (st->type == STEP_PACED && s->beat > 0) {
        s->seg_phase = tempo_phase(st->tempo_from, st->tempo_to, st->seconds,
                                   u < st->seconds ? u : st->seconds);
        s->seg_beat = k;
    } else {
        s->seg_phase = 0.0;
        s->seg_beat = 0;
    }
    s->seg_scale = s->scale;
    plan_body(s);
    if (st->type == STEP_PACED && (s->next_kind == SEQ_BEAT || s->next_kind == SEQ_STEP_END))
        s->next_kind = s->beat < s->beats ? SEQ_BEAT : SEQ_STEP_END;
}

double sequencer_current_tempo(const struct sequencer *s)
{
    const struct step *st = &s->routine->steps[s->step];
    if (st->type != STEP_PACED)
        return 0.0;
    double t = ramp_time(st, beat_phase(s, s->beat));
    if (t > st->seconds)
        t = st->seconds;
    return tempo_at(st->tempo_from, st->tempo_to, st->seconds, t) * s->seg_scale;
}
