/* Words of the routine's own: say/end_say and a step's say are checked where
 * they are written (FILE:LINE), synthesised once per text, voice and rate
 * into the cache at the shipped clips' loudness, found there on the next
 * load (and a reload synthesises only what changed), and heard in a render
 * in English and in German where the step's cue would be. */
#include "check.h"
#include "onset.h"
#include "render_util.h"
#include "routine.h"
#include "speech.h"

#include <ebur128.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct bad {
    const char *text, *expect;
};

#define STEP "{ type = \"paced\"; tempo = 60.0; beats = 4; "

static const struct bad bad_cases[] = {
    {"steps = (\n" STEP "cue = \"go\";\n say = \"Go now\"; } );\n",
     "t.cfg:3: 'say' and 'cue' (line 2) both given: one or the other"},
    {"cue = \"go\";\nsay = \"Hello\";\nsteps = ( " STEP "} );\n",
     "t.cfg:2: 'say' and 'cue' (line 1) both given"},
    {"end_say = \"Bye\";\nend_cue = \"done\";\nsteps = ( " STEP "} );\n",
     "t.cfg:1: 'end_say' and 'end_cue' (line 2) both given"},
    {"steps = (\n" STEP "say = \"  \"; } );\n", "t.cfg:2: 'say' has nothing to speak"},
    {"steps = (\n" STEP "say = \"\"; } );\n", "t.cfg:2: 'say' has nothing to speak"},
    {"steps = (\n" STEP "say = \"Ten #reps\"; } );\n",
     "t.cfg:2: 'say' has a character calfpace cannot speak, \"#\", at character 5"},
    {"steps = (\n" STEP "say = \"Smile \xf0\x9f\x99\x82\"; } );\n",
     "t.cfg:2: 'say' has a character calfpace cannot speak, \"\xf0\x9f\x99\x82\", at character 7"},
    {"steps = (\n" STEP "say = 3; } );\n", "t.cfg:2: 'say' must be the words to speak"},
};

static void test_bad(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        char err[1024] = "";
        struct routine *r = routine_parse(bad_cases[i].text, "t.cfg", err, sizeof err);
        CHECK(!r && strstr(err, bad_cases[i].expect) == err, "case %zu: want \"%s\", got \"%s\"",
              i, bad_cases[i].expect, err);
        routine_destroy(r);
    }
    char text[600];
    snprintf(text, sizeof text, "steps = (\n" STEP "say = \"%0201d\"; } );\n", 0);
    char err[1024] = "";
    struct routine *r = routine_parse(text, "t.cfg", err, sizeof err);
    CHECK(!r && strstr(err, "t.cfg:2: 'say' is too long (at most 200 characters"),
          "201 characters: %s", err);
    routine_destroy(r);
    r = routine_parse("steps = (\n" STEP "say = \"Fersen heben, Zehen \xc3\xbc"
                      "ber dem Boden \xe2\x80\x93 los\"; } );\n",
                      "t.cfg", err, sizeof err);
    CHECK(r && strcmp(r->steps[0].say, "Fersen heben, Zehen \xc3\xbc"
                                       "ber dem Boden \xe2\x80\x93 los") == 0 &&
              r->steps[0].say_line == 2,
          "German letters and a dash are fine: %s", r ? r->steps[0].say : err);
    routine_destroy(r);
    printf("bad say text: %zu cases refused at their line; umlauts and dashes accepted\n",
           sizeof bad_cases / sizeof *bad_cases + 1);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *routine_text =
    "name = \"Ankles\";\n"
    "say = \"Ankle work. Sit tall.\";\n"
    "end_say = \"Well done.\";\n"
    "lead_in = 2.5;\n"
    "steps = (\n"
    "  { type = \"paced\"; name = \"Ankle circles\"; say = \"Ankle circles, ten each way\";\n"
    "    lead_in = 7.0; tempo = 60.0; seconds = 6.0; },\n"
    "  { type = \"hold\"; name = \"Toe raises\"; say = \"Toe raises. Hold them up.\";\n"
    "    lead_in = 4.0; seconds = 8.0; }\n"
    ");\n";

static double loudness(const char *path)
{
    float *x = NULL;
    int ch = 0, rate = 0;
    int64_t n = onset_read_file(path, &x, &ch, &rate);
    double lufs = -HUGE_VAL;
    ebur128_state *st = n > 0 ? ebur128_init((unsigned)ch, (unsigned long)rate, EBUR128_MODE_I)
                              : NULL;
    if (st) {
        ebur128_add_frames_float(st, x, (size_t)n);
        ebur128_loudness_global(st, &lufs);
        ebur128_destroy(&st);
    }
    free(x);
    return lufs;
}

static void test_cache(const char *dir, const char *lang)
{
    char err[1024];
    struct routine *r = routine_parse(routine_text, "ankles.cfg", err, sizeof err);
    CHECK(r != NULL, "the routine parses: %s", err);
    if (!r)
        return;
    int made = -1;
    double t0 = now();
    int rc = speech_prepare(r, lang, &made, err, sizeof err);
    double cold = now() - t0;
    CHECK(rc == 0 && made == 4, "%s: first load synthesises 4 texts (%d): %s", lang, made, err);
    CHECK(r->steps[0].say_seconds > 1.0 && r->steps[0].say_seconds < 4.0,
          "%s: 'Ankle circles, ten each way' lasts %.2f s", lang, r->steps[0].say_seconds);
    char path[1200];
    snprintf(path, sizeof path, "%s/cache/calfpace/speech/%s.wav", dir, r->steps[0].cue);
    struct stat st;
    CHECK(stat(path, &st) == 0, "%s: the clip is kept at %s", lang, path);
    double lufs = loudness(path);
    CHECK(fabs(lufs - SPEECH_LUFS) < 1.0, "%s: the clip measures %.1f LUFS, want %.0f", lang, lufs,
          SPEECH_LUFS);
    routine_destroy(r);

    r = routine_parse(routine_text, "ankles.cfg", err, sizeof err);
    t0 = now();
    rc = speech_prepare(r, lang, &made, err, sizeof err);
    double warm = now() - t0;
    CHECK(rc == 0 && made == 0, "%s: the second load synthesises nothing (%d)", lang, made);
    routine_destroy(r);

    /* A reload after an edit of one text synthesises that one alone. */
    char edited[2048];
    snprintf(edited, sizeof edited, "%s", routine_text);
    char *at = strstr(edited, "Hold them up.");
    memcpy(at, "Keep them up.", 13);
    r = routine_parse(edited, "ankles.cfg", err, sizeof err);
    rc = speech_prepare(r, lang, &made, err, sizeof err);
    CHECK(rc == 0 && made == 1, "%s: one edited text, one synthesis (%d)", lang, made);
    routine_destroy(r);
    printf("%s: 4 texts synthesised in %.1f ms, found in the cache in %.2f ms; %.1f LUFS; one "
           "edit, one synthesis\n",
           lang, cold * 1000.0, warm * 1000.0, lufs);
}

static void test_too_long(void)
{
    char err[1024];
    struct routine *r = routine_parse(
        "steps = (\n { type = \"hold\"; seconds = 1.0; lead_in = 0.5;\n"
        "   say = \"Now straighten your left leg and pull the toes towards you, slowly\"; } );\n",
        "long.cfg", err, sizeof err);
    CHECK(r != NULL, "parses: %s", err);
    if (!r)
        return;
    int rc = speech_prepare(r, "en", NULL, err, sizeof err);
    CHECK(rc != 0 && strstr(err, "long.cfg:3: the words take ") == err &&
              strstr(err, "but the whole step lasts 1.5 s"),
          "words longer than their step: %s", err);
    printf("too long for its step: %s\n", err);
    routine_destroy(r);
}

/* The render speaks the step's words in its lead-in and is silent (but for
 * clicks) without voice. */
static void test_render(const char *dir, const char *lang)
{
    char cfg[600], out[600], args[2048];
    snprintf(cfg, sizeof cfg, "%s/ankles.cfg", dir);
    write_text(cfg, routine_text);
    snprintf(out, sizeof out, "%s/ankles-%s.wav", dir, lang);
    snprintf(args, sizeof args, "render '%s' -o '%s' --quiet --voice %s", cfg, out, lang);
    CHECK(run_calfpace(args) == 0, "calfpace %s", args);
    float *x = NULL;
    int ch = 0, rate = 0;
    int64_t n = onset_read_file(out, &x, &ch, &rate);
    if (n <= 0)
        return;
    /* Step 1's cue starts at 0.1 + 2.5 s; its words fill the next second. */
    double energy = 0.0;
    int64_t a = (int64_t)(2.7 * rate), b = (int64_t)(3.6 * rate);
    for (int64_t i = a; i < b && i < n; i++)
        energy += (double)x[2 * i] * x[2 * i];
    double rms = sqrt(energy / (double)(b - a));
    CHECK(rms > 0.01, "%s: speech in step 1's lead-in (rms %.4f)", lang, rms);
    printf("%s render: step 1's words heard in its lead-in, rms %.3f\n", lang, rms);
    free(x);
}

/* count_aloud: at 40 bpm every beat's number is heard right after it (the
 * clicks are hard left, so the right channel holds the speech alone); at
 * 200 bpm no number fits a beat, none is said and check says so. */
static void test_count(const char *dir)
{
    char cfg[600], out[600], args[2048];
    snprintf(cfg, sizeof cfg, "%s/count.cfg", dir);
    write_text(cfg, "name = \"Count\";\n"
                    "lead_in = 1.0;\n"
                    "guidance = { countdown = false; lengths = false; };\n"
                    "steps = (\n"
                    "  { type = \"paced\"; name = \"Slow\"; tempo = 40.0; beats = 6; pan = -1.0;\n"
                    "    lead_in = 1.0; count_aloud = true; },\n"
                    "  { type = \"paced\"; name = \"Fast\"; tempo = 200.0; beats = 12; pan = -1.0;\n"
                    "    lead_in = 1.0; count_aloud = true; }\n"
                    ");\n");
    snprintf(out, sizeof out, "%s/count.wav", dir);
    snprintf(args, sizeof args, "render '%s' -o '%s' --quiet", cfg, out);
    CHECK(run_calfpace(args) == 0, "calfpace %s", args);
    char err[1024];
    struct routine *r = routine_load(cfg, err, sizeof err);
    CHECK(r != NULL, "count.cfg loads: %s", err);
    float *x = NULL;
    int ch = 0, rate = 0;
    int64_t n = onset_read_file(out, &x, &ch, &rate);
    if (!r || n <= 0) {
        routine_destroy(r);
        free(x);
        return;
    }
    struct expected_beat *e;
    size_t nb = expected_beats(r, &e);
    int heard_slow = 0, heard_fast = 0;
    for (size_t i = 0; i < nb; i++) {
        double energy = 0.0;
        int64_t a = e[i].frame, b = a + (int64_t)(0.25 * rate);
        for (int64_t f = a; f < b && f < n; f++)
            energy += (double)x[2 * f + 1] * x[2 * f + 1];
        int heard = sqrt(energy / (double)(b - a)) > 0.01;
        if (e[i].step == 0)
            heard_slow += heard;
        else
            heard_fast += heard;
    }
    CHECK(heard_slow == 6, "40 bpm: a number after each of the 6 beats (%d)", heard_slow);
    CHECK(heard_fast == 0, "200 bpm: no number fits, none said (%d)", heard_fast);
    snprintf(args, sizeof args, "check '%s' 2>&1 >/dev/null | grep -q 'count.cfg:7: warning: step 2 counts aloud, but at 200 bpm a number has 0.26 s; 12 of its 12 numbers do not fit'", cfg);
    CHECK(run_calfpace(args) == 0, "check warns of the numbers step 2 leaves out");
    printf("count_aloud: 6 of 6 numbers heard at 40 bpm, 0 of 12 at 200 bpm, with a check warning\n");
    free(e);
    free(x);
    routine_destroy(r);
}

int main(void)
{
    char dir[512], cache[600];
    tmp_dir(dir, sizeof dir, "speech");
    snprintf(cache, sizeof cache, "%s/cache", dir);
    setenv("XDG_CACHE_HOME", cache, 1);
    test_bad();
    test_cache(dir, "en");
    test_cache(dir, "de");
    test_too_long();
    test_render(dir, "en");
    test_render(dir, "de");
    test_count(dir);
    tmp_cleanup(dir);
    return CHECK_DONE("test_speech");
}
