#include "out_null.h"

#include "engine.h"

#include <stdlib.h>

#define NULL_BLOCK_MAX 4096

struct out_null {
    struct engine *engine;
    struct out_null_clock *clock;
    int rate;
    int active;
    uint64_t blocks;
    int64_t first_frames;
    float buf[NULL_BLOCK_MAX * 2];
};

double out_null_now(void *clock)
{
    return ((struct out_null_clock *)clock)->now;
}

static void *null_open(struct engine *e, const struct output_params *p, struct cp_error *err)
{
    struct out_null *o = calloc(1, sizeof *o);
    if (!o) {
        cp_fail(err, CP_RUNTIME, "out of memory");
        return NULL;
    }
    o->engine = e;
    o->clock = p->clock;
    o->rate = engine_rate(e);
    if (o->clock->step <= 0.0)
        o->clock->step = 0.05;
    if (o->clock->block <= 0 || o->clock->block > NULL_BLOCK_MAX)
        o->clock->block = 512;
    return o;
}

static int null_start(void *self, struct cp_error *err)
{
    (void)err;
    struct out_null *o = self;
    o->active = 1;
    return 0;
}

/* The clock moves on a step; the frames due by then are rendered. */
static void null_pump(void *self)
{
    struct out_null *o = self;
    struct out_null_clock *c = o->clock;
    c->now += c->step;
    if (c->tick)
        c->tick(c->ctx, c->now);
    if (!o->active || c->stalled)
        return;
    int64_t due = (int64_t)(c->now * o->rate);
    while (o->active && c->frames + c->block <= due) {
        int n = engine_render(o->engine, o->buf, c->block);
        if (o->blocks++ == 0)
            o->first_frames = c->block;
        c->frames += c->block;
        if (n < c->block)
            o->active = 0; /* the session's last frame is out */
    }
}

static int null_active(void *self)
{
    return ((struct out_null *)self)->active;
}

static void null_stop(void *self)
{
    ((struct out_null *)self)->active = 0;
}

static void null_close(void *self)
{
    free(self);
}

static void null_stats(void *self, struct output_stats *st)
{
    struct out_null *o = self;
    st->callbacks = o->blocks;
    st->first_frames = o->first_frames;
    st->frames = o->clock->frames;
    st->latency = (double)o->clock->block / o->rate;
}

const struct output_ops out_null_ops = {
    .kind = "null",
    .open = null_open,
    .start = null_start,
    .pump = null_pump,
    .active = null_active,
    .stop = null_stop,
    .close = null_close,
    .abandon = null_close,
    .stats = null_stats,
};
