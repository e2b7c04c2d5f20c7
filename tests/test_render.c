/* Render tests: calfpace renders a routine to a file; the clicks found in
 * that file must start on exactly the samples the routine's tempo math says,
 * on the channel its pan says, with the sound its cycle says. */
#include "check.h"
#include "onset.h"
#include "render_util.h"
#include "routine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define THRESHOLD 0.02f

struct rendered {
    float *x;
    int64_t frames;
    int channels, rate;
    struct onsets on[2];
};

static int render_and_scan(const char *routine, const char *out, const char *extra,
                           struct rendered *r)
{
    char args[2048];
    snprintf(args, sizeof args, "render '%s' -o '%s' --quiet %s", routine, out, extra);
    int rc = run_calfpace(args);
    CHECK(rc == 0, "calfpace %s exits 0, got %d", args, rc);
    if (rc)
        return -1;
    memset(r, 0, sizeof *r);
    r->frames = onset_read_file(out, &r->x, &r->channels, &r->rate);
    CHECK(r->frames > 0 && r->channels == 2, "%s is a stereo sound file", out);
    if (r->frames <= 0)
        return -1;
    for (int c = 0; c < 2; c++) {
        struct onset_state st = {0};
        onset_scan(&r->on[c], &st, r->x, r->frames, 2, c, 0, THRESHOLD,
                   (int64_t)(0.010 * r->rate));
    }
    return 0;
}

static void free_rendered(struct rendered *r)
{
    free(r->x);
    onsets_free(&r->on[0]);
    onsets_free(&r->on[1]);
}

/* Every expected beat is an onset on the channels its pan reaches, exactly;
 * no onset is left unexplained.  Returns the number of exact matches. */
static size_t match_beats(const struct rendered *r, const struct expected_beat *e, size_t n,
                          const char *what)
{
    size_t idx[2] = {0, 0}, exact = 0;
    int64_t worst = 0;
    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < 2; c++) {
            int reaches = c == 0 ? e[i].pan < 1.0 : e[i].pan > -1.0;
            const struct onsets *o = &r->on[c];
            if (!reaches) {
                /* A hard-panned beat leaves the other side silent. */
                CHECK(fabsf(r->x[e[i].frame * 2 + c]) < 1e-4f, "%s beat %zu: silent on channel %d",
                      what, i, c);
                continue;
            }
            if (idx[c] >= o->n) {
                CHECK(0, "%s: beat %zu (frame %lld) missing on channel %d", what, i,
                      (long long)e[i].frame, c);
                continue;
            }
            int64_t d = o->frame[idx[c]] - e[i].frame;
            if (llabs(d) > worst)
                worst = llabs(d);
            CHECK(d == 0, "%s: beat %zu of step %d heard at %lld, planned %lld (channel %d)", what,
                  i, e[i].step, (long long)o->frame[idx[c]], (long long)e[i].frame, c);
            if (d == 0 && c == (e[i].pan > 0.0 ? 1 : 0))
                exact++;
            idx[c]++;
        }
    }
    for (int c = 0; c < 2; c++)
        CHECK(idx[c] == r->on[c].n, "%s: channel %d has %zu onsets, %zu expected", what, c,
              r->on[c].n, idx[c]);
    printf("%s: %zu beats, %zu on their planned sample, worst offset %lld samples\n", what, n,
           exact, (long long)worst);
    return exact;
}

static struct routine *load(const char *path)
{
    char err[1024];
    struct routine *r = routine_load(path, err, sizeof err);
    CHECK(r != NULL, "%s loads: %s", path, err);
    return r;
}

static void test_tapping(const char *dir)
{
    char cfg[512], out[512];
    snprintf(cfg, sizeof cfg, "%s/tapping.cfg", dir);
    snprintf(out, sizeof out, "%s/tapping.wav", dir);
    write_text(cfg, "name = \"Tapping\";\n"
                    "sounds_dir = \".\";\n"
                    "steps = ( { type = \"paced\"; name = \"Tapping\";\n"
                    "  tempo = { from = 80.0; to = 160.0; }; seconds = 30.0;\n"
                    "  sounds = [ \"imp\" ]; pan = [ -1.0, 1.0 ]; lead_in = 1.0; } );\n");
    struct routine *r = load(cfg);
    struct rendered rr;
    if (!r || render_and_scan(cfg, out, "--no-voice", &rr))
        return;
    struct expected_beat *e;
    size_t n = expected_beats(r, &e);
    CHECK(n == 60, "30 s from 80 to 160 bpm: 60 beats, planned %zu", n);
    size_t exact = match_beats(&rr, e, n, "accelerating tapping, left/right");
    CHECK(exact == n, "all %zu beats exact", n);
    CHECK(rr.on[0].n == 30 && rr.on[1].n == 30, "30 left, 30 right: %zu %zu", rr.on[0].n,
          rr.on[1].n);
    /* The intervals shrink as the tempo rises. */
    CHECK(e[1].frame - e[0].frame > e[n - 1].frame - e[n - 2].frame + 8000,
          "first interval %lld longer than the last %lld", (long long)(e[1].frame - e[0].frame),
          (long long)(e[n - 1].frame - e[n - 2].frame));
    free(e);
    free_rendered(&rr);
    routine_destroy(r);
}

static void test_steps_and_sounds(const char *dir)
{
    char cfg[512], out[512];
    snprintf(cfg, sizeof cfg, "%s/heels.cfg", dir);
    snprintf(out, sizeof out, "%s/heels.flac", dir);
    write_text(cfg, "name = \"Heels\";\n"
                    "sounds_dir = \".\";\n"
                    "rate = 44100;\n"
                    "repeat = 2;\n"
                    "volume = { clicks = 0.0; };\n"
                    "steps = (\n"
                    "  { type = \"paced\"; tempo = 60.0; beats = 20; sounds = [ \"hi\", \"lo\" ]; },\n"
                    "  { type = \"rest\"; seconds = 2.0; },\n"
                    "  { type = \"hold\"; seconds = 2.5; lead_in = 0.5; },\n"
                    "  { type = \"paced\"; tempo = { from = 100.0; to = 60.0; }; beats = 30;\n"
                    "    lead_in = 0.25; pan = 0.5; }\n"
                    ");\n");
    struct routine *r = load(cfg);
    struct rendered rr;
    if (!r || render_and_scan(cfg, out, "--no-voice", &rr))
        return;
    struct expected_beat *e;
    size_t n = expected_beats(r, &e);
    CHECK(n == 100, "2 rounds of 20 + 30 beats: %zu", n);
    size_t exact = match_beats(&rr, e, n, "two rounds, constant and falling tempo, 44.1 kHz flac");
    CHECK(exact == n, "all %zu beats exact", n);
    /* hi and lo alternate: the peaks say which sound played. */
    int alternates = 1;
    for (size_t i = 0; i < 20 && i < rr.on[0].n; i++) {
        float p = rr.on[0].peak[i];
        float want = (i % 2 ? 0.3f : 0.8f) * (float)M_SQRT1_2;
        if (fabsf(p - want) > 0.01f)
            alternates = 0;
    }
    CHECK(alternates, "the first 20 beats alternate hi (0.8) and lo (0.3) at -3 dB centre");
    /* pan 0.5 puts more on the right than the left, in the constant-power ratio. */
    size_t k = rr.on[0].n - 1;
    double ratio = rr.on[1].peak[rr.on[1].n - 1] / rr.on[0].peak[k];
    CHECK(fabs(ratio - tan(1.5 * M_PI / 4.0)) < 0.01, "pan 0.5: right/left = %.4f, want %.4f",
          ratio, tan(1.5 * M_PI / 4.0));
    printf("sound cycle hi/lo alternates; pan 0.5 gives right/left %.4f\n", ratio);
    free(e);
    free_rendered(&rr);
    routine_destroy(r);
}

/* The shipped routine, clicks only: every click on its sample.  Then with
 * voice: the cues fall in the lead-ins and leave every paced part, and so
 * every click, exactly as it was. */
static void test_default_routine(const char *dir)
{
    const char *src = getenv("CALFPACE_SOURCE");
    char cfg[1024], out[512], out_voice[512];
    snprintf(cfg, sizeof cfg, "%s/config/calf-pump.cfg", src ? src : ".");
    snprintf(out, sizeof out, "%s/default.wav", dir);
    snprintf(out_voice, sizeof out_voice, "%s/default-voice.wav", dir);
    struct routine *r = load(cfg);
    struct rendered rr, rv;
    if (!r || render_and_scan(cfg, out, "--no-voice", &rr))
        return;
    struct expected_beat *e;
    size_t n = expected_beats(r, &e);
    size_t exact = match_beats(&rr, e, n, "config/calf-pump.cfg, clicks only");
    CHECK(exact == n && n > 500, "all %zu beats exact", n);
    /* Whatever the onset detector makes of a click's fade-in: the sound of
     * every click begins on its planned sample, after silence, on the side
     * its pan favours. */
    size_t starts = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t f = e[i].frame;
        int c = e[i].pan > 0.0 ? 1 : 0;
        if (f < 1 || f >= rr.frames)
            continue;
        int ok = rr.x[2 * (f - 1) + c] == 0.0f && rr.x[2 * f + c] != 0.0f;
        CHECK(ok, "beat %zu: silence at sample %lld, sound at %lld (%g, %g)", i, (long long)f - 1,
              (long long)f, (double)rr.x[2 * (f - 1) + c], (double)rr.x[2 * f + c]);
        starts += (size_t)ok;
    }
    CHECK(starts == n, "every click's sound starts on its planned sample: %zu of %zu", starts, n);
    printf("every click's first sound on its planned sample: %zu of %zu\n", starts, n);
    if (render_and_scan(cfg, out_voice, "", &rv) == 0) {
        /* Speech is centred and the taps are panned left or right, so L - R
         * holds the taps alone, ducked under speech or not: every one must
         * still start on its planned sample. */
        float *side = malloc((size_t)rv.frames * sizeof *side);
        for (int64_t f = 0; f < rv.frames; f++)
            side[f] = rv.x[2 * f] - rv.x[2 * f + 1];
        struct onsets so = {0};
        struct onset_state sst = {0};
        onset_scan(&so, &sst, side, rv.frames, 1, 0, 0, THRESHOLD, (int64_t)(0.010 * rv.rate));
        size_t panned = 0, on_time = 0, j = 0;
        for (size_t i = 0; i < n; i++) {
            if (e[i].pan == 0.0)
                continue;
            panned++;
            while (j < so.n && so.frame[j] < e[i].frame)
                j++;
            if (j < so.n && so.frame[j] == e[i].frame)
                on_time++;
        }
        CHECK(panned > 300 && on_time == panned && so.n == panned,
              "with voice, every tap on its planned sample: %zu of %zu, %zu onsets", on_time, panned,
              so.n);
        /* And the voice is there: the lead-in before the first beat is not silent. */
        float loud = 0.0f;
        for (int64_t f = 0; f < e[0].frame * 2; f++)
            loud = fmaxf(loud, fabsf(rv.x[f]));
        CHECK(loud > 0.05f, "speech before the first beat, peak %.3f", loud);
        printf("with voice: %zu of %zu taps on their planned sample under speech and ducking\n",
               on_time, panned);
        free(side);
        onsets_free(&so);
        free_rendered(&rv);
    }
    free(e);
    free_rendered(&rr);
    routine_destroy(r);
}

/* Energy of channel C of R over the 50 ms from frame F. */
static double energy(const struct rendered *r, int64_t f, int c)
{
    double e = 0.0;
    for (int64_t i = f; i < f + r->rate / 20 && i < r->frames; i++)
        e += (double)r->x[2 * i + c] * r->x[2 * i + c];
    return e;
}

/* Power of channel C of R at HZ over the 20 ms from frame F (Goertzel). */
static double tone(const struct rendered *r, int64_t f, int c, double hz)
{
    double w = 2.0 * cos(2.0 * M_PI * hz / r->rate), s1 = 0.0, s2 = 0.0;
    for (int64_t i = f; i < f + r->rate / 50 && i < r->frames; i++) {
        double s0 = r->x[2 * i + c] + w * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return s1 * s1 + s2 * s2 - w * s1 * s2;
}

static double db_ratio(double a, double b)
{
    return a > 0.0 && b > 0.0 ? 10.0 * log10(a / b) : (a > 0.0 ? 999.0 : -999.0);
}

/* One earbud in, or one ear that hears less.  The shipped tapping reaches
 * both ears: each tap's far side 10 to 16 dB under its near side (pan
 * +-0.75), so it is still heard there and the side still tells the feet
 * apart; so does the sound: the left foot's tap is pitched at 1150 Hz, the
 * right foot's a major third higher, at 1450 Hz, which --mono keeps.  --mono
 * puts every beat in both ears equally; --balance turns one side down by its
 * factor and leaves the other as it was. */
static int same_render(const struct rendered *a, const struct rendered *b)
{
    return a->frames == b->frames && a->channels == b->channels &&
           memcmp(a->x, b->x, (size_t)a->frames * (size_t)a->channels * sizeof *a->x) == 0;
}

/* mono and balance in the personal config, as play takes them: a listener
 * who set mono for one earbud hears a rendered file so too; the command
 * line wins over the config.  RR: the renders of test_one_ear. */
static void test_one_ear_config(const char *dir, const char *cfg, const struct rendered *rr)
{
    char xdg[512], conf[600], out[600];
    snprintf(xdg, sizeof xdg, "%s/xdg", dir);
    snprintf(conf, sizeof conf, "%s/calfpace", xdg);
    mkdir(xdg, 0700);
    mkdir(conf, 0700);
    snprintf(conf, sizeof conf, "%s/calfpace/calfpace.cfg", xdg);
    const struct {
        const char *conf, *extra;
        int like; /* the render of test_one_ear it must equal */
        const char *what;
    } runs[] = {{"mono = true;\n", "", 1, "mono = true renders as --mono"},
                {"balance = 0.5;\n", "", 2, "balance = 0.5 renders as --balance 0.5"},
                {"balance = 0.5;\n", "--balance -1", 3, "--balance -1 wins over balance = 0.5"}};
    setenv("XDG_CONFIG_HOME", xdg, 1);
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        write_text(conf, runs[k].conf);
        snprintf(out, sizeof out, "%s/one-ear-conf-%zu.wav", dir, k);
        char extra[64];
        snprintf(extra, sizeof extra, "--no-voice %s", runs[k].extra);
        struct rendered got;
        if (render_and_scan(cfg, out, extra, &got) != 0)
            continue;
        CHECK(same_render(&got, &rr[runs[k].like]), "personal config: %s", runs[k].what);
        free_rendered(&got);
    }
    snprintf(xdg, sizeof xdg, "%s/none", dir);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    printf("one ear from the personal config: mono and balance as their options; options win\n");
}

static void test_one_ear(const char *dir)
{
    const char *src = getenv("CALFPACE_SOURCE");
    char cfg[1024], out[512];
    snprintf(cfg, sizeof cfg, "%s/config/quick.cfg", src ? src : ".");
    struct routine *r = load(cfg);
    if (!r)
        return;
    struct expected_beat *e;
    size_t n = expected_beats(r, &e);
    const char *runs[] = {"", "--mono", "--balance 0.5", "--balance -1"};
    struct rendered rr[4];
    int ok[4];
    for (int k = 0; k < 4; k++) {
        snprintf(out, sizeof out, "%s/one-ear-%d.wav", dir, k);
        char extra[64];
        snprintf(extra, sizeof extra, "--no-voice %s", runs[k]);
        ok[k] = render_and_scan(cfg, out, extra, &rr[k]) == 0;
    }
    if (!ok[0] || !ok[1] || !ok[2] || !ok[3]) {
        free(e);
        routine_destroy(r);
        return;
    }
    size_t taps = 0, both = 0, mono_same = 0, bal_ok = 0, right_off = 0, by_sound = 0;
    double far_min = 1e9, far_max = -1e9;
    for (size_t i = 0; i < n; i++) {
        int64_t f = e[i].frame;
        double l = energy(&rr[0], f, 0), rt = energy(&rr[0], f, 1);
        if (e[i].pan != 0.0) {
            taps++;
            double far = e[i].pan > 0.0 ? db_ratio(l, rt) : db_ratio(rt, l);
            far_min = fmin(far_min, far);
            far_max = fmax(far_max, far);
            both += far >= -16.0 && far <= -10.0;
            /* in mono, the pitch tells the feet apart */
            double low = tone(&rr[1], f, 0, 1150.0), high = tone(&rr[1], f, 0, 1450.0);
            double d = e[i].pan < 0.0 ? db_ratio(low, high) : db_ratio(high, low);
            by_sound += d > 10.0;
        }
        /* mono: the same in both ears, and as loud in all as the stereo beat */
        double ml = energy(&rr[1], f, 0), mr = energy(&rr[1], f, 1);
        mono_same += ml > 0.0 && fabs(db_ratio(ml, mr)) < 0.01 &&
                     fabs(db_ratio(ml + mr, l + rt)) < 0.05;
        /* balance 0.5: the left at a quarter of its energy (-6 dB), the right as it was */
        double bl = energy(&rr[2], f, 0), br = energy(&rr[2], f, 1);
        bal_ok += fabs(db_ratio(bl, l) + 6.02) < 0.05 && fabs(db_ratio(br, rt)) < 0.01;
        /* balance -1: the left alone */
        right_off += energy(&rr[3], f, 1) == 0.0 && fabs(db_ratio(energy(&rr[3], f, 0), l)) < 0.01;
    }
    CHECK(taps > 100 && both == taps,
          "shipped tapping: every tap in both ears, its far side 10-16 dB down: %zu of %zu "
          "(far side %.1f to %.1f dB)",
          both, taps, far_min, far_max);
    CHECK(by_sound == taps, "--mono: %zu of %zu taps tell their foot by pitch (10 dB or more)",
          by_sound, taps);
    CHECK(mono_same == n, "--mono: %zu of %zu beats equal in both ears, as loud as in stereo",
          mono_same, n);
    CHECK(bal_ok == n, "--balance 0.5: %zu of %zu beats with the left 6 dB down, the right as is",
          bal_ok, n);
    CHECK(right_off == n, "--balance -1: %zu of %zu beats in the left ear alone", right_off, n);
    printf("one ear: %zu taps with their far side %.1f to %.1f dB down; --mono %zu/%zu, "
           "feet told apart by pitch in mono %zu/%zu, --balance 0.5 %zu/%zu, --balance -1 "
           "%zu/%zu\n",
           taps, far_min, far_max, mono_same, n, by_sound, taps, bal_ok, n, right_off, n);
    test_one_ear_config(dir, cfg, rr);
    for (int k = 0; k < 4; k++)
        free_rendered(&rr[k]);
    free(e);
    routine_destroy(r);
}

int main(void)
{
    char dir[256], path[512];
    tmp_dir(dir, sizeof dir, "render");
    /* The listener's own config is not this test's. */
    snprintf(path, sizeof path, "%s/none", dir);
    setenv("XDG_CONFIG_HOME", path, 1);
    snprintf(path, sizeof path, "%s/imp.wav", dir);
    write_click(path, 48000, 0.8f, 96);
    snprintf(path, sizeof path, "%s/hi.wav", dir);
    write_click(path, 44100, 0.8f, 120);
    snprintf(path, sizeof path, "%s/lo.wav", dir);
    write_click(path, 44100, 0.3f, 120);
    test_tapping(dir);
    test_steps_and_sounds(dir);
    test_default_routine(dir);
    test_one_ear(dir);
    tmp_cleanup(dir);
    return CHECK_DONE("test_render");
}
