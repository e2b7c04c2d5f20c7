/* The engine from the other threads: its life, the commands they send it,
 * the plans it hands back and the status they read.  Nothing here runs in
 * the callback. */
#include "engine_impl.h"

#include <math.h>
#include <stdlib.h>

struct engine *engine_create(struct engine_plan *plan, double tempo_scale)
{
    struct engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->rate = plan->routine->rate;
    mixer_init(&e->mix, e->rate);
    engine_take_plan(e, plan);
    sequencer_init(&e->seq, plan->routine, e->rate);
    if (tempo_scale > 0.0 && tempo_scale != 1.0) {
        double scale = tempo_scale;
        scale = scale < ENGINE_TEMPO_SCALE_MIN ? ENGINE_TEMPO_SCALE_MIN : scale;
        scale = scale > ENGINE_TEMPO_SCALE_MAX ? ENGINE_TEMPO_SCALE_MAX : scale;
        sequencer_locate(&e->seq, &(struct seq_move){.kind = SEQ_MOVE_STAY, .scale = scale});
    }
    atomic_init(&e->status_scale_milli, llround(e->seq.scale * 1000.0));
    sequencer_peek(&e->seq, &e->pending);
    e->countin_at = -1;
    e->feedback_at = -1;
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
    atomic_init(&e->status_skipped, 0);
    atomic_init(&e->status_tempo_milli, 0);
    atomic_init(&e->status_volume_milli, 0);
    atomic_init(&e->status_dropped, 0);
    atomic_init(&e->status_late, 0);
    atomic_init(&e->status_tempo_min_milli, 0);
    atomic_init(&e->status_tempo_max_milli, 0);
    return e;
}

void engine_plan_set_output(struct engine_plan *p, int mono, double balance)
{
    p->mono = mono != 0;
    p->balance = balance;
}

int engine_send_vocab(struct engine *e, const struct engine_plan *p)
{
    if (!p->late)
        return 0;
    struct control_cmd cmd = {.kind = CONTROL_VOCAB, .ptr = p->late};
    return engine_send(e, &cmd);
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
    st->skipped = atomic_load_explicit(&e->status_skipped, memory_order_relaxed);
    st->tempo = (double)atomic_load_explicit(&e->status_tempo_milli, memory_order_relaxed) / 1000.0;
    st->tempo_scale =
        (double)atomic_load_explicit(&e->status_scale_milli, memory_order_relaxed) / 1000.0;
    st->volume_db =
        (double)atomic_load_explicit(&e->status_volume_milli, memory_order_relaxed) / 1000.0;
    st->voices_dropped = atomic_load_explicit(&e->status_dropped, memory_order_relaxed);
    st->events_late = atomic_load_explicit(&e->status_late, memory_order_relaxed);
    st->tempo_min =
        (double)atomic_load_explicit(&e->status_tempo_min_milli, memory_order_relaxed) / 1000.0;
    st->tempo_max =
        (double)atomic_load_explicit(&e->status_tempo_max_milli, memory_order_relaxed) / 1000.0;
}
