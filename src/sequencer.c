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

void sequencer_init(struct sequencer *s, const struct routine *r, int rate)
{
    s->routine = r;
    s->rate = rate;
    s->offset = 0;
    s->next_kind = SEQ_OPEN;
    s->round = 0;
    s->step = 0;
    s->beat = 0;
    s->step_start = sequencer_first_step_seconds(r);
}

static int64_t frame_of(const struct sequencer *s, double seconds)
{
    return s->offset + sequencer_frame_at(seconds, (int)s->rate);
}

static void emit(const struct sequencer *s, struct seq_event *ev, enum seq_kind kind, double t)
{
    ev->kind = kind;
    ev->frame = frame_of(s, t);
    ev->round = s->round;
    ev->step = (kind == SEQ_OPEN || kind == SEQ_CLOSE || kind == SEQ_DONE) ? -1 : s->step;
    ev->beat = s->beat;
}

void sequencer_next(struct sequencer *s, struct seq_event *ev)
{
    const struct routine *r = s->routine;
    const struct step *st = &r->steps[s->step];
    switch (s->next_kind) {
    case SEQ_OPEN:
        emit(s, ev, SEQ_OPEN, SEQUENCER_PREROLL_SECONDS);
        s->next_kind = SEQ_STEP;
        return;
    case SEQ_STEP:
        emit(s, ev, SEQ_STEP, s->step_start);
        s->beat = 0;
        s->next_kind = (st->type == STEP_PACED && st->beats > 0) ? SEQ_BEAT : SEQ_STEP_END;
        return;
    case SEQ_BEAT: {
        double t = tempo_beat_time(st->tempo_from, st->tempo_to, st->seconds, s->beat);
        emit(s, ev, SEQ_BEAT, s->step_start + st->lead_in + t);
        s->beat++;
        if (s->beat >= st->beats)
            s->next_kind = SEQ_STEP_END;
        return;
    }
    case SEQ_STEP_END:
        emit(s, ev, SEQ_STEP_END, s->step_start + sequencer_step_length(st));
        s->step_start += sequencer_step_length(st);
        s->beat = 0;
        if (++s->step >= r->n_steps) {
            s->step = 0;
            if (++s->round >= r->repeat) {
                s->round = r->repeat - 1;
                s->step = r->n_steps - 1;
                s->next_kind = SEQ_CLOSE;
                return;
            }
        }
        s->next_kind = SEQ_STEP;
        return;
    case SEQ_CLOSE:
        emit(s, ev, SEQ_CLOSE, s->step_start);
        s->next_kind = SEQ_DONE;
        return;
    case SEQ_DONE:
        emit(s, ev, SEQ_DONE, s->step_start);
        return;
    }
}
