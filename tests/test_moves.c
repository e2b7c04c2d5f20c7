/* Moves in time through the engine, as the outputs drive it: saved edits
 * that cut the current step short or change its type, a step removed during
 * a count-in, the tempo keys at their bounds, the volume key's click, sounds
 * and folders changed on disk, a lead-in edited in a step's body.  Each is a
 * case that once went wrong; each is checked to the sample where it can be.
 * Clicks are panned hard left and speech sits in the centre, so left minus
 * right holds the clicks alone and right the speech (and centred clicks). */
#include "check.h"
#include "engine_run.h"
#include "onset.h"
#include "render_util.h"
#include "routine.h"
#include "setup.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000
#define SEC(x) ((int64_t)llround((x)*RATE))

static char dir[256];

/* Onsets of the clicks (left - right) from frame FROM on. */
static struct onsets clicks_from(const struct engine_run *s, int64_t from)
{
    struct onsets o = {0};
    struct onset_state st = {0};
    for (int64_t f = from; f < s->n; f++) {
        float y = s->x[2 * f] - s->x[2 * f + 1];
        onset_scan(&o, &st, &y, 1, 1, 0, f, 0.05f, SEC(0.01));
    }
    return o;
}

/* The first and last frame at or after FROM where the right channel sounds. */
static int64_t sounding(const struct engine_run *s, int64_t from, int64_t *last)
{
    int64_t first = -1;
    *last = -1;
    for (int64_t f = from; f < s->n; f++)
        if (fabsf(s->x[2 * f + 1]) > 1e-3f) {
            if (first < 0)
                first = f;
            *last = f;
        }
    return first;
}

static float right_peak(const struct engine_run *s, int64_t from, int64_t to)
{
    float p = 0.0f;
    for (int64_t f = from; f < to && f < s->n; f++)
        p = fmaxf(p, fabsf(s->x[2 * f + 1]));
    return p;
}

static double min_spacing(const struct onsets *o)
{
    double m = 1e30;
    for (size_t k = 1; k < o->n; k++)
        m = fmin(m, (double)(o->frame[k] - o->frame[k - 1]));
    return m;
}

/* Step 2 of the shortening cases: 20 beats at 120 bpm after a 1 s lead-in. */
#define NEXT_STEP                                                                                  \
    "  { type = \"paced\"; tempo = 120.0; beats = 20; sounds = [ \"imp\" ]; pan = -1.0;\n"         \
    "    lead_in = 1.0; } );\n"

/* The step after one cut short begins at the block the edit arrived in:
 * its 20 beats from a second later, half a second apart, and nothing else. */
static void expect_next_step_from(struct engine_run *s, int64_t at, const char *what)
{
    engine_run_to(s, at + SEC(12.0));
    struct engine_status st = engine_run_status(s);
    struct onsets c = clicks_from(s, at);
    int exact = c.n == 20;
    for (size_t k = 0; exact && k < c.n; k++)
        exact = c.frame[k] == at + SEC(1.0) + SEC(0.5 * (double)k);
    CHECK(exact,
          "%s: the next step's 20 beats from %.3f s, 0.5 s apart (%zu clicks, first at "
          "%.3f s, closest %.0f frames)",
          what, (double)(at + SEC(1.0)) / RATE, c.n, c.n ? (double)c.frame[0] / RATE : -1.0,
          min_spacing(&c));
    CHECK(st.finished && st.frame >= at + SEC(11.0),
          "%s: the session ends after the next step, not early (finished %d at %.2f s)", what,
          st.finished, (double)st.frame / RATE);
    CHECK(st.events_late == 0, "%s: no event handed out after its frame (%llu)", what,
          (unsigned long long)st.events_late);
    printf("%s: ends at the edit, the next step's beats at their own tempo, no burst\n", what);
    onsets_free(&c);
}

static void test_cut_short(void)
{
    struct engine_run s;
    char a[1024], b[1024];
    const char *kinds[][2] = {
        {"a 60 s paced step edited to 10 s at 30 s",
         "{ type = \"paced\"; tempo = 100.0; seconds = %s; sounds = [ \"imp\" ]; pan = -1.0; "
         "lead_in = 0.0; },\n"},
        {"a 60 s hold edited to 10 s at 30 s",
         "{ type = \"hold\"; seconds = %s; lead_in = 0.0; },\n"},
        {"a 60-beat step edited to 10 beats at beat 30",
         "{ type = \"paced\"; tempo = 60.0; beats = %s; sounds = [ \"imp\" ]; pan = -1.0; "
         "lead_in = 0.0; },\n"},
    };
    for (int i = 0; i < 3; i++) {
        char step[512];
        snprintf(step, sizeof step, kinds[i][1], "60");
        snprintf(a, sizeof a, "%ssteps = ( %s" NEXT_STEP, engine_run_quiet, step);
        snprintf(step, sizeof step, kinds[i][1], "10");
        snprintf(b, sizeof b, "%ssteps = ( %s" NEXT_STEP, engine_run_quiet, step);
        engine_run_start(&s, dir, a, 1.0);
        engine_run_to(&s, SEC(30.05));
        int64_t at = s.n;
        engine_run_reload(&s, b);
        expect_next_step_from(&s, at, kinds[i][0]);
        engine_run_finish(&s);
    }
}

static void test_rest_to_paced(void)
{
    struct engine_run s;
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%ssteps = ( { type = \"rest\"; seconds = 20.0; lead_in = 0.0; } );\n",
             engine_run_quiet);
    snprintf(
        b, sizeof b,
        "%ssteps = ( { type = \"paced\"; tempo = 120.0; seconds = 10.0; sounds = [ \"imp\" ];\n"
        "  pan = -1.0; lead_in = 1.0; } );\n",
        engine_run_quiet);
    engine_run_start(&s, dir, a, 1.0);
    engine_run_to(&s, SEC(5.0));
    int64_t at = s.n;
    engine_run_reload(&s, b);
    engine_run_to(&s, at + SEC(3.0));
    struct engine_status st = engine_run_status(&s);
    struct onsets c = clicks_from(&s, at);
    CHECK(c.n >= 4 && c.frame[0] == at + SEC(1.0) && min_spacing(&c) == (double)SEC(0.5),
          "rest -> paced: the step afresh, its first beat 1 s (its lead-in) after the edit, then "
          "every 0.5 s (%zu clicks, first %.3f s)",
          c.n, c.n ? (double)c.frame[0] / RATE : -1.0);
    CHECK(st.beats == 20 && st.tempo > 119.9 && st.tempo < 120.1,
          "rest -> paced: status 20 beats at 120 bpm (%d beats at %.1f bpm)", st.beats, st.tempo);
    printf("rest -> paced while it plays: the step starts afresh from its announcement\n");
    onsets_free(&c);
    engine_run_finish(&s);
}

/* The closing cue is 3 s of silence: the session is still playing when
 * the count-in's time comes, and any sound then is the count-in's. */
static void test_countin_step_removed(void)
{
    struct engine_run s;
    char a[1024], b[1024];
    snprintf(
        a, sizeof a,
        "end_cue = \"hush\";\n%ssteps = ( { type = \"paced\"; tempo = 120.0; beats = 4; sounds = [ "
        "\"imp\" ];\n"
        "    pan = -1.0; lead_in = 0.0; },\n"
        "  { type = \"paced\"; tempo = 60.0; seconds = 20.0; sounds = [ \"imp\" ]; pan = -1.0;\n"
        "    lead_in = 0.0; } );\n",
        engine_run_quiet);
    snprintf(b, sizeof b,
             "end_cue = \"hush\";\n%ssteps = ( { type = \"paced\"; tempo = 120.0; beats = 4;\n"
             "    sounds = [ \"imp\" ]; pan = -1.0; lead_in = 0.0; } );\n",
             engine_run_quiet);
    engine_run_start(&s, dir, a, 1.0);
    engine_run_to(&s, SEC(8.0));
    engine_run_send(&s, CONTROL_PAUSE, 0, NULL);
    engine_run_to(&s, SEC(9.0));
    engine_run_send(&s, CONTROL_PAUSE, 0,
                    NULL); /* "go" at 9 s, a count-in at 10 s, the beat at 11 s */
    engine_run_to(&s, SEC(9.2));
    int64_t at = s.n;
    engine_run_reload(&s, b); /* step 2, the one playing, is gone */
    engine_run_to(&s, SEC(14.0));
    struct engine_status st = engine_run_status(&s);
    /* Silence from when "go" has ended (the shipped one lasts 0.6 s). */
    char why[512];
    int go = clip_bank_load(s.bank, "go", why, sizeof why);
    int64_t quiet_from = SEC(9.0) + (go >= 0 ? clip_bank_get(s.bank, go)->frames : 0);
    if (quiet_from < SEC(9.5))
        quiet_from = SEC(9.5);
    int64_t last, first = sounding(&s, quiet_from, &last);
    struct onsets c = clicks_from(&s, at);
    CHECK(first < 0 && c.n == 0,
          "a count-in whose step an edit removed is not played (sound at %.3f s, %zu clicks)",
          first >= 0 ? (double)first / RATE : -1.0, c.n);
    CHECK(st.finished, "the session closes: its last step is gone (finished %d)", st.finished);
    printf("count-in after a pause, then an edit removing the step: silence and the close\n");
    onsets_free(&c);
    engine_run_finish(&s);
}

static void press(struct engine_run *s, double factor, int times)
{
    for (int i = 0; i < times; i++) {
        if (i % 50 == 49)
            engine_run_to(s, s->n + 512); /* the ring holds 64 */
        engine_run_send(s, CONTROL_TEMPO, factor, NULL);
    }
    engine_run_to(s, s->n + 512);
}

static int64_t clip_frames(struct engine_run *s, const char *name)
{
    char err[512];
    int i = clip_bank_load(s->bank, name, err, sizeof err);
    return i < 0 ? 0 : clip_bank_get(s->bank, i)->frames;
}

static void test_tempo_bounds(void)
{
    struct engine_run s;
    char a[1024];
    snprintf(a, sizeof a,
             "%ssteps = ( { type = \"paced\"; tempo = 100.0; seconds = 600.0; sounds = [ \"imp\" "
             "];\n  pan = -1.0; lead_in = 0.0; } );\n",
             engine_run_quiet);
    engine_run_start(&s, dir, a, 1.0);
    engine_run_to(&s, SEC(2.0));
    press(&s, 1.05, 40);
    int64_t at = s.n;
    engine_run_to(&s, at + SEC(8.0));
    struct engine_status st = engine_run_status(&s);
    struct onsets c = clicks_from(&s, at);
    CHECK(st.tempo_scale <= 2.0 && st.tempo <= 200.0 + 1e-6 && min_spacing(&c) >= SEC(0.3) - 1,
          "40 presses of up at 100 bpm: x%.3f, %.1f bpm, closest beats %.0f frames (200 bpm: %lld)",
          st.tempo_scale, st.tempo, min_spacing(&c), (long long)SEC(0.3));
    /* At the limit: "tempo", "two hundred", then "limit". */
    int64_t want = clip_frames(&s, "w-tempo") + clip_frames(&s, "n200") + clip_frames(&s, "limit");
    int64_t last, first = sounding(&s, at - 512, &last);
    CHECK(first >= 0 && last - first + 1 >= want - SEC(0.01) && clip_frames(&s, "limit") > 0,
          "at the limit the tempo is said and then 'limit' (%.2f s spoken, the clips %.2f s)",
          (double)(last - first + 1) / RATE, (double)want / RATE);
    onsets_free(&c);
    printf("tempo up: held at x2.0 (200 bpm), 'tempo two hundred limit' said\n");

    press(&s, 1.0 / 1.05, 40);
    at = s.n;
    engine_run_to(&s, at + SEC(8.0));
    st = engine_run_status(&s);
    c = clicks_from(&s, at + SEC(2.0));
    double widest = 0.0;
    for (size_t k = 1; k < c.n; k++)
        widest = fmax(widest, (double)(c.frame[k] - c.frame[k - 1]));
    CHECK(st.tempo_scale >= 0.5 && st.tempo >= 50.0 - 1e-6 && c.n >= 4 && widest <= SEC(1.2) + 1,
          "40 presses of down from 200 bpm: x%.3f, %.1f bpm, beats at most %.0f frames apart",
          st.tempo_scale, st.tempo, widest);
    onsets_free(&c);
    press(&s, 1.0 / 1.05, 1000);
    at = s.n;
    engine_run_to(&s, at + SEC(8.0));
    st = engine_run_status(&s);
    c = clicks_from(&s, at + SEC(2.0));
    widest = 0.0;
    for (size_t k = 1; k < c.n; k++)
        widest = fmax(widest, (double)(c.frame[k] - c.frame[k - 1]));
    CHECK(!st.finished && st.tempo_scale >= 0.5 && c.n >= 4 && widest <= SEC(1.2) + 1,
          "1000 presses of down: x%.3f, beats at most %.0f frames apart (50 bpm: %lld), the "
          "session going on (finished %d)",
          st.tempo_scale, widest, (long long)SEC(1.2), st.finished);
    printf("tempo down: held at x0.5 (50 bpm), the session goes on\n");
    onsets_free(&c);
    engine_run_finish(&s);
}

static void test_volume_click(void)
{
    struct engine_run s;
    char a[1024];
    snprintf(a, sizeof a, "%ssteps = ( { type = \"rest\"; seconds = 10.0; lead_in = 0.0; } );\n",
             engine_run_quiet);
    engine_run_start(&s, dir, a, 1.0);
    engine_run_to(&s, SEC(1.0));
    engine_run_send(&s, CONTROL_VOLUME, 0.0, NULL);
    engine_run_to(&s, SEC(2.0));
    float p0 = right_peak(&s, SEC(1.0), SEC(1.5));
    for (int i = 1; i <= 3; i++) {
        engine_run_send(&s, CONTROL_VOLUME, -6.0, NULL);
        int64_t at = s.n;
        engine_run_to(&s, at + SEC(1.0));
        float p = right_peak(&s, at, at + SEC(0.5));
        double want = pow(10.0, -6.0 * i / 20.0);
        CHECK(p0 > 0.0f && fabs(p / p0 / want - 1.0) < 0.02,
              "volume press %d: its click at %.3f of the first, the new level %.3f", i, p / p0,
              want);
    }
    printf("volume key: each click at the new level (-6, -12, -18 dB)\n");
    engine_run_finish(&s);
}

static void rewrite_click(const char *sub, float amp, int len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/imp.wav", dir, sub);
    write_click(path, RATE, amp, len);
}

static float clicks_peak_from(struct engine_run *s, int64_t from)
{
    struct onsets c = clicks_from(s, from);
    float p = c.n ? c.peak[0] : 0.0f;
    onsets_free(&c);
    return p;
}

static void test_sounds_on_disk(void)
{
    struct engine_run s;
    char a[1024], b[1024];
    const char *step = "steps = ( { type = \"paced\"; tempo = 60.0; seconds = 60.0; sounds = [ "
                       "\"imp\" ];\n  pan = -1.0; lead_in = 0.0; } );\n";
    snprintf(a, sizeof a, "sounds_dir = \"one\";\n%s%s", engine_run_quiet, step);
    snprintf(b, sizeof b, "sounds_dir = \"two\";\n%s%s", engine_run_quiet, step);
    rewrite_click("one", 0.8f, 96);
    rewrite_click("two", 0.3f, 96);
    engine_run_start(&s, dir, a, 1.0);
    engine_run_to(&s, SEC(2.0));
    float before = clicks_peak_from(&s, 0);
    rewrite_click("one", 0.5f, 120); /* the file saved anew */
    engine_run_reload(&s, a);
    int64_t at = s.n;
    engine_run_to(&s, at + SEC(1.5));
    float saved = clicks_peak_from(&s, at);
    engine_run_reload(&s, b); /* another folder */
    at = s.n;
    engine_run_to(&s, at + SEC(1.5));
    float moved = clicks_peak_from(&s, at);
    CHECK(fabsf(before - 0.8f) < 0.02f && fabsf(saved - 0.5f) < 0.02f &&
              fabsf(moved - 0.3f) < 0.02f,
          "a sound saved anew and a new sounds_dir are heard after the edit (peaks %.2f, %.2f, "
          "%.2f; want 0.8, 0.5, 0.3)",
          before, saved, moved);
    engine_run_finish(&s);

    /* The voice: a refused edit is said in the routine's language now. */
    snprintf(a, sizeof a, "voice = \"en\";\n%s%s", engine_run_quiet, step);
    snprintf(b, sizeof b, "voice = \"de\";\n%s%s", engine_run_quiet, step);
    engine_run_start(&s, dir, a, 1.0);
    engine_run_to(&s, SEC(0.5));
    engine_run_reload(&s, b);
    engine_run_to(&s, SEC(1.0));
    engine_run_send(&s, CONTROL_ALERT, 0, NULL);
    at = s.n;
    engine_run_to(&s, at + SEC(3.0));
    int64_t last, first = sounding(&s, at, &last);
    char de[512];
    snprintf(de, sizeof de, "%s/sounds/de/config-error.ogg", getenv("CALFPACE_SOURCE"));
    float *x = NULL;
    int ch = 0, rate = 0;
    int64_t n = onset_read_file(de, &x, &ch, &rate);
    free(x);
    double said = (double)(last - first + 1) / RATE, want = (double)n / (rate ? rate : 1);
    CHECK(first >= 0 && n > 0 && fabs(said - want) < 0.1,
          "voice en -> de: 'config error' said in German (%.2f s, the German clip %.2f s)", said,
          want);
    printf("edits of sound files, sounds_dir and voice are taken up on reload\n");
    engine_run_finish(&s);
}

/* Only the lead-in of the step playing changes: its beats keep their
 * samples, and the status's start and end agree with where it ends. */
static void test_lead_in_edit(void)
{
    struct engine_run s;
    char a[1024], b[1024];
    const char *fmt = "%ssteps = ( { type = \"rest\"; seconds = 1.00003; lead_in = 0.0; },\n"
                      "  { type = \"paced\"; tempo = 120.0; seconds = 20.0; sounds = [ \"imp\" ];\n"
                      "    pan = -1.0; lead_in = %s; },\n"
                      "  { type = \"paced\"; tempo = 60.0; beats = 2; sounds = [ \"imp\" ];\n"
                      "    pan = -1.0; lead_in = 0.0; } );\n";
    snprintf(a, sizeof a, fmt, engine_run_quiet, "1.00002");
    snprintf(b, sizeof b, fmt, engine_run_quiet, "2.00000625");
    engine_run_start(&s, dir, a, 1.0);
    engine_run_to(&s, SEC(5.0));
    engine_run_reload(&s, b);
    engine_run_to(&s, SEC(6.0));
    struct engine_status st = engine_run_status(&s);
    engine_run_to(&s, SEC(25.0));
    /* Step 2's body: round((0.1 + 1.00003 + 1.00002) * 48000) = 100802. */
    const int64_t body = 100802;
    struct onsets c = clicks_from(&s, SEC(4.9));
    /* From 4.9 s: step 2's beats 6..39, step 3's first on the same grid. */
    int exact = c.n == 36;
    for (size_t k = 0; exact && k + 1 < c.n; k++)
        exact = c.frame[k] == body + SEC(0.5) * (int64_t)(k + 6);
    CHECK(exact,
          "a lead-in edited in the body: every later beat on its sample (first at %lld, "
          "want %lld)",
          c.n ? (long long)c.frame[0] : -1LL, (long long)(body + SEC(3.0)));
    int64_t end = c.n >= 2 ? c.frame[c.n - 2] : -1; /* step 3's first beat */
    CHECK(st.step_end == body + SEC(20.0) && end == st.step_end &&
              llabs(st.step_end - st.step_start - SEC(22.00000625)) <= 1,
          "status after it: step from %lld to %lld (%.6f s); step 3 begins at %lld",
          (long long)st.step_start, (long long)st.step_end,
          (double)(st.step_end - st.step_start) / RATE, (long long)end);
    printf("lead-in edited while the body plays: beats keep their samples, the status agrees\n");
    onsets_free(&c);
    engine_run_finish(&s);
}

/* Stop: a fade and the end, silence after it; the volume's bounds; a resume
 * outside a paced step; keys after the close change nothing. */
static void test_stop_and_edges(void)
{
    struct engine_run s;
    char a[1024];
    snprintf(a, sizeof a,
             "%ssteps = ( { type = \"rest\"; seconds = 4.0; lead_in = 0.0; },\n"
             "  { type = \"paced\"; tempo = 120.0; beats = 2; sounds = [ \"imp\" ]; pan = -1.0;\n"
             "    lead_in = 0.0; } );\n",
             engine_run_quiet);
    engine_run_start(&s, dir, a, 1.0);
    engine_run_to(&s, SEC(1.0));
    for (int i = 0; i < 30; i++)
        engine_run_send(&s, CONTROL_VOLUME, 2.0, NULL);
    engine_run_to(&s, SEC(1.1));
    struct engine_status st = engine_run_status(&s);
    CHECK(fabs(st.volume_db - 12.0) < 1e-9, "30 presses of louder: held at +12 dB (%.1f)",
          st.volume_db);
    for (int i = 0; i < 40; i++)
        engine_run_send(&s, CONTROL_VOLUME, -2.0, NULL);
    engine_run_to(&s, SEC(1.2));
    st = engine_run_status(&s);
    CHECK(fabs(st.volume_db + 40.0) < 1e-9, "40 presses of softer: held at -40 dB (%.1f)",
          st.volume_db);
    engine_run_send(&s, CONTROL_VOLUME, 40.0, NULL);
    /* A pause in a rest: "go" and half a second on resume. */
    engine_run_send(&s, CONTROL_PAUSE, 0, NULL);
    engine_run_to(&s, SEC(2.0));
    engine_run_send(&s, CONTROL_PAUSE, 0, NULL);
    engine_run_to(&s, SEC(6.0));
    struct onsets c = clicks_from(&s, 0);
    /* The rest's end (4.1 s) moves 1.3 s later: the 0.8 s paused and half a
     * second; the paced step's two beats follow from there. */
    CHECK(c.n == 2 && c.frame[0] == SEC(5.4) && c.frame[1] - c.frame[0] == SEC(0.5),
          "a resume in a rest: the rest goes on half a second after it (%zu clicks, first at "
          "%.3f s)",
          c.n, c.n ? (double)c.frame[0] / RATE : -1.0);
    onsets_free(&c);
    engine_run_send(&s, CONTROL_STOP, 0, NULL);
    /* The fade lasts long enough for a person's second Ctrl-C to reach it. */
    engine_run_to(&s, SEC(6.5));
    st = engine_run_status(&s);
    CHECK(!st.finished, "stop: still fading half a second later, for a second Ctrl-C");
    engine_run_to(&s, SEC(6.0 + ENGINE_FADE_SECONDS + 0.5));
    st = engine_run_status(&s);
    CHECK(st.finished && st.stopped && st.events_late == 0,
          "stop: the session fades and ends, marked stopped (%d, %d)", st.finished, st.stopped);
    float tail[2 * 256] = {1.0f};
    int got = engine_render(s.engine, tail, 256);
    CHECK(got == 0 && tail[0] == 0.0f && tail[511] == 0.0f, "after the end: silence, 0 frames");
    engine_run_finish(&s);

    engine_run_start(&s, dir, a, 1.0);
    engine_run_to(&s, SEC(12.0));
    st = engine_run_status(&s);
    engine_run_send(&s, CONTROL_NEXT, 0, NULL);
    engine_run_send(&s, CONTROL_BACK, 0, NULL);
    engine_run_send(&s, CONTROL_PAUSE, 0, NULL);
    engine_run_to(&s, SEC(13.0));
    struct engine_status after = engine_run_status(&s);
    CHECK(st.finished && after.finished && !after.paused,
          "after the close, next, back and pause change nothing");
    printf("stop, the volume's bounds, a resume in a rest, keys after the close\n");
    engine_run_finish(&s);
}

int main(void)
{
    char path[1024];
    tmp_dir(dir, sizeof dir, "moves");
    snprintf(path, sizeof path, "%s/imp.wav", dir);
    write_click(path, RATE, 0.8f, 96);
    snprintf(path, sizeof path, "%s/hush.wav", dir);
    write_click(path, RATE, 0.0f, 3 * RATE);
    snprintf(path, sizeof path, "mkdir -p '%s/one' '%s/two'", dir, dir);
    if (system(path) != 0)
        return 1;
    test_cut_short();
    test_rest_to_paced();
    test_countin_step_removed();
    test_tempo_bounds();
    test_volume_click();
    test_sounds_on_disk();
    test_lead_in_edit();
    test_stop_and_edges();
    tmp_cleanup(dir);
    return CHECK_DONE("test_moves");
}
