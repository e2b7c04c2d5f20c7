#include "timeline_text.h"

#include "sequencer.h"
#include "term.h"

#include <math.h>

void timeline_format_time(double seconds, char *out, size_t outlen)
{
    if (seconds < 0.0)
        seconds = 0.0;
    long tenths = lround(seconds * 10.0);
    long h = tenths / 36000, m = (tenths / 600) % 60, s = (tenths / 10) % 60, t = tenths % 10;
    if (h > 0)
        snprintf(out, outlen, "%ld:%02ld:%02ld.%ld", h, m, s, t);
    else
        snprintf(out, outlen, "%ld:%02ld.%ld", m, s, t);
}

void timeline_print(FILE *to, const struct routine *r)
{
    char a[32], b[32], name[4 * ROUTINE_NAME_MAX + 1], path[4 * ROUTINE_PATH_MAX + 1];
    fprintf(to, "%s (%s, %d Hz%s)\n", term_clean(r->name, name, sizeof name),
            term_clean(r->path, path, sizeof path), r->rate, r->repeat > 1 ? ", repeated" : "");
    fprintf(to, "  %-5s %-9s %-8s %-5s %6s  %-16s %s\n", "step", "start", "length", "type", "beats",
            "tempo", "name");
    double t = sequencer_first_step_seconds(r);
    for (int round = 0; round < r->repeat; round++) {
        for (int i = 0; i < r->n_steps; i++) {
            const struct step *st = &r->steps[i];
            char num[32], tempo[64], beats[16];
            if (r->repeat > 1)
                snprintf(num, sizeof num, "%d.%d", round + 1, i + 1);
            else
                snprintf(num, sizeof num, "%d", i + 1);
            timeline_format_time(t, a, sizeof a);
            timeline_format_time(sequencer_step_length(st), b, sizeof b);
            if (st->type == STEP_PACED) {
                snprintf(beats, sizeof beats, "%d", st->beats);
                if (st->tempo_from == st->tempo_to)
                    snprintf(tempo, sizeof tempo, "%g bpm", st->tempo_from);
                else
                    snprintf(tempo, sizeof tempo, "%g-%g bpm", st->tempo_from, st->tempo_to);
            } else {
                snprintf(beats, sizeof beats, "-");
                snprintf(tempo, sizeof tempo, "-");
            }
            /* What "ten more" and "last five" count, when it is not beats. */
            char counts[48] = "";
            int m = st->type == STEP_PACED ? routine_count_unit(st) : 1;
            if (m > 1)
                snprintf(counts, sizeof counts, "  [%d movements of %d beats]",
                         st->beats / m + (st->beats % m != 0), m);
            fprintf(to, "  %-5s %-9s %-8s %-5s %6s  %-16s %s%s\n", num, a, b,
                    routine_step_type_name(st->type), beats, tempo,
                    term_clean(st->name, name, sizeof name), counts);
            t += sequencer_step_length(st);
        }
    }
    timeline_format_time(t, a, sizeof a);
    if (r->end_cue[0])
        fprintf(to, "  total %s (the closing cue follows)\n", a);
    else if (r->guidance.closing)
        fprintf(to, "  total %s (the spoken session length follows)\n", a);
    else
        fprintf(to, "  total %s\n", a);
}

static const char *kind_name(enum seq_kind k)
{
    switch (k) {
    case SEQ_OPEN:
        return "open";
    case SEQ_STEP:
        return "step";
    case SEQ_COUNT:
        return "count";
    case SEQ_BEAT:
        return "beat";
    case SEQ_STEP_END:
        return "step-end";
    case SEQ_CLOSE:
        return "close";
    case SEQ_DONE:
        return "done";
    }
    return "?";
}

void timeline_print_events(FILE *to, const struct routine *r)
{
    struct sequencer s;
    struct seq_event ev;
    sequencer_init(&s, r, r->rate);
    fprintf(to, "# sample event round step beat pan   (samples at %d Hz from the start)\n",
            r->rate);
    do {
        sequencer_next(&s, &ev);
        double pan = 0.0;
        if (ev.kind == SEQ_BEAT) {
            const struct step *st = &r->steps[ev.step];
            pan = st->pan[ev.beat % st->n_pan];
        }
        fprintf(to, "%lld %s %d %d %d %g\n", (long long)ev.frame, kind_name(ev.kind), ev.round,
                ev.step, ev.beat, pan);
    } while (ev.kind != SEQ_DONE);
}

static void chapter_put(struct timeline_chapter *out, int max, int n, int64_t frame, const char *name,
                        int round)
{
    if (n >= max)
        return;
    out[n].frame = frame;
    if (round > 0)
        snprintf(out[n].name, sizeof out[n].name, "%s (round %d)", name, round + 1);
    else
        snprintf(out[n].name, sizeof out[n].name, "%s", name);
}

int timeline_chapters(const struct routine *r, int rate, struct timeline_chapter *out, int max)
{
    struct sequencer s;
    struct seq_event ev;
    int n = 0;
    sequencer_init(&s, r, rate);
    do {
        sequencer_next(&s, &ev);
        if (ev.kind == SEQ_OPEN)
            chapter_put(out, max, n++, 0, "Opening", 0);
        else if (ev.kind == SEQ_STEP)
            chapter_put(out, max, n++, ev.frame, r->steps[ev.step].name, ev.round);
        else if (ev.kind == SEQ_CLOSE)
            chapter_put(out, max, n++, ev.frame, "Closing", 0);
    } while (ev.kind != SEQ_DONE);
    return n;
}
