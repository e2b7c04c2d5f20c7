/* Encoded renders: MP3 and Opus files decoded the way a player decodes them
 * (ffmpeg, which honours the LAME tag's encoder delay and padding and Opus's
 * pre-skip) put every click within 1 ms of its planned time; each file
 * carries its title and a chapter per part of the session, which ffprobe
 * lists with names and starts within 10 ms of the plan.
 *
 * With speech over the taps, a fixed threshold on the decoded audio times
 * the codec's noise rather than the tap: a lossy coder spreads some of a
 * tap's energy up to a short block ahead of it (pre-echo) and, at a low
 * bitrate, codes the upper bands of both channels as one, so a tap ducked
 * under speech can drop under the threshold or cross it early.  There the
 * tap is located the way a known signal is located in noise: by matched
 * filtering against the WAV render's own tap (see match_taps). */
#include "check.h"
#include "onset.h"
#include "timeline_text.h"
#include "render_util.h"
#include "routine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THRESHOLD 0.05f

static struct routine *load(const char *path)
{
    char err[1024];
    struct routine *r = routine_load(path, err, sizeof err);
    CHECK(r != NULL, "%s loads: %s", path, err);
    return r;
}

/* Decodes IN into a float WAV at OUT with ffmpeg; 0 on success. */
static int decode(const char *in, const char *out)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -loglevel error -y -i '%s' -c:a pcm_f32le '%s'", in,
             out);
    return system(cmd) == 0 ? 0 : -1;
}

/* Moves each onset in O to the first sample from there on that reaches half
 * the click's own peak (constant-fraction timing).  A lossy coder leaves
 * some of a click's energy in the few ms before it (pre-echo: Opus at
 * 64 kbit/s puts it at a fifth of the click's peak, 1.5 ms early), which a
 * fixed threshold times instead of the click; half the peak is above it. */
static void half_peak(struct onsets *o, const float *x, int64_t frames, int channel)
{
    for (size_t k = 0; k < o->n; k++) {
        float level = o->peak[k] / 2.0f;
        if (level <= THRESHOLD)
            continue;
        int64_t f = o->frame[k];
        while (f < frames - 1 && fabsf(x[2 * f + channel]) < level)
            f++;
        o->frame[k] = f;
    }
}

/* Every planned beat of R has an onset within 1 ms in the decoded FILE, on
 * the side its pan puts it (and on the other side too when it is centred),
 * and there are no others.  A partly panned beat may or may not reach the
 * threshold on its far side; when it does, that copy 14 dB down is timed by
 * the coder's noise more than by the click (Opus spreads a near-side tap's
 * pre-echo to both sides), so it must only lie within 5 ms of its beat to be
 * that beat's, and is not timed: the beat is timed on its near side. */
static void check_clicks(const struct routine *r, const char *file, const char *what)
{
    char wav[1100];
    snprintf(wav, sizeof wav, "%s.decoded.wav", file);
    CHECK(decode(file, wav) == 0, "%s: ffmpeg decodes %s", what, file);
    float *x = NULL;
    int ch = 0, rate = 0;
    int64_t frames = onset_read_file(wav, &x, &ch, &rate);
    CHECK(frames > 0 && ch == 2, "%s: decoded to stereo (%lld frames)", what, (long long)frames);
    if (frames <= 0)
        return;
    struct expected_beat *e;
    size_t n = expected_beats(r, &e);
    double worst = 0.0;
    size_t found = 0, far = 0, onsets_total = 0;
    for (int c = 0; c < 2; c++) {
        struct onsets o = {0};
        struct onset_state st = {0};
        onset_scan(&o, &st, x, frames, 2, c, 0, THRESHOLD, (int64_t)(0.010 * rate));
        half_peak(&o, x, frames, c);
        onsets_total += o.n;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            int away = c == 0 ? e[i].pan > 0.0 : e[i].pan < 0.0;
            double want = (double)e[i].frame / r->rate;
            while (k < o.n && (double)o.frame[k] / rate < want - 0.005)
                k++;
            double d = k < o.n ? (double)o.frame[k] / rate - want : 1e9;
            if (away) {
                if (fabs(d) <= 0.005) {
                    far++;
                    k++;
                }
                continue;
            }
            if (fabs(d) > worst)
                worst = fabs(d);
            CHECK(fabs(d) <= 0.001, "%s: beat %zu (step %d) at %.4f s decodes at %+.3f ms", what,
                  i, e[i].step, want, d * 1000.0);
            if (fabs(d) <= 0.001) {
                found++;
                k++;
            }
        }
        onsets_free(&o);
    }
    CHECK(found + far == onsets_total, "%s: %zu onsets decoded, %zu of them planned beats", what,
          onsets_total, found + far);
    printf("%s: %zu clicks within 1 ms of the plan, worst %.3f ms\n", what, found, worst * 1000.0);
    free(e);
    free(x);
}

/* Speech is centred, so the WAV render's left minus right holds the hard-left
 * and hard-right taps alone.  Each tap found there (its first 10 ms, with the
 * 3 ms of silence before its onset, so that only the onset can line up: a
 * tap's held partials alone matched as well 4.2 ms later; with only 6 ms of
 * tap, the speech that Opus leaves in the side channel made one tap match
 * better five periods of its 1450 Hz partial late, at 3.4 ms) is slid over the decoded file's left minus right, SHIFT
 * frames later than it was written, within 5 ms either way; the lag of the
 * highest normalised correlation is where the tap is in the decoded file.  A
 * tap counts as kept when that lag is within 1 ms and the decoded signal holds
 * the tap's waveform with at least half its amplitude (the least-squares gain
 * at that lag), i.e. it is still heard on its side.  A window with no tap
 * gives a gain under 0.1.  Returns how many of the N taps are kept; the
 * worst lag and the lowest gain through WORST and GAIN. */
static size_t match_taps(const float *w, const float *d, int64_t frames, const int64_t *tap,
                         size_t n, int rate, int64_t shift, double *worst, double *gain)
{
    int64_t pre = 3 * rate / 1000, len = 10 * rate / 1000, reach = 5 * rate / 1000;
    size_t kept = 0;
    *worst = 0.0;
    *gain = 1e9;
    for (size_t t = 0; t < n; t++) {
        int64_t f = tap[t];
        if (f - pre - reach - shift < 0 || f + len + reach + shift >= frames)
            continue;
        double tt = 0.0;
        for (int64_t i = -pre; i < len; i++)
            tt += (double)w[f + i] * w[f + i];
        double best = -2.0, best_gain = 0.0;
        int64_t best_lag = 0;
        for (int64_t lag = -reach; lag <= reach; lag++) {
            double td = 0.0, dd = 0.0;
            for (int64_t i = -pre; i < len; i++) {
                double y = d[f + i + lag + shift];
                td += (double)w[f + i] * y;
                dd += y * y;
            }
            double r = td / sqrt(tt * dd + 1e-20);
            if (r > best) {
                best = r;
                best_lag = lag;
                best_gain = td / (tt + 1e-20);
            }
        }
        double ms = 1000.0 * (double)labs((long)best_lag) / rate;
        *worst = ms > *worst ? ms : *worst;
        *gain = best_gain < *gain ? best_gain : *gain;
        if (ms <= 1.0 && best_gain >= 0.5)
            kept++;
    }
    return kept;
}

/* left minus right of interleaved stereo X */
static float *side_of(const float *x, int64_t frames)
{
    float *s = malloc((size_t)frames * sizeof *s);
    if (!s)
        abort();
    for (int64_t i = 0; i < frames; i++)
        s[i] = x[2 * i] - x[2 * i + 1];
    return s;
}

/* Every panned beat of R is a tap in WAV's left minus right, and every one
 * of them is kept, within 1 ms, in the decoded FILE (match_taps); the same
 * match on the decoded file moved 1.5 ms later finds none, so the check can
 * see a timing error. */
static void check_taps_under_speech(const struct routine *r, const char *wav, const char *file,
                                    const char *what)
{
    char dec[1100];
    snprintf(dec, sizeof dec, "%s.decoded.wav", file);
    CHECK(decode(file, dec) == 0, "%s: ffmpeg decodes %s", what, file);
    float *x = NULL, *y = NULL;
    int ch = 0, rate = 0, dch = 0, drate = 0;
    int64_t frames = onset_read_file(wav, &x, &ch, &rate);
    int64_t dframes = onset_read_file(dec, &y, &dch, &drate);
    CHECK(frames > 0 && ch == 2 && dframes > 0 && dch == 2 && drate == rate,
          "%s: the WAV and the decoded file are stereo at one rate (%d, %d Hz)", what, rate, drate);
    if (frames <= 0 || dframes <= 0 || ch != 2 || dch != 2 || drate != rate) {
        free(x);
        free(y);
        return;
    }
    int64_t n = frames < dframes ? frames : dframes;
    float *ws = side_of(x, n), *ds = side_of(y, n);
    struct onsets o = {0}, od = {0};
    struct onset_state st = {0}, std = {0};
    onset_scan(&o, &st, ws, n, 1, 0, 0, THRESHOLD, (int64_t)(0.010 * rate));
    struct expected_beat *e;
    size_t beats = expected_beats(r, &e), planned = 0;
    for (size_t i = 0; i < beats; i++)
        planned += e[i].pan != 0.0; /* centred beats cancel out with the speech */
    CHECK(o.n == planned, "%s: the WAV's left minus right has %zu taps, planned %zu", what, o.n,
          planned);
    /* what a fixed threshold on the decoded file makes of the same taps */
    onset_scan(&od, &std, ds, n, 1, 0, 0, THRESHOLD, (int64_t)(0.010 * rate));
    size_t by_threshold = 0, k = 0;
    for (size_t i = 0; i < o.n; i++) {
        while (k < od.n && od.frame[k] < o.frame[i] - rate / 1000)
            k++;
        if (k < od.n && od.frame[k] <= o.frame[i] + rate / 1000)
            by_threshold++;
    }
    double worst, gain;
    size_t kept = match_taps(ws, ds, n, o.frame, o.n, rate, 0, &worst, &gain);
    CHECK(kept == o.n, "%s: %zu of %zu taps kept within 1 ms (worst %.3f ms, lowest gain %.2f)",
          what, kept, o.n, worst, gain);
    printf("%s: with speech, %zu of %zu taps within 1 ms of the WAV's, worst %.3f ms, lowest "
           "gain %.2f (a fixed threshold finds %zu)\n",
           what, kept, o.n, worst, gain, by_threshold);
    double w2, g2;
    size_t moved = match_taps(ws, ds, n, o.frame, o.n, rate, 3 * rate / 2000, &w2, &g2);
    CHECK(moved == 0, "%s: moved 1.5 ms, %zu taps still pass (worst %.3f ms)", what, moved, w2);
    onsets_free(&o);
    onsets_free(&od);
    free(e);
    free(ws);
    free(ds);
    free(x);
    free(y);
}

/* ffprobe's chapters for FILE match timeline_chapters to 10 ms, names and all. */
static void check_chapters(const struct routine *r, const char *file, const char *what)
{
    char cmd[2048], out[1100];
    snprintf(out, sizeof out, "%s.chapters", file);
    snprintf(cmd, sizeof cmd,
             "ffprobe -loglevel error -show_chapters -show_entries format_tags:stream_tags "
             "-of flat '%s' | sed -E 's/^(format|streams\\.stream\\.0)\\.tags\\./tag./; "
             "s/^tag\\.([A-Za-z]+)=/tag.\\L\\1=/' > '%s'",
             file, out);
    CHECK(system(cmd) == 0, "%s: ffprobe reads it", what);
    struct timeline_chapter want[64];
    int n = timeline_chapters(r, r->rate, want, 64);
    FILE *f = fopen(out, "r");
    if (!f)
        return;
    char line[1024];
    double start[64];
    char title[64][TIMELINE_CHAPTER_NAME_MAX];
    int got = 0, tagged = 0;
    memset(title, 0, sizeof title);
    while (fgets(line, sizeof line, f)) {
        int i;
        double v;
        char text[512];
        if (sscanf(line, "chapters.chapter.%d.start_time=\"%lf\"", &i, &v) == 2 && i < 64) {
            start[i] = v;
            got = i + 1 > got ? i + 1 : got;
        }
        if (sscanf(line, "chapters.chapter.%d.tags.title=\"%511[^\"]\"", &i, text) == 2 && i < 64)
            snprintf(title[i], sizeof title[i], "%.120s", text);
        if (sscanf(line, "tag.title=\"%511[^\"]\"", text) == 1 && strcmp(text, r->name) == 0)
            tagged++;
        if (strcmp(line, "tag.artist=\"calfpace\"\n") == 0)
            tagged++;
    }
    fclose(f);
    CHECK(tagged == 2, "%s: title \"%s\" and artist calfpace", what, r->name);
    CHECK(got == n, "%s: %d chapters, planned %d", what, got, n);
    double worst = 0.0;
    for (int i = 0; i < got && i < n; i++) {
        double d = start[i] - (double)want[i].frame / r->rate;
        worst = fabs(d) > worst ? fabs(d) : worst;
        CHECK(fabs(d) <= 0.010, "%s: chapter %d starts %.3f s off", what, i, d);
        CHECK(strcmp(title[i], want[i].name) == 0, "%s: chapter %d is \"%s\", want \"%s\"", what, i,
              title[i], want[i].name);
    }
    printf("%s: %d chapters named as planned, starts within %.1f ms\n", what, got, worst * 1000.0);
}

static void test_format(const char *cfg, const char *dir, const char *name, const char *ext,
                        int clicks)
{
    char out[600], args[2048], what[700];
    snprintf(out, sizeof out, "%s/%s.%s", dir, name, ext);
    snprintf(args, sizeof args, "render '%s' -o '%s' --quiet --no-voice", cfg, out);
    int rc = run_calfpace(args);
    CHECK(rc == 0, "calfpace %s exits 0, got %d", args, rc);
    if (rc)
        return;
    struct routine *r = load(cfg);
    if (!r)
        return;
    snprintf(what, sizeof what, "%s.%s", name, ext);
    if (clicks)
        check_clicks(r, out, what);
    check_chapters(r, out, what);
    routine_destroy(r);
}

/* CFG rendered with its speech to WAV, MP3 and Opus: every tap kept. */
static void test_speech_over_taps(const char *cfg, const char *dir, const char *name)
{
    struct routine *r = load(cfg);
    if (!r)
        return;
    char wav[600], args[2048], what[700];
    snprintf(wav, sizeof wav, "%s/%s-voice.wav", dir, name);
    snprintf(args, sizeof args, "render '%s' -o '%s' --quiet", cfg, wav);
    CHECK(run_calfpace(args) == 0, "calfpace %s exits 0", args);
    const char *ext[] = {"mp3", "opus"};
    for (int i = 0; i < 2; i++) {
        char out[600];
        snprintf(out, sizeof out, "%s/%s-voice.%s", dir, name, ext[i]);
        snprintf(args, sizeof args, "render '%s' -o '%s' --quiet", cfg, out);
        int rc = run_calfpace(args);
        CHECK(rc == 0, "calfpace %s exits 0, got %d", args, rc);
        snprintf(what, sizeof what, "%s.%s", name, ext[i]);
        if (rc == 0)
            check_taps_under_speech(r, wav, out, what);
    }
    routine_destroy(r);
}

int main(void)
{
    char dir[512], cfg[600];
    tmp_dir(dir, sizeof dir, "encoded");
    const char *src = getenv("CALFPACE_SOURCE");
    /* Taps hard left and right at a rising tempo, at a rate MP3 keeps and
     * one Opus must leave. */
    snprintf(cfg, sizeof cfg, "%s/tapping.cfg", dir);
    write_text(cfg, "name = \"Tapping\";\n"
                    "rate = 44100;\n"
                    "repeat = 2;\n"
                    "steps = ( { type = \"paced\"; name = \"Tapping\";\n"
                    "  tempo = { from = 80.0; to = 160.0; }; seconds = 20.0;\n"
                    "  pan = [ -1.0, 1.0 ]; lead_in = 1.0; },\n"
                    "  { type = \"rest\"; name = \"Breathe\"; seconds = 2.0; } );\n");
    test_format(cfg, dir, "tapping", "mp3", 1);
    test_format(cfg, dir, "tapping", "opus", 1);
    test_format(cfg, dir, "tapping", "flac", 0);
    test_format(cfg, dir, "tapping", "ogg", 0);
    /* Speech over hard-panned taps: the shipped announcements ("halfway",
     * "ten more", "last five") over a quick ramp, then numbers counted aloud
     * on the beat, each ducking the taps under it. */
    char cache[600], voiced[600];
    snprintf(cache, sizeof cache, "%s/cache", dir);
    setenv("XDG_CACHE_HOME", cache, 1);
    snprintf(voiced, sizeof voiced, "%s/voiced.cfg", dir);
    write_text(voiced, "name = \"Tapping under speech\";\n"
                       "rate = 48000;\n"
                       "say = \"Tap your feet, left and right\";\n"
                       "lead_in = 3.0;\n"
                       "steps = ( { type = \"paced\"; name = \"Tapping\"; cue = \"tapping\";\n"
                       "  lead_in = 8.5; tempo = { from = 100.0; to = 160.0; }; seconds = 40.0;\n"
                       "  sounds = [ \"tap\" ]; pan = [ -1.0, 1.0 ]; },\n"
                       "  { type = \"paced\"; name = \"Counted\"; say = \"Now counted\";\n"
                       "  tempo = { from = 60.0; to = 70.0; }; seconds = 20.0; lead_in = 7.0;\n"
                       "  sounds = [ \"tap\" ]; pan = [ -1.0, 1.0 ]; count_aloud = true; } );\n");
    test_speech_over_taps(voiced, dir, "voiced");
    /* The shipped routine takes half a minute to encode: only when asked
     * (bench/encoded.sh asks). */
    if (getenv("CALFPACE_ENCODE_SHIPPED")) {
        char shipped[1024];
        snprintf(shipped, sizeof shipped, "%s/config/calf-pump.cfg", src ? src : ".");
        test_format(shipped, dir, "calf-pump", "mp3", 1);
        test_format(shipped, dir, "calf-pump", "opus", 1);
        test_speech_over_taps(shipped, dir, "calf-pump");
    }
    tmp_cleanup(dir);
    return CHECK_DONE("test_encoded");
}
