#include "status.h"

#include "timeline_text.h"
#include "term.h"

#include <math.h>
#include <stdarg.h>

void status_init(struct status *s, FILE *out, int fd, int tty, int quiet)
{
    s->out = out;
    s->fd = fd;
    s->tty = tty && !quiet;
    s->quiet = quiet;
    s->drawn = 0;
    s->shown_step = -1;
    s->shown_round = 0;
}

void status_clear(struct status *s)
{
    if (s->drawn) {
        term_status_clear(s->out);
        s->drawn = 0;
    }
}

void status_say(struct status *s, FILE *to, const char *fmt, ...)
{
    status_clear(s);
    char line[2048], clean[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fputs(term_clean(line, clean, sizeof clean), to);
    fputc('\n', to);
    fflush(to);
}

void status_bar(char *out, size_t width, double fraction)
{
    if (fraction < 0.0)
        fraction = 0.0;
    if (fraction > 1.0)
        fraction = 1.0;
    size_t full = (size_t)lround(fraction * (double)width);
    for (size_t i = 0; i < width; i++)
        out[i] = i < full ? '#' : '-';
    out[width] = '\0';
}

static void draw(struct status *s, const struct routine *r, const struct engine_status *st,
                 uint64_t underruns, double session_seconds)
{
    int rate = r->rate;
    const struct step *p = &r->steps[st->step];
    char left[64], step_bar[16], all_bar[16], line[512], tempo[32] = "";
    if (p->type == STEP_PACED) {
        snprintf(left, sizeof left, "beat %d/%d", st->beat, st->beats);
        snprintf(tempo, sizeof tempo, " %5.1f bpm", st->tempo);
    } else {
        double rem = (double)(st->step_end - st->frame) / rate;
        snprintf(left, sizeof left, "%.0f s left", rem > 0 ? ceil(rem) : 0.0);
    }
    double span = (double)(st->step_end - st->step_start);
    status_bar(step_bar, 10, span > 0 ? (double)(st->frame - st->step_start) / span : 0.0);
    status_bar(all_bar, 10,
               session_seconds > 0 ? (double)st->frame / rate / session_seconds : 0.0);
    char elapsed[32];
    timeline_format_time((double)st->frame / rate, elapsed, sizeof elapsed);
    snprintf(line, sizeof line, "%s[%d/%d] %s | %s%s | step [%s] all [%s] %s | underruns %llu",
             st->paused ? "PAUSED " : "", st->step + 1, r->n_steps, p->name, left, tempo, step_bar,
             all_bar, elapsed, (unsigned long long)underruns);
    term_status(s->out, s->fd, line);
    s->drawn = 1;
}

/* Without a terminal for the status line: one line as each step begins. */
static void log_step(struct status *s, const struct routine *r, const struct engine_status *st)
{
    if (st->step == s->shown_step && st->round == s->shown_round)
        return;
    s->shown_step = st->step;
    s->shown_round = st->round;
    const struct step *p = &r->steps[st->step];
    char len[32];
    timeline_format_time(p->seconds, len, sizeof len);
    if (p->type == STEP_PACED)
        status_say(s, s->out, "[%d/%d] %s: %s, %g to %g bpm", st->step + 1, r->n_steps, p->name,
                   len, p->tempo_from, p->tempo_to);
    else
        status_say(s, s->out, "[%d/%d] %s: %s", st->step + 1, r->n_steps, p->name, len);
}

void status_update(struct status *s, const struct routine *r, const struct engine_status *st,
                   uint64_t underruns, double session_seconds)
{
    if (s->quiet || st->step < 0 || st->step >= r->n_steps)
        return;
    if (s->tty)
        draw(s, r, st, underruns, session_seconds);
    else
        log_step(s, r, st);
}
