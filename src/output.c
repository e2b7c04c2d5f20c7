#include "output.h"

#include <string.h>

int output_open(struct output *o, const struct output_ops *ops, struct engine *e,
                const struct output_params *p, struct cp_error *err)
{
    o->ops = ops;
    o->self = ops->open(e, p, err);
    return o->self ? 0 : -1;
}

int output_start(struct output *o, struct cp_error *err)
{
    return o->ops->start ? o->ops->start(o->self, err) : 0;
}

void output_pump(struct output *o)
{
    if (o->ops->pump)
        o->ops->pump(o->self);
}

int output_active(struct output *o)
{
    return o->ops->active ? o->ops->active(o->self) : 0;
}

void output_stop(struct output *o)
{
    if (o->ops->stop)
        o->ops->stop(o->self);
}

int output_finish(struct output *o, struct cp_error *err)
{
    return o->ops->finish ? o->ops->finish(o->self, err) : 0;
}

void output_close(struct output *o)
{
    if (o->ops && o->self && o->ops->close)
        o->ops->close(o->self);
    o->self = NULL;
}

void output_abandon(struct output *o)
{
    if (o->ops && o->self && o->ops->abandon)
        o->ops->abandon(o->self);
    o->self = NULL;
}

void output_stats(struct output *o, struct output_stats *st)
{
    memset(st, 0, sizeof *st);
    if (o->ops && o->self && o->ops->stats)
        o->ops->stats(o->self, st);
}

const char *output_name(struct output *o)
{
    return o->ops->name ? o->ops->name(o->self) : o->ops->kind;
}
