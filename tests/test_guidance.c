/* Spoken guidance and controls, through the engine exactly as the outputs
 * drive it.  Clicks are panned hard left and speech sits in the centre, so
 * the right channel holds speech alone and left minus right the clicks
 * alone: each can be timed on its own, to the sample. */
#include "check.h"
#include "engine_run.h"
#include "onset.h"
#include "render_util.h"
#include "routine.h"
#include "setup.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000
#define SEC(x) ((int64_t)llround((x) * RATE))
/* Speech a key starts begins a duck ramp (and its margin) after the key. */
#define KEY_LEAD ((int64_t)ceil(ENGINE_DUCK_SECONDS * RATE) + ENGINE_DUCK_MARGIN)

static char dir[256];


/* Onsets of the clicks (left - right) or of the speech (right). */
static struct onsets find(const struct engine_run *s, int speech, float threshold)
{
    float *y = malloc((size_t)s->n * sizeof *y);
    for (int64_t f = 0; f < s->n; f++)
        y[f] = speech ? s->x[2 * f + 1] : s->x[2 * f] - s->x[2 * f + 1];
    struct onsets o = {0};
    struct onset_state st = {0};
    onset_scan(&o, &st, y, s->n, 1, 0, 0, threshold, speech ? SEC(0.2) : SEC(0.01));
    free(y);
    return o;
}

static float side_peak(const struct engine_run *s, int64_t at)
{
    float p = 0.0f;
    for (int64_t f = at; f < at + 200 && f < s->n; f++)
        p = fmaxf(p, fabsf(s->x[2 * f] - s->x[2 * f + 1]));
    return p;
}

static void test_cue_and_ducking(void)
{
    struct engine_run s;
    char body[1024];
    snprintf(body, sizeof body,
             "%.*s duck = -12.0; };\n"
             "steps = ( { type = \"paced\"; cue = \"tone\"; tempo = 120.0; seconds = 4.0;\n"
             "  sounds = [ \"imp\" ]; pan = -1.0; lead_in = 0.0; } );\n",
             (int)strlen(engine_run_quiet) - 4, engine_run_quiet);
    engine_run_start(&s, dir, body, 1.0);
    engine_run_to(&s, SEC(6.0));
    struct onsets speech = find(&s, 1, 0.05f);
    CHECK(speech.n == 1 && speech.frame[0] == SEC(0.1),
          "the cue starts with its step, at frame %lld: %zu onsets, first %lld", (long long)SEC(0.1),
          speech.n, speech.n ? (long long)speech.frame[0] : -1LL);
    struct onsets clicks = find(&s, 0, 0.05f);
    CHECK(clicks.n == 8, "8 beats in 4 s at 120 bpm: %zu", clicks.n);
    int exact = 1;
    for (size_t k = 0; k < clicks.n; k++)
        exact &= clicks.frame[k] == SEC(0.1 + 0.5 * (double)k);
    CHECK(exact, "every beat on its sample under speech");
    double under = 20.0 * log10(side_peak(&s, SEC(0.6)) / side_peak(&s, SEC(2.1)));
    CHECK(fabs(under - -12.0) < 0.05, "a click under speech is %.3f dB against one after it (want "
                                      "-12)",
          under);
    printf("cue at its step's start; clicks ducked by %.2f dB while it speaks, back after; beats "
           "exact\n",
           under);
    onsets_free(&speech);
    onsets_free(&clicks);
    engine_run_finish(&s);
}

/* Every click whose first sample falls in speech (a phrase from its first
 * sound, less 10 ms for a clip's quiet first samples, to its last, gaps
 * between its clips included) is ducked by the full depth; the clicks on a
 * cue's first sample and in a phrase's gaps above all. */
static void test_duck_ahead(void)
{
    const char *body =
        "guidance = { closing = false; };\n"
        "steps = ( { type = \"paced\"; cue = \"tone\"; tempo = 120.0; beats = 40;\n"
        "  sounds = [ \"soft\" ]; pan = -1.0; lead_in = 0.0; },\n"
        "  { type = \"paced\"; tempo = 210.0; seconds = 20.0; sounds = [ \"soft\" ];\n"
        "  pan = -1.0; lead_in = 0.0; },\n"
        "  { type = \"paced\"; tempo = 170.0; seconds = 45.0; sounds = [ \"soft\" ];\n"
        "  pan = -1.0; lead_in = 0.0; } );\n";
    const int blocks[] = {512, 37, 4096};
    float *first = NULL;
    int64_t first_n = 0;
    for (int b = 0; b < 3; b++) {
        struct engine_run s;
        engine_run_start(&s, dir, body, 1.0);
        int64_t until = SEC(95.0);
        while (s.n < until) {
            int want = (int)(until - s.n < blocks[b] ? until - s.n : blocks[b]);
            if (s.n + want > s.cap) {
                s.cap = (s.cap ? s.cap * 2 : RATE * 8) + want;
                s.x = realloc(s.x, (size_t)s.cap * 2 * sizeof *s.x);
            }
            int got = engine_render(s.engine, s.x + 2 * s.n, want);
            s.n += want;
            if (got < want)
                break;
        }
        if (b > 0) {
            int64_t diff = -1;
            for (int64_t f = 0; diff < 0 && f < s.n && f < first_n; f++)
                if (s.x[2 * f] != first[2 * f] || s.x[2 * f + 1] != first[2 * f + 1])
                    diff = f;
            /* The last block runs past the session's end: compare up to there. */
            CHECK(llabs(s.n - first_n) < 4096 && diff < 0,
                  "blocks of %d frames render the same samples as blocks of 512 (first "
                  "difference at frame %lld)",
                  blocks[b], (long long)diff);
            engine_run_finish(&s);
            continue;
        }
        /* Speech: the right channel; a phrase runs on across gaps under 0.1 s. */
        unsigned char *in = calloc((size_t)s.n, 1), *gap = calloc((size_t)s.n, 1);
        int64_t last = -SEC(1.0), start_at = -1;
        size_t phrases = 0;
        for (int64_t f = 0; f <= s.n; f++) {
            int loud = f < s.n && s.x[2 * f + 1] != 0.0f;
            if (!loud)
                continue;
            if (f - last > SEC(0.1)) {
                if (start_at >= 0)
                    for (int64_t g = start_at; g <= last; g++)
                        in[g] = 1;
                start_at = f - SEC(0.01) > 0 ? f - SEC(0.01) : 0;
                phrases++;
            } else if (f - last > SEC(0.03)) {
                for (int64_t g = last + 1; g < f; g++)
                    gap[g] = 1;
            }
            last = f;
        }
        if (start_at >= 0)
            for (int64_t g = start_at; g <= last; g++)
                in[g] = 1;
        struct onsets c = find(&s, 0, 0.05f);
        float ref = 0.0f;
        for (size_t k = 0; k < c.n; k++)
            if (!in[c.frame[k]])
                ref = fmaxf(ref, side_peak(&s, c.frame[k]));
        size_t under = 0, at_start = 0, in_gap = 0, off = 0;
        double lo = 0.0, hi = -100.0;
        for (size_t k = 0; k < c.n; k++) {
            int64_t f = c.frame[k];
            if (!in[f])
                continue;
            double db = 20.0 * log10(side_peak(&s, f) / ref);
            under++;
            at_start += f < SEC(0.02) || !in[f - SEC(0.02)];
            in_gap += gap[f];
            lo = fmin(lo, db);
            hi = fmax(hi, db);
            if (fabs(db - -10.0) > 0.5 && off++ < 5)
                fprintf(stderr, "  click at %.4f s: %.2f dB%s%s\n", (double)f / RATE, db,
                        f >= SEC(0.02) && !in[f - SEC(0.02)] ? " (a cue's first sample)" : "",
                        gap[f] ? " (a gap in a phrase)" : "");
        }
        CHECK(phrases >= 8 && under >= 10 && at_start >= 3 && in_gap >= 1,
              "the session has clicks under speech: %zu phrases, %zu clicks under them, %zu on a "
              "phrase's first sample, %zu in a gap",
              phrases, under, at_start, in_gap);
        CHECK(off == 0 && lo >= -10.5 && hi <= -9.5,
              "every click under speech ducked by -10 +-0.5 dB: %zu of %zu outside, from %.2f to "
              "%.2f dB",
              off, under, lo, hi);
        printf("ducking ahead: %zu clicks under %zu phrases (%zu on a phrase's first sample, %zu in "
               "a gap between its clips) ducked by %.2f to %.2f dB (want -10 +-0.5)\n",
               under, phrases, at_start, in_gap, lo, hi);
        onsets_free(&c);
        free(in);
        free(gap);
        first = s.x;
        first_n = s.n;
        s.x = NULL;
        engine_run_finish(&s);
    }
    printf("ducking ahead: the same samples in blocks of 512, 37 and 4096 frames\n");
    free(first);
}

/* The keys of test_duck_keys, at these frames: a refused edit on a beat's
 * first sample, a tempo key 10 ms before a beat, pause, resume, next (the
 * next step's cue on its first beat), and the tempo key in the new step. */
static void keys_run(struct engine_run *s, double duck_db)
{
    char body[1024];
    snprintf(body, sizeof body,
             "%.*s duck = %g; };\n"
             "steps = ( { type = \"paced\"; tempo = 120.0; seconds = 30.0; sounds = [ \"long\" ];\n"
             "  pan = -1.0; lead_in = 0.0; },\n"
             "  { type = \"paced\"; cue = \"tone\"; tempo = 150.0; seconds = 30.0;\n"
             "  sounds = [ \"long\" ]; pan = -1.0; lead_in = 0.0; } );\n",
             (int)strlen(engine_run_quiet) - 4, engine_run_quiet, duck_db);
    static const struct {
        double at;
        enum control_kind kind;
        double value;
    } keys[] = {{1.1, CONTROL_ALERT, 0.0},    {3.09, CONTROL_TEMPO, 1.05},
                {6.013, CONTROL_PAUSE, 0.0},  {8.0, CONTROL_PAUSE, 0.0},
                {12.0, CONTROL_NEXT, 0.0},    {16.0, CONTROL_TEMPO, 1.0 / 1.05},
                {18.251, CONTROL_TEMPO, 1.05}};
    engine_run_start(s, dir, body, 1.0);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        engine_run_to(s, SEC(keys[i].at));
        engine_run_send(s, keys[i].kind, keys[i].value, NULL);
    }
    engine_run_to(s, SEC(21.0));
}

/* Speech a key starts cannot be foreseen: it begins a duck ramp after the
 * key, so every sample of every click that sounds while it sounds is ducked
 * by the full depth.  The same keys at the same frames with duck = 0 give
 * each click sample undisturbed; the ratio is the duck, sample by sample. */
static void test_duck_keys(void)
{
    struct engine_run a, b;
    keys_run(&a, -10.0);
    keys_run(&b, 0.0);
    int64_t n = a.n < b.n ? a.n : b.n;
    /* Speech: the right channel, a phrase running on across gaps under 0.1 s,
     * from its first sample on (no click is allowed to be early). */
    unsigned char *in = calloc((size_t)n, 1);
    int64_t last = -SEC(1.0);
    size_t phrases = 0;
    for (int64_t f = 0; f < n; f++) {
        if (a.x[2 * f + 1] == 0.0f)
            continue;
        if (f - last > SEC(0.1))
            phrases++;
        else
            for (int64_t g = last + 1; g < f; g++)
                in[g] = 1;
        in[f] = 1;
        last = f;
    }
    struct onsets c = find(&b, 0, 0.02f);
    size_t under = 0, off = 0, first_sample = 0;
    double lo = 0.0, hi = -100.0;
    for (size_t k = 0; k < c.n; k++) {
        int64_t end = k + 1 < c.n ? c.frame[k + 1] : n;
        double clo = 0.0, chi = -100.0;
        int64_t from = -1;
        for (int64_t f = c.frame[k]; f < end && f < n; f++) {
            float ref = b.x[2 * f] - b.x[2 * f + 1];
            if (!in[f] || fabsf(ref) < 1e-4f)
                continue;
            double db = 20.0 * log10(fabs((a.x[2 * f] - a.x[2 * f + 1]) / ref));
            clo = fmin(clo, db);
            chi = fmax(chi, db);
            if (from < 0)
                from = f;
        }
        if (from < 0)
            continue;
        under++;
        first_sample += from == c.frame[k];
        lo = fmin(lo, clo);
        hi = fmax(hi, chi);
        if ((clo < -10.5 || chi > -9.5) && off++ < 5)
            fprintf(stderr, "  click at %.4f s (under speech from %.4f s): %.2f to %.2f dB\n",
                    (double)c.frame[k] / RATE, (double)from / RATE, clo, chi);
    }
    CHECK(phrases >= 6 && under >= 10 && first_sample >= 4,
          "keys start speech over clicks: %zu phrases, %zu clicks sounding under them, %zu from "
          "their first sample",
          phrases, under, first_sample);
    CHECK(off == 0 && lo >= -10.5 && hi <= -9.5,
          "every click sounding under key-started speech ducked by -10 +-0.5 dB, sample by "
          "sample: %zu of %zu outside, from %.2f to %.2f dB",
          off, under, lo, hi);
    printf("ducking under keys: %zu clicks under %zu phrases started by keys or a skip (%zu from "
           "their first sample), ducked by %.2f to %.2f dB (want -10 +-0.5)\n",
           under, phrases, first_sample, lo, hi);
    onsets_free(&c);
    free(in);
    engine_run_finish(&a);
    engine_run_finish(&b);
}

/* A spoken clip keeps 30 ms before its first sound (sounds/make-sounds.sh:
 * TRIM_MARGIN), so that no consonant is cut, and that first sound can be
 * quieter than the onset threshold: speech is found within this much after
 * its clip starts. */
#define SPEECH_LEAD 0.045

/* Each spoken onset lies within SPEECH_LEAD after its planned time. */
static void expect_speech(const struct onsets *o, const double *at, size_t n, const char *what)
{
    CHECK(o->n == n, "%s: %zu phrases spoken, want %zu", what, o->n, n);
    double worst = 0.0;
    for (size_t i = 0; i < n && i < o->n; i++) {
        double d = (double)(o->frame[i] - SEC(at[i])) / RATE;
        worst = fmax(worst, fabs(d));
        CHECK(d >= 0.0 && d < SPEECH_LEAD, "%s: phrase %zu at %.4f s, planned %.4f s", what, i,
              (double)o->frame[i] / RATE, at[i]);
    }
    printf("%s: %zu phrases, each within %.1f ms of its planned time\n", what, n, worst * 1000.0);
}

static void test_counts(void)
{
    struct engine_run s;
    engine_run_start(
        &s, dir,
        "guidance = { lengths = false; transitions = false; closing = false; };\n"
        "steps = ( { type = \"paced\"; tempo = 60.0; beats = 20; sounds = [ \"imp\" ];\n"
        "  pan = -1.0; lead_in = 4.0; } );\n",
        1.0);
    engine_run_to(&s, SEC(26.0));
    struct onsets o = find(&s, 1, 0.01f);
    /* three, two, one a beat apart into beat 0 at 4.1 s; halfway at beat 10;
     * last five at beat 15 (20 beats is too few for "ten more"). */
    const double at[] = {1.1, 2.1, 3.1, 4.1 + 10.0, 4.1 + 15.0};
    expect_speech(&o, at, 5, "countdown, halfway, last five");
    onsets_free(&o);
    engine_run_finish(&s);

    engine_run_start(&s, dir,
                     "guidance = { lengths = false; closing = false; };\n"
                     "steps = ( { type = \"hold\"; seconds = 8.0; lead_in = 0.0; },\n"
                     "          { type = \"hold\"; seconds = 8.0; lead_in = 0.0; } );\n",
                     1.0);
    engine_run_to(&s, SEC(20.0));
    o = find(&s, 1, 0.01f);
    const double hold[] = {5.1, 6.1, 7.1, 8.1, 13.1, 14.1, 15.1, 16.1};
    expect_speech(&o, hold, 8, "holds: countdown, switch legs, countdown, relax");
    onsets_free(&o);
    engine_run_finish(&s);
}

static void test_pause(void)
{
    struct engine_run s;
    char body[1024];
    snprintf(body, sizeof body,
             "%s steps = ( { type = \"paced\"; tempo = 120.0; seconds = 10.0;\n"
             "  sounds = [ \"imp\" ]; pan = -1.0; lead_in = 0.0; } );\n",
             engine_run_quiet);
    engine_run_start(&s, dir, body, 1.0);
    engine_run_to(&s, SEC(2.0));
    engine_run_send(&s, CONTROL_PAUSE, 0, NULL);
    engine_run_to(&s, SEC(5.0));
    engine_run_send(&s, CONTROL_PAUSE, 0, NULL);
    engine_run_to(&s, SEC(9.0));
    struct onsets c = find(&s, 0, 0.05f);
    /* Beats 0-3 before the pause; then nothing until the resume at 5.0 s:
     * "go", which (0.6 s) is longer than a beat at 120 bpm, so the count-in
     * click comes two beats later, once it has ended, and the beat one beat
     * after that. */
    const double want[] = {0.1, 0.6, 1.1, 1.6, 6.5, 7.0, 7.5, 8.0, 8.5};
    int ok = c.n == 9;
    for (size_t i = 0; ok && i < 9; i++)
        ok = c.frame[i] == SEC(want[i]);
    CHECK(ok, "pause: beats at 0.1..1.6 s, silence, then from 6.5 s every 0.5 s (%zu onsets)", c.n);
    struct onsets v = find(&s, 1, 0.01f);
    /* "paused" and "go" a duck ramp after their keys (2.0, 5.0); the
     * count-in click at 6.0 is centred, an onset of its own after "go" has
     * ended. */
    char why[512];
    int go = clip_bank_load(s.bank, "go", why, sizeof why);
    int64_t go_at = SEC(5.0) + KEY_LEAD, paused_at = SEC(2.0) + KEY_LEAD;
    int64_t go_end = go_at + (go >= 0 ? clip_bank_get(s.bank, go)->frames : 0);
    CHECK(v.n == 3 && v.frame[0] >= paused_at && v.frame[0] - paused_at < SEC(SPEECH_LEAD) &&
              v.frame[1] >= go_at && v.frame[1] - go_at < SEC(SPEECH_LEAD) &&
              v.frame[2] == SEC(6.0) && go_end <= SEC(6.0),
          "pause: 'paused' at 2.02 s, 'go' at 5.02 s and over by %.3f s, count-in at 6.0 s (%zu "
          "onsets)",
          (double)go_end / RATE, v.n);
    printf("pause: silence while paused, 'paused' and 'go' spoken, a count-in and the beat back "
           "on time\n");
    onsets_free(&c);
    onsets_free(&v);
    engine_run_finish(&s);
}

static void test_tempo_and_reload(void)
{
    struct engine_run s;
    char body[1024];
    snprintf(body, sizeof body,
             "%s steps = ( { type = \"paced\"; tempo = 100.0; seconds = 20.0;\n"
             "  sounds = [ \"imp\" ]; pan = -1.0; lead_in = 0.0; } );\n",
             engine_run_quiet);
    engine_run_start(&s, dir, body, 1.0);
    engine_run_to(&s, 100000); /* beats 0-3 sounded, beat 4 (120000) already planned */
    engine_run_send(&s, CONTROL_TEMPO, 1.05, NULL);
    engine_run_to(&s, SEC(8.0));
    struct onsets c = find(&s, 0, 0.05f);
    int ok = c.n >= 10;
    for (size_t k = 0; ok && k < c.n; k++) {
        double t = k <= 4 ? 0.1 + 0.6 * (double)k : 0.1 + (4.0 + (double)(k - 4) / 1.05) * 0.6;
        ok = c.frame[k] == SEC(t);
    }
    double before = (double)(c.frame[4] - c.frame[3]), after = (double)(c.frame[9] - c.frame[8]);
    CHECK(ok, "tempo +5%%: every later beat on the closed form's sample");
    CHECK(fabs(after / before - 1.0 / 1.05) < 1e-4, "interval %.0f -> %.0f frames, ratio %.5f", before,
          after, after / before);
    printf("tempo +5%%: intervals %.0f -> %.0f frames (x%.5f), from the beat after the next\n",
           before, after, after / before);
    onsets_free(&c);

    /* A saved edit: 100 -> 150 bpm; the beat count goes on, the next beat
     * keeps its place, the ones after follow the new tempo. */
    engine_run_finish(&s);
    engine_run_start(&s, dir, body, 1.0);
    engine_run_to(&s, 100000);
    snprintf(body, sizeof body,
             "%s steps = ( { type = \"paced\"; tempo = 150.0; seconds = 20.0;\n"
             "  sounds = [ \"imp\" ]; pan = -1.0; lead_in = 0.0; } );\n",
             engine_run_quiet);
    engine_run_reload(&s, body);
    engine_run_to(&s, SEC(5.0));
    struct engine_status st;
    engine_status(s.engine, &st);
    engine_collect(s.engine);
    c = find(&s, 0, 0.05f);
    ok = c.n >= 8 && st.reloads == 1;
    for (size_t k = 0; ok && k < c.n; k++) {
        double t = k <= 4 ? 0.1 + 0.6 * (double)k : 0.1 + 2.4 + 0.4 * (double)(k - 4);
        ok = c.frame[k] == SEC(t);
    }
    CHECK(ok, "reload: beats 0-4 at 0.6 s, then every 0.4 s, the count going on (%zu onsets, %d "
              "reloads, step %d beat %d)",
          c.n, st.reloads, st.step, st.beat);
    printf("reload 100 -> 150 bpm: beat %d of the same step, later beats 0.4 s apart\n", st.beat);
    onsets_free(&c);
    engine_run_send(&s, CONTROL_ALERT, 0, NULL);
    int64_t alert_at = s.n;
    engine_run_to(&s, s.n + SEC(1.0));
    struct onsets v = find(&s, 1, 0.01f);
    alert_at += KEY_LEAD;
    CHECK(v.n >= 1 && v.frame[v.n - 1] >= alert_at && v.frame[v.n - 1] < alert_at + SEC(SPEECH_LEAD),
          "a refused edit is spoken a duck ramp (%.1f ms) after it", 1000.0 * KEY_LEAD / RATE);
    printf("a refused edit: 'config error' spoken %.1f ms after it, the beat going on\n",
           1000.0 * KEY_LEAD / RATE);
    onsets_free(&v);
    engine_run_finish(&s);
}

static void test_scale_from_start(void)
{
    struct engine_run s;
    char body[1024];
    snprintf(body, sizeof body,
             "%s steps = ( { type = \"paced\"; tempo = 60.0; beats = 4; sounds = [ \"imp\" ];\n"
             "  pan = -1.0; lead_in = 0.0; },\n"
             "  { type = \"paced\"; tempo = 60.0; beats = 4; sounds = [ \"imp\" ];\n"
             "  pan = -1.0; lead_in = 0.0; } );\n",
             engine_run_quiet);
    engine_run_start(&s, dir, body, 2.0);
    engine_run_to(&s, SEC(6.0));
    struct onsets c = find(&s, 0, 0.05f);
    /* Both steps at 120 bpm: 4 beats each half a second apart. */
    int ok = c.n == 8;
    for (size_t k = 0; ok && k < 8; k++)
        ok = c.frame[k] == SEC(0.1 + 0.5 * (double)k);
    CHECK(ok, "a tempo scale of 2 from the start doubles the first step too (%zu onsets)", c.n);
    printf("tempo scale from the personal config: every step, the first included\n");
    onsets_free(&c);
    engine_run_finish(&s);
}

static void test_jumps(void)
{
    struct engine_run s;
    char body[1024];
    snprintf(body, sizeof body,
             "%s steps = ( { type = \"paced\"; tempo = 120.0; seconds = 10.0;\n"
             "  sounds = [ \"imp\" ]; pan = -1.0; lead_in = 0.0; },\n"
             "  { type = \"rest\"; cue = \"tone\"; seconds = 3.0; } );\n",
             engine_run_quiet);
    engine_run_start(&s, dir, body, 1.0);
    engine_run_to(&s, SEC(2.0));
    engine_run_send(&s, CONTROL_BACK, 0, NULL);
    engine_run_to(&s, SEC(4.0));
    engine_run_send(&s, CONTROL_NEXT, 0, NULL);
    engine_run_to(&s, SEC(8.0));
    struct onsets c = find(&s, 0, 0.05f);
    /* 0.1..1.6; back at 2.0: the step again from 2.3; next at 4.0: the rest's
     * cue at 4.3 and no more beats. */
    const double want[] = {0.1, 0.6, 1.1, 1.6, 2.3, 2.8, 3.3, 3.8};
    int ok = c.n == 8;
    for (size_t i = 0; ok && i < 8; i++)
        ok = c.frame[i] == SEC(want[i]);
    CHECK(ok, "back: the step starts again 0.3 s later; next: no more beats (%zu onsets)", c.n);
    struct onsets v = find(&s, 1, 0.05f);
    CHECK(v.n == 1 && v.frame[0] == SEC(4.3), "next: the rest's cue at 4.3 s (%zu onsets, first "
                                              "%lld)",
          v.n, v.n ? (long long)v.frame[0] : -1LL);
    printf("back and next: the step restarts, the next one begins, each 0.3 s after the key\n");
    onsets_free(&c);
    onsets_free(&v);
    engine_run_finish(&s);
}

static void write_tone(const char *path)
{
    SF_INFO info = {.samplerate = RATE, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    int n = (int)(1.2 * RATE);
    float *x = malloc((size_t)n * sizeof *x);
    for (int i = 0; i < n; i++)
        x[i] = 0.3f * (float)cos(2.0 * M_PI * 440.0 * i / RATE);
    sf_writef_float(f, x, n);
    sf_close(f);
    free(x);
}

int main(void)
{
    char path[512];
    tmp_dir(dir, sizeof dir, "guidance");
    snprintf(path, sizeof path, "%s/imp.wav", dir);
    write_click(path, RATE, 0.8f, 96);
    snprintf(path, sizeof path, "%s/tone.wav", dir);
    write_tone(path);
    snprintf(path, sizeof path, "%s/soft.wav", dir);
    write_click(path, RATE, 0.4f, 96);
    snprintf(path, sizeof path, "%s/long.wav", dir);
    write_click(path, RATE, 0.2f, 2400);
    test_duck_ahead();
    test_duck_keys();
    test_cue_and_ducking();
    test_counts();
    test_pause();
    test_tempo_and_reload();
    test_jumps();
    test_scale_from_start();
    tmp_cleanup(dir);
    return CHECK_DONE("test_guidance");
}
