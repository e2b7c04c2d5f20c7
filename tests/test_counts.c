/* What the guidance counts, heard in rendered sessions with the shipped
 * voice: "halfway", "ten more", "last five" and count_aloud count movements
 * (a turn of the sounds cycle: heel up and heel down are one raise) unless a
 * step says count = "beats", and each starts on a movement's first beat.
 * Clicks are panned hard left and speech sits in the centre, so the right
 * channel holds speech alone and left minus right the clicks alone. */
#include "check.h"
#include "clips.h"
#include "engine.h"
#include "mixer.h"
#include "onset.h"
#include "render_util.h"
#include "routine.h"
#include "setup.h"
#include "timeline_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000
#define SEC(x) ((int64_t)llround((x) * RATE))
/* A shipped clip keeps 30 ms before its first sound, and a soft consonant
 * may stay under the threshold a little longer. */
#define SPEECH_LEAD 0.045

static char dir[256];

struct session {
    struct clip_bank *bank;
    struct engine *engine;
    float *x; /* interleaved stereo */
    int64_t n;
};

static struct routine *parse(const char *body)
{
    char path[512], text[4096], err[2048];
    snprintf(path, sizeof path, "%s/c.cfg", dir);
    snprintf(text, sizeof text,
             "name = \"c\";\nsounds_dir = \".\";\nvolume = { clicks = 0.0; voice = 0.0; };\n%s",
             body);
    struct routine *r = routine_parse(text, path, err, sizeof err);
    CHECK(r != NULL, "routine: %s", err);
    if (!r)
        exit(1);
    return r;
}

/* Renders the whole session of BODY in LANG in blocks of 512 frames; check's
 * warnings for it go to WARN (when not NULL). */
static void render_in(struct session *s, const char *body, const char *lang, FILE *warn)
{
    char err[2048];
    memset(s, 0, sizeof *s);
    struct routine *r = parse(body);
    s->bank = clip_bank_create(RATE);
    setup_add_dirs(s->bank, r, NULL, lang);
    struct engine_plan *p = engine_plan_create(r, s->bank, 1, err, sizeof err);
    CHECK(p != NULL, "plan: %s", err);
    if (!p)
        exit(1);
    if (warn)
        engine_plan_warn(p, warn);
    s->engine = engine_create(p, 1.0);
    int64_t cap = 0;
    for (;;) {
        if (s->n + 512 > cap) {
            cap = (cap ? cap * 2 : RATE * 16) + 512;
            s->x = realloc(s->x, (size_t)cap * 2 * sizeof *s->x);
        }
        int got = engine_render(s->engine, s->x + 2 * s->n, 512);
        s->n += got;
        if (got < 512)
            break;
    }
}

static void render(struct session *s, const char *body)
{
    render_in(s, body, "en", NULL);
}

static void finish(struct session *s)
{
    engine_destroy(s->engine);
    clip_bank_destroy(s->bank);
    free(s->x);
}

/* Onsets of the clicks (left - right) or of the speech (right). */
static struct onsets find(const struct session *s, int speech)
{
    float *y = malloc((size_t)s->n * sizeof *y);
    for (int64_t f = 0; f < s->n; f++)
        y[f] = speech ? s->x[2 * f + 1] : s->x[2 * f] - s->x[2 * f + 1];
    struct onsets o = {0};
    struct onset_state st = {0};
    onset_scan(&o, &st, y, s->n, 1, 0, 0, 0.01f, speech ? SEC(0.2) : SEC(0.01));
    free(y);
    return o;
}

/* The beat (index into CLICKS) a phrase starting at FRAME starts on, or -1
 * when it starts on none. */
static int beat_of(const struct onsets *clicks, int64_t frame)
{
    for (size_t k = 0; k < clicks->n; k++)
        if (frame >= clicks->frame[k] && frame - clicks->frame[k] < SEC(SPEECH_LEAD))
            return (int)k;
    return -1;
}

/* Renders BODY; the beats its spoken calls start on must be WANT. */
static void expect_calls(const char *body, int beats, const int *want, int n, const char *what)
{
    struct session s;
    render(&s, body);
    struct onsets clicks = find(&s, 0), speech = find(&s, 1);
    CHECK((int)clicks.n == beats, "%s: %zu clicks, want %d", what, clicks.n, beats);
    char got[256] = "";
    int ok = (int)speech.n == n;
    for (size_t i = 0; i < speech.n; i++) {
        int b = beat_of(&clicks, speech.frame[i]);
        size_t len = strlen(got);
        snprintf(got + len, sizeof got - len, " %d", b);
        ok = ok && i < (size_t)n && b == want[i];
    }
    char exp[256] = "";
    for (int i = 0; i < n; i++) {
        size_t len = strlen(exp);
        snprintf(exp + len, sizeof exp - len, " %d", want[i]);
    }
    CHECK(ok, "%s: spoken on beats%s, want%s", what, got, exp);
    printf("%s: spoken on beats%s\n", what, got);
    onsets_free(&clicks);
    onsets_free(&speech);
    finish(&s);
}

#define QUIET "guidance = { lengths = false; countdown = false; closing = false; };\n"
/* One paced step, panned left, with no lead-in: its TEMPO, its LENGTH
 * ("beats = N" or "seconds = S"), its SOUNDS and any EXTRA settings. */
#define PACED(tempo, length, sounds, extra)                                                        \
    QUIET "steps = ( { type = \"paced\"; tempo = " tempo "; " length "; lead_in = 0.0;\n"          \
          "  sounds = [ " sounds " ]; pan = -1.0; " extra "} );\n"
#define UP_DOWN "\"up\", \"down\""

static void test_movements(void)
{
    /* 81 beats of heel raises: 41 raises begun, the last one a heel up
     * alone.  Counted in raises: halfway on raise 20 (beat 40), ten more on
     * raise 31 (beat 62), last five on raise 36 (beat 72): every one on a
     * heel up, an even beat. */
    const int raises[] = {40, 62, 72};
    expect_calls(PACED("120.0", "beats = 81", UP_DOWN, ""), 81, raises, 3,
                 "heel raises, counted by default in raises");
    /* The same step counting beats says them where it always did. */
    const int beats[] = {40, 71, 76};
    expect_calls(PACED("120.0", "beats = 81", UP_DOWN, "count = \"beats\"; "), 81, beats, 3,
                 "heel raises with count = \"beats\"");
    /* One sound: every beat is a movement (a tap). */
    const int taps[] = {20, 30, 35};
    expect_calls(PACED("120.0", "beats = 40", "\"up\"", ""), 40, taps, 3,
                 "taps, one sound: a beat is a movement");
    /* Seconds: 60 s from 60 to 72 bpm hold 66 beats, 33 raises: halfway on
     * raise 16 (beat 32), ten more on raise 23 (46), last five on 28 (56). */
    const int ramp[] = {32, 46, 56};
    expect_calls(PACED("{ from = 60.0; to = 72.0; }", "seconds = 60.0", UP_DOWN, ""), 66, ramp, 3,
                 "a rising ramp in seconds, counted in raises");
}

/* Renders BODY without voice: its clicks must be WANT, the last a heel down
 * (as loud as the second click, the first heel down, and not as the first). */
static void expect_ends_down(const char *body, int want, const char *what)
{
    char text[1024];
    snprintf(text, sizeof text,
             "guidance = { voice = false; };\nsteps = ( { type = \"paced\"; lead_in = 0.0;\n"
             "  sounds = [ \"up\", \"down\" ]; pan = -1.0; %s } );\n",
             body);
    struct session s;
    render(&s, text);
    struct onsets clicks = find(&s, 0);
    int n = (int)clicks.n;
    float up = n > 0 ? clicks.peak[0] : 0.0f, down = n > 1 ? clicks.peak[1] : 0.0f;
    float last = n > 0 ? clicks.peak[n - 1] : 0.0f;
    int last_down = n > 1 && fabsf(last - down) < 0.01f * down && fabsf(last - up) > 0.1f * up;
    CHECK(n == want && last_down,
          "%s: %d clicks (want %d), the last one %s (peak %.3f; heel up %.3f, heel down %.3f)",
          what, n, want, last_down ? "a heel down" : "NOT a heel down", (double)last, (double)up,
          (double)down);
    printf("%s: %d clicks, the last a heel %s\n", what, n, last_down ? "down" : "up");
    onsets_free(&clicks);
    finish(&s);
}

/* A step given in seconds ends on a whole raise: 60.5 s from 60 to 72 bpm
 * hold 66.55 beats, so 67 beats start before S, the last a heel up alone;
 * 66 (33 raises) are nearer to 66.55 than 68.  21 s at 60 bpm hold exactly
 * 21 beats: 20 and 22 are as near, and the raise begun is completed.
 * 9.8 s at 150 bpm: 24.5 beats, 25 begun, 24 kept. */
static void test_whole_movements(void)
{
    expect_ends_down("tempo = { from = 60.0; to = 72.0; }; seconds = 60.5;", 66,
                     "60.5 s of raises, 60-72 bpm");
    expect_ends_down("tempo = 60.0; seconds = 21.0;", 22, "21 s of raises at 60 bpm");
    expect_ends_down("tempo = 150.0; seconds = 9.8;", 24, "9.8 s of raises at 150 bpm");
}

static void test_count_aloud(void)
{
    /* Counted aloud: a number on each raise's first beat, or on every beat. */
    const int raises[] = {0, 2, 4, 6};
    expect_calls(PACED("60.0", "beats = 8", UP_DOWN, "count_aloud = true; "), 8, raises, 4,
                 "count_aloud in raises");
    const int beats[] = {0, 1, 2, 3, 4, 5, 6, 7};
    expect_calls(PACED("60.0", "beats = 8", UP_DOWN, "count_aloud = true; count = \"beats\"; "), 8,
                 beats, 8, "count_aloud with count = \"beats\"");
}

/* The first frame in [FROM, TO) at which the right channel holds clip C
 * sample for sample (nothing else sounding over any of it), or -1.  Speech
 * is centred and played at 0 dB here, and never ducked. */
static int64_t find_clip(const struct session *s, const struct clip *c, int64_t from, int64_t to)
{
    float l, r;
    mixer_pan_gains(0.0f, &l, &r);
    float g = r / MIXER_SAMPLE_MAX;
    int64_t peak = 0;
    for (int64_t i = 0; i < c->frames; i++)
        if (abs(c->data[i]) > abs(c->data[peak]))
            peak = i;
    for (int64_t f = from < 0 ? 0 : from; f < to && f + c->frames <= s->n; f++) {
        if (fabsf(s->x[2 * (f + peak) + 1] - g * c->data[peak]) > 1e-4f)
            continue;
        int64_t i = 0;
        while (i < c->frames && fabsf(s->x[2 * (f + i) + 1] - g * c->data[i]) <= 1e-4f)
            i++;
        if (i == c->frames)
            return f;
    }
    return -1;
}

/* A count-in, heard: "three", "two" and "one" each whole in the render (so
 * nothing overlaps any of them), in that order, each clip over before the
 * next starts, and "one" over before the step's first beat; check warns of
 * nothing. */
static void expect_count_in(const char *lang, const char *body, const char *what)
{
    struct session s;
    char *warned = NULL;
    size_t wlen = 0;
    FILE *w = open_memstream(&warned, &wlen);
    render_in(&s, body, lang, w);
    fclose(w);
    struct onsets clicks = find(&s, 0);
    int64_t beat = clicks.n ? clicks.frame[0] : s.n;
    int64_t at[3] = {-1, -1, -1}, end[3] = {0, 0, 0};
    char got[256] = "";
    for (int n = 3; n >= 1; n--) {
        char name[8], why[1536];
        snprintf(name, sizeof name, "n%d", n);
        int idx = clip_bank_load(s.bank, name, why, sizeof why);
        CHECK(idx >= 0, "%s: %s", name, why);
        if (idx < 0)
            continue;
        const struct clip *c = clip_bank_get(s.bank, idx);
        at[3 - n] = find_clip(&s, c, beat - SEC(10.0), beat);
        end[3 - n] = at[3 - n] + c->frames;
        size_t len = strlen(got);
        if (at[3 - n] >= 0)
            snprintf(got + len, sizeof got - len, " \"%s\" %.3f-%.3f s", name + 1,
                     (double)(at[3 - n] - beat) / RATE, (double)(end[3 - n] - beat) / RATE);
        else
            snprintf(got + len, sizeof got - len, " \"%s\" missing or overlapped", name + 1);
    }
    int whole = at[0] >= 0 && at[1] >= 0 && at[2] >= 0;
    CHECK(whole, "%s: every count-in number whole in the render:%s", what, got);
    CHECK(!whole || (end[0] <= at[1] && end[1] <= at[2]),
          "%s: each number over before the next:%s", what, got);
    CHECK(!whole || end[2] <= beat, "%s: \"one\" over before the first beat:%s", what, got);
    CHECK(wlen == 0, "%s: check warns: %s", what, warned);
    printf("%s (%s): relative to the first beat,%s\n", what, lang, got);
    free(warned);
    onsets_free(&clicks);
    finish(&s);
}

static void test_count_in(void)
{
    const char *head = "guidance = { halfway = false; remaining = false; closing = false; };\n";
    char body[1024];
    static const struct {
        double from, to;
        const char *step;
    } cases[] = {
        {30.0, 30.0, "cue = \"heel-raises\"; sounds = [ \"up\", \"down\" ];"},
        {60.0, 60.0, "cue = \"heel-raises\"; sounds = [ \"up\", \"down\" ];"},
        {120.0, 120.0, "cue = \"heel-raises\"; sounds = [ \"up\", \"down\" ];"},
        {150.0, 220.0, "cue = \"tapping\"; sounds = [ \"up\" ];"},
        {220.0, 220.0, "cue = \"tapping\"; sounds = [ \"up\" ];"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(body, sizeof body,
                 "%ssteps = ( { type = \"paced\"; %s tempo = { from = %g; to = %g; };\n"
                 "  seconds = 8.0; lead_in = 9.0; pan = -1.0; } );\n",
                 head, cases[i].step, cases[i].from, cases[i].to);
        char what[64];
        snprintf(what, sizeof what, "count-in at %g bpm", cases[i].from);
        expect_count_in("en", body, what);
        if (i == 0 || i == 4)
            expect_count_in("de", body, what);
    }
}

/* The shipped routines leave room for every announcement and count-in, in
 * both languages: check warns of nothing. */
static void test_shipped(void)
{
    const char *src = getenv("CALFPACE_SOURCE");
    static const char *const names[] = {"calf-pump", "quick"};
    static const char *const langs[] = {"en", "de"};
    for (size_t i = 0; src && i < 2; i++) {
        for (size_t l = 0; l < 2; l++) {
            char path[1024], err[2048];
            snprintf(path, sizeof path, "%s/config/%s.cfg", src, names[i]);
            struct routine *r = routine_load(path, err, sizeof err);
            CHECK(r != NULL, "%s: %s", path, err);
            if (!r)
                continue;
            struct clip_bank *bank = clip_bank_create(r->rate);
            setup_add_dirs(bank, r, NULL, langs[l]);
            struct engine_plan *p = engine_plan_create(r, bank, 1, err, sizeof err);
            CHECK(p != NULL, "%s: %s", path, err);
            if (!p) {
                routine_destroy(r);
                clip_bank_destroy(bank);
                continue;
            }
            char *text = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&text, &len);
            engine_plan_warn(p, f);
            fclose(f);
            CHECK(len == 0, "%s.cfg in %s: check warns:\n%s", names[i], langs[l], text);
            printf("%s.cfg in %s: no warning\n", names[i], langs[l]);
            free(text);
            engine_plan_destroy(p);
            clip_bank_destroy(bank);
        }
    }
    CHECK(src != NULL, "CALFPACE_SOURCE names the source tree");
}

/* check's plan says what a step counts; a wrong value is refused at its line. */
static void test_check_and_errors(void)
{
    struct routine *r = parse("steps = (\n"
                              "  { type = \"paced\"; tempo = 60.0; beats = 81;\n"
                              "    sounds = [ \"up\", \"down\" ]; },\n"
                              "  { type = \"paced\"; tempo = 60.0; beats = 81;\n"
                              "    sounds = [ \"up\", \"down\" ]; count = \"beats\"; } );\n");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    timeline_print(f, r);
    fclose(f);
    const char *first = strstr(text, "[41 movements of 2 beats]");
    CHECK(first != NULL && strstr(first + 10, "movements") == NULL,
          "check shows the raises of the step that counts them, and only that:\n%s", text);
    printf("check: \"[41 movements of 2 beats]\" for the step counting raises\n");
    free(text);
    routine_destroy(r);

    /* Beats given are played as written; check warns when they end inside a
     * movement (the first step), not when the step counts beats (the second). */
    struct session s;
    FILE *w = open_memstream(&text, &len);
    render_in(&s,
              "guidance = { voice = false; };\nsteps = (\n"
              "  { type = \"paced\"; tempo = 60.0; beats = 81;\n"
              "    sounds = [ \"up\", \"down\" ]; },\n"
              "  { type = \"paced\"; tempo = 60.0; beats = 81;\n"
              "    sounds = [ \"up\", \"down\" ]; count = \"beats\"; } );\n",
              "en", w);
    fclose(w);
    CHECK(strstr(text, "c.cfg:6: warning: step 1 has 81 beats, 40 movements of 2 beats and 1 "
                       "beat more: it ends inside a movement (80 or 82 beats end on a whole one)") &&
              !strstr(text, "step 2"),
          "check warns of 81 beats of raises, once:\n%s", text);
    printf("check: %s", text);
    free(text);
    finish(&s);

    char path[512], err[2048];
    snprintf(path, sizeof path, "%s/bad.cfg", dir);
    struct routine *bad = routine_parse("steps = (\n  { type = \"paced\"; tempo = 60.0; beats = 8;\n"
                                        "    count = \"reps\"; } );\n",
                                        path, err, sizeof err);
    CHECK(bad == NULL && strstr(err, "bad.cfg:3: unknown count \"reps\" (allowed: \"movements\", "
                                     "\"beats\")") != NULL,
          "a wrong count is refused at its line: %s", err);
    bad = routine_parse("steps = ( { type = \"hold\"; seconds = 8; count = \"beats\"; } );\n", path,
                        err, sizeof err);
    CHECK(bad == NULL && strstr(err, "unknown setting 'count' in a hold step") != NULL,
          "count belongs to paced steps: %s", err);
    printf("errors: %s\n", err);
}

int main(void)
{
    char path[512];
    tmp_dir(dir, sizeof dir, "counts");
    snprintf(path, sizeof path, "%s/up.wav", dir);
    write_click(path, RATE, 0.8f, 96);
    snprintf(path, sizeof path, "%s/down.wav", dir);
    write_click(path, RATE, 0.6f, 96);
    test_movements();
    test_whole_movements();
    test_count_aloud();
    test_check_and_errors();
    test_count_in();
    test_shipped();
    tmp_cleanup(dir);
    return CHECK_DONE("test_counts");
}
