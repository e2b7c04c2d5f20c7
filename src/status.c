#include "status.h"

#include "timeline_text.h"
#include "term.h"

#include <math.h>
#include <stdint.h>
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

/* The code point at P and its length in bytes (1 for a stray byte). */
static uint32_t decode(const unsigned char *p, int *len)
{
    int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3
          : (*p & 0xF8) == 0xF0 ? 4 : 1;
    uint32_t cp = n == 1 ? *p : (uint32_t)(*p & (0x7F >> n));
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *len = 1;
            return *p;
        }
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    *len = n;
    return cp;
}

/* Columns a terminal gives the character CP: none for combining marks and
 * zero-width characters, two for East Asian wide and fullwidth characters
 * and emoji (Unicode's East_Asian_Width W and F), one for the rest.  Done
 * here rather than with wcwidth(), which knows nothing in the "C" locale. */
static int char_columns(uint32_t cp)
{
    static const uint32_t zero[][2] = {
        {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
        {0x064B, 0x065F}, {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E},
        {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x202A, 0x202E},
        {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
        {0xFEFF, 0xFEFF}, {0x1F3FB, 0x1F3FF}, {0xE0100, 0xE01EF},
    };
    static const uint32_t wide[][2] = {
        {0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A}, {0x23E9, 0x23EC},
        {0x23F0, 0x23F0}, {0x23F3, 0x23F3}, {0x25FD, 0x25FE}, {0x2614, 0x2615},
        {0x2648, 0x2653}, {0x267F, 0x267F}, {0x2693, 0x2693}, {0x26A1, 0x26A1},
        {0x26AA, 0x26AB}, {0x26BD, 0x26BE}, {0x26C4, 0x26C5}, {0x26CE, 0x26CE},
        {0x26D4, 0x26D4}, {0x26EA, 0x26EA}, {0x26F2, 0x26F3}, {0x26F5, 0x26F5},
        {0x26FA, 0x26FA}, {0x26FD, 0x26FD}, {0x2705, 0x2705}, {0x270A, 0x270B},
        {0x2728, 0x2728}, {0x274C, 0x274C}, {0x274E, 0x274E}, {0x2753, 0x2755},
        {0x2757, 0x2757}, {0x2795, 0x2797}, {0x27B0, 0x27B0}, {0x27BF, 0x27BF},
        {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55}, {0x2E80, 0x303E},
        {0x3041, 0x33FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xA000, 0xA4CF},
        {0xA960, 0xA97F}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE10, 0xFE19},
        {0xFE30, 0xFE6F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x16FE0, 0x18CFF},
        {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E},
        {0x1F191, 0x1F19A}, {0x1F200, 0x1F251}, {0x1F300, 0x1F320}, {0x1F32D, 0x1F335},
        {0x1F337, 0x1F37C}, {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA}, {0x1F3CF, 0x1F3D3},
        {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E}, {0x1F440, 0x1F440},
        {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E}, {0x1F550, 0x1F567},
        {0x1F57A, 0x1F57A}, {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4}, {0x1F5FB, 0x1F64F},
        {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2}, {0x1F6D5, 0x1F6D7},
        {0x1F6DC, 0x1F6DF}, {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7EB},
        {0x1F7F0, 0x1F7F0}, {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF},
        {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
    };
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
        if (cp >= zero[i][0] && cp <= zero[i][1])
            return 0;
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
        if (cp >= wide[i][0] && cp <= wide[i][1])
            return 2;
    return 1;
}

/* Display columns of UTF-8 TEXT; term_clean has already escaped control
 * characters. */
static int columns(const char *text)
{
    int n = 0, len;
    for (const unsigned char *p = (const unsigned char *)text; *p; p += len)
        n += char_columns(decode(p, &len));
    return n;
}

/* Cuts TEXT to at most MAX display columns, never inside a character nor
 * half of a wide one. */
static void cut_columns(char *text, int max)
{
    int n = 0, len;
    for (unsigned char *p = (unsigned char *)text; *p; p += len) {
        n += char_columns(decode(p, &len));
        if (n > max) {
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
