#include "status.h"

#include "timeline_text.h"
#include "term.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

void status_init(struct status *s, FILE *out, int fd, int tty, int quiet)
{
    s->out = out;
    s->fd = fd;
    s->tty = tty && !quiet;
    s->quiet = quiet;
    s->drawn = 0;
    s->shown_step = -1;
    s->shown_round = 0;
    s->drawn_columns = s->drawn_width = 0;
    s->last_tempo = 0.0;
    s->last_tempo_step = -2;
    s->was_paused = 0;
    s->pause_from = s->paused_frames = 0;
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

/* Display columns of UTF-8 TEXT: one a character (continuation bytes do
 * not count); term_clean has already escaped control characters. */
static int columns(const char *text)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

/* Cuts TEXT to at most MAX display columns, never inside a character. */
static void cut_columns(char *text, int max)
{
    int n = 0;
    for (unsigned char *p = (unsigned char *)text; *p; p++) {
        if ((*p & 0xC0) != 0x80 && n++ == max) {
            *p = '\0';
            return;
        }
    }
}

int status_wanted(void)
{
    const char *acc = getenv("ACCESSIBLE"), *term = getenv("TERM");
    if (acc && *acc)
        return 0;
    return !(term && strcmp(term, "dumb") == 0);
}

void status_format(struct status *s, const struct routine *r, const struct engine_status *st,
                   uint64_t underruns, double session_seconds, int width, char *out, size_t outlen)
{
    int rate = r->rate;
    /* A pause stops the clock and the bars: the frames go on (silence keeps
     * the stream alive), the session's time does not. */
    if (st->paused && !s->was_paused)
        s->pause_from = st->frame;
    if (!st->paused && s->was_paused)
        s->paused_frames += st->frame - s->pause_from;
    s->was_paused = st->paused;
    int64_t frame = (st->paused ? s->pause_from : st->frame) - s->paused_frames;
    int64_t step_frame = st->paused ? s->pause_from : st->frame;
    if (frame < 0)
        frame = 0;

    char head[512], left[160], tempo[32] = "", extra[64] = "", step_bar[16], all_bar[16];
    char name[4 * ROUTINE_NAME_MAX + 1];
    if (st->step < 0) {
        /* The opening lead-in: the first step is on its way. */
        const struct step *first = &r->steps[0];
        double rem = (double)(st->step_end - step_frame) / rate;
        snprintf(head, sizeof head, "[0/%d] %s", r->n_steps,
                 term_clean(r->name, name, sizeof name));
        snprintf(left, sizeof left, "%s in %.0f s", first->name, rem > 0 ? ceil(rem) : 0.0);
        status_bar(step_bar, 10, 0.0);
    } else {
        const struct step *p = &r->steps[st->step < r->n_steps ? st->step : r->n_steps - 1];
        snprintf(head, sizeof head, "[%d/%d] %s", st->step + 1, r->n_steps,
                 term_clean(p->name, name, sizeof name));
        if (p->type == STEP_PACED) {
            snprintf(left, sizeof left, "beat %d/%d", st->beat, st->beats);
            /* After the last beat the next tempo is 0: show the last one. */
            if (st->tempo > 0.0) {
                s->last_tempo = st->tempo;
                s->last_tempo_step = st->step;
            } else if (s->last_tempo_step != st->step) {
                s->last_tempo = p->tempo_to * (st->tempo_scale > 0.0 ? st->tempo_scale : 1.0);
                s->last_tempo_step = st->step;
            }
            snprintf(tempo, sizeof tempo, " %5.1f bpm", s->last_tempo);
        } else {
            double rem = (double)(st->step_end - step_frame) / rate;
            snprintf(left, sizeof left, "%.0f s left", rem > 0 ? ceil(rem) : 0.0);
        }
        double span = (double)(st->step_end - st->step_start);
        status_bar(step_bar, 10, span > 0 ? (double)(step_frame - st->step_start) / span : 0.0);
    }
    /* What the listener changed with the keys, when it is not the default. */
    size_t e = 0;
    if (fabs(st->tempo_scale - 1.0) > 1e-6 && st->tempo_scale > 0.0)
        e += (size_t)snprintf(extra + e, sizeof extra - e, " | tempo x%.2f", st->tempo_scale);
    if (fabs(st->volume_db) > 1e-6 && e < sizeof extra)
        snprintf(extra + e, sizeof extra - e, " | volume %+.0f dB", st->volume_db);
    status_bar(all_bar, 10, session_seconds > 0 ? (double)frame / rate / session_seconds : 0.0);
    char elapsed[32];
    timeline_format_time((double)frame / rate, elapsed, sizeof elapsed);
    snprintf(out, outlen, "%s%s | %s%s | step [%s] all [%s] %s%s | underruns %llu",
             st->paused ? "PAUSED " : "", head, left, tempo, step_bar, all_bar, elapsed, extra,
             (unsigned long long)underruns);
    cut_columns(out, (width > 10 ? width : 80) - 1);
}

static int terminal_width(int fd)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
        return ws.ws_col;
    return 80;
}

static void draw(struct status *s, const struct routine *r, const struct engine_status *st,
                 uint64_t underruns, double session_seconds)
{
    int width = terminal_width(s->fd);
    char line[1024];
    status_format(s, r, st, underruns, session_seconds, width, line, sizeof line);
    /* The terminal narrowed since the last draw: the old line was rewrapped
     * onto more rows; go up to its first row and clear all of them. */
    if (s->drawn && s->drawn_width && width < s->drawn_width && s->drawn_columns > width) {
        int rows = (s->drawn_columns - 1) / width;
        fprintf(s->out, "\r\033[%dA\033[J", rows);
    }
    fprintf(s->out, "\r\033[K%s", line);
    fflush(s->out);
    s->drawn_columns = columns(line);
    s->drawn_width = width;
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
    if (s->quiet || st->step >= r->n_steps || (st->step < 0 && !s->tty))
        return;
    if (s->tty)
        draw(s, r, st, underruns, session_seconds);
    else
        log_step(s, r, st);
}
