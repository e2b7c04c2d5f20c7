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

/* The body of a paced step given in seconds that plays BEATS where it
 * would play BASE: S, unless beats were added to complete a movement; then
 * it runs on past S, at 'to' (x SCALE), by the beats that follow the BEFORE_S
 * beats before S, so its last beat is followed by the same part of a beat
 * as the written step's. */
static double body_seconds(const struct step *st, int beats, int base, int before_s, double scale)
{
    if (st->type != STEP_PACED || st->beats_given || beats <= base)
        return st->seconds;
    return st->seconds + (double)(beats - before_s) / scale * 60.0 / st->tempo_to;
}

double sequencer_step_length(const struct step *st)
{
    if (st->type != STEP_PACED || st->beats_given)
        return st->lead_in + st->seconds;
    double total = tempo_phase(st->tempo_from, st->tempo_to, st->seconds, st->seconds);
    int beats = tempo_whole_beats(total, routine_count_unit(st));
    int before_s = tempo_whole_beats(total, 1);
    return st->lead_in + body_seconds(st, beats, before_s, before_s, 1.0);
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

/* The ramp's phase at time T within a step's body: the inverse of ramp_time. */
static double ramp_phase(const struct step *st, double t)
{
    if (t <= st->seconds)
        return tempo_phase(st->tempo_from, st->tempo_to, st->seconds, t);
    double end = tempo_phase(st->tempo_from, st->tempo_to, st->seconds, st->seconds);
    return end + (t - st->seconds) * st->tempo_to / 60.0;
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
    /* Every beat with t < S: k < seg_beat + (phase(S) - seg_phase) * scale,
     * then to a whole movement (a last one begun and not over is dropped or
     * completed, whichever is nearer to S; one already begun is completed). */
    double end = tempo_phase(st->tempo_from, st->tempo_to, st->seconds, st->seconds);
    double n = (double)s->seg_beat + (end - s->seg_phase) * s->seg_scale;
    int unit = routine_count_unit(st);
    int before_s = tempo_whole_beats(n, 1);
    s->beats = tempo_whole_beats(n, unit);
    if (s->beats < s->seg_beat)
        s->beats = s->seg_beat + (unit - s->seg_beat % unit) % unit;
    s->body_len = body_seconds(st, s->beats, before_s > s->seg_beat ? before_s : s->seg_beat,
                               before_s, s->seg_scale);
}

static void begin_step(struct sequencer *s)
{
    s->beat = 0;
    s->seg_phase = 0.0;
    s->seg_beat = 0;
    s->seg_scale = s->scale;
    s->count = SEQUENCER_COUNTDOWN;
    s->end_at = -1;
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

double sequencer_count_spacing(const struct routine *r, const struct step *st, double bpm)
{
    double beat = 60.0 / bpm, word = r->count_word;
    if (beat > SEQUENCER_COUNT_SLOW) {
        int d = 1;
        while (beat / (2 * d) >= word && beat / d > SEQUENCER_COUNT_SLOW)
            d *= 2;
        return 1.0 / d;
    }
    if (word <= beat)
        return 1.0;
    int j = routine_count_unit(st);
    while (j * beat < word)
        j *= 2;
    return j;
}

/* The seconds of the countdown number N, or a negative time when it has no
 * place: before a paced step's first beat, spaced as
 * sequencer_count_spacing says at its first tempo; at the last seconds of
 * a hold. */
static double count_time(const struct sequencer *s, int n)
{
    const struct step *st = &s->routine->steps[s->step];
    double body = s->step_start + st->lead_in;
    if (st->type == STEP_PACED) {
        double bpm = st->tempo_from * s->seg_scale;
        double t = body - n * sequencer_count_spacing(s->routine, st, bpm) * 60.0 / bpm;
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
    case SEQ_STEP_END: {
        emit(s, ev, SEQ_STEP_END, s->step_start + st->lead_in + s->body_len, s->beat);
        int64_t end_at = s->end_at;
        s->step_start += st->lead_in + s->body_len;
        s->end_at = -1;
        advance(s);
        if (end_at >= 0) {
            /* Cut short by an edit: it ends, and what follows begins, here. */
            ev->frame = end_at;
            s->offset = end_at - sequencer_frame_at(s->step_start, s->rate);
        }
        return;
    }
    case SEQ_CLOSE:
        emit(s, ev, SEQ_CLOSE, s->step_start, 0);
        s->next_kind = SEQ_DONE;
        return;
    case SEQ_DONE:
        emit(s, ev, SEQ_DONE, s->step_start, 0);
        return;
    }
}

void sequencer_peek(const struct sequencer *s, struct seq_event *ev)
{
    struct sequencer copy = *s;
    sequencer_next(&copy, ev);
}

void sequencer_step_span(const struct sequencer *s, int64_t *start, int64_t *end)
{
    const struct step *st = &s->routine->steps[s->step];
    *start = frame_of(s, s->step_start);
    *end = s->end_at >= 0 ? s->end_at : frame_of(s, s->step_start + st->lead_in + s->body_len);
}

/* Makes time T (seconds, before the offset) fall on frame AT. */
static void anchor(struct sequencer *s, double t, int64_t at)
{
    s->offset = at - sequencer_frame_at(t, s->rate);
}

/* STEP in ROUND (a step past the last is the next round's first) begins at
 * frame AT, from its announcement; past the last round the session closes
 * there. */
static void start_step(struct sequencer *s, int round, int step, int64_t at)
{
    const struct routine *r = s->routine;
    while (step >= r->n_steps) {
        step -= r->n_steps;
        round++;
    }
    if (round >= r->repeat) {
        s->round = r->repeat - 1;
        s->step = r->n_steps - 1;
        s->end_at = -1;
        s->next_kind = SEQ_CLOSE;
    } else {
        s->round = round;
        s->step = step;
        begin_step(s);
        s->next_kind = SEQ_STEP;
    }
    anchor(s, s->step_start, at);
}

/* Outside a begun step: the next step begins as the routine now says, at
 * the frame it had; the opening and the close keep theirs. */
static void stay_between(struct sequencer *s)
{
    const struct routine *r = s->routine;
    if (s->next_kind == SEQ_OPEN) {
        begin_step(s);
    } else if (s->next_kind == SEQ_STEP) {
        if (s->step < r->n_steps)
            begin_step(s);
        else
            start_step(s, s->round, s->step, frame_of(s, s->step_start));
    } else if (s->step >= r->n_steps) {
        s->step = r->n_steps - 1; /* the close: only the tempo reads it */
    }
}

/* The same round, step and beat count under a new routine or tempo factor.
 * The anchor is the next beat (not yet handed out, so not before the
 * floor): its time in the old ramp becomes its time in the new one.  In the
 * body the body's start keeps its frame, before it the step's start does
 * (a changed lead-in moves the body).  Rounded once, from the anchor. */
static void stay(struct sequencer *s, const struct seq_move *m)
{
    const struct routine *r = m->routine ? m->routine : s->routine;
    const struct step *was = &s->routine->steps[s->step];
    int same = r == s->routine;
    double p = beat_phase(s, s->beat);
    double u = was->type == STEP_PACED ? ramp_time(was, p) : 0.0;
    int64_t body_at = frame_of(s, s->step_start + was->lead_in);
    s->routine = r;
    if (m->scale > 0.0)
        s->scale = m->scale;
    if (s->round >= r->repeat)
        s->round = r->repeat - 1;
    if (s->next_kind != SEQ_COUNT && s->next_kind != SEQ_BEAT && s->next_kind != SEQ_STEP_END) {
        stay_between(s);
        return;
    }
    if (s->step >= r->n_steps || r->steps[s->step].type != was->type) {
        start_step(s, s->round, s->step, m->floor); /* gone or changed: afresh */
        return;
    }
    const struct step *st = &r->steps[s->step];
    if (m->floor > body_at)
        anchor(s, s->step_start + st->lead_in, body_at);
    int paced = st->type == STEP_PACED && s->beat > 0;
    s->seg_phase = paced ? (same ? p : ramp_phase(st, u)) : 0.0;
    s->seg_beat = paced ? s->beat : 0;
    s->seg_scale = s->scale;
    s->end_at = -1;
    plan_body(s);
    s->next_kind = after_start(s);
}

/* Nothing before FLOOR: a countdown number that has passed is left out; a
 * beat that would fall before it sounds on it, the ramp re-anchored there; a
 * step that is already over ends on it; anything else begins on it. */
static void settle(struct sequencer *s, int64_t floor)
{
    for (int guard = 0; guard < SEQUENCER_COUNTDOWN + 4; guard++) {
        struct seq_event ev;
        sequencer_peek(s, &ev);
        if (ev.frame >= floor)
            return;
        const struct step *st = &s->routine->steps[s->step];
        switch (s->next_kind) {
        case SEQ_COUNT:
            s->count--;
            s->next_kind = after_start(s);
            break;
        case SEQ_BEAT: {
            /* A quarter of a frame in, so the rounding lands on FLOOR. */
            double t =
                ((double)(floor - s->offset) + 0.25) / s->rate - (s->step_start + st->lead_in);
            s->seg_phase = ramp_phase(st, t > 0.0 ? t : 0.0);
            s->seg_beat = s->beat;
            plan_body(s);
            s->next_kind = s->beat < s->beats ? SEQ_BEAT : SEQ_STEP_END;
            break;
        }
        case SEQ_STEP_END:
            s->end_at = floor;
            break;
        default:
            anchor(s, s->next_kind == SEQ_OPEN ? SEQUENCER_PREROLL_SECONDS : s->step_start, floor);
            break;
        }
    }
}

void sequencer_locate(struct sequencer *s, const struct seq_move *m)
{
    switch (m->kind) {
    case SEQ_MOVE_STAY:
        stay(s, m);
        break;
    case SEQ_MOVE_STEP:
        start_step(s, m->round, m->step, m->floor + m->delay);
        break;
    case SEQ_MOVE_SHIFT:
        s->offset += m->delay;
        if (s->end_at >= 0)
            s->end_at += m->delay;
        break;
    case SEQ_MOVE_END:
        s->next_kind = SEQ_DONE;
        s->end_at = -1;
        anchor(s, s->step_start, m->floor);
        break;
    }
    settle(s, m->floor);
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
