/* Encoded renders: MP3 and Opus files decoded the way a player decodes them
 * (ffmpeg, which honours the LAME tag's encoder delay and padding and Opus's
 * pre-skip) put every click within 1 ms of its planned time; each file
 * carries its title and a chapter per part of the session, which ffprobe
 * lists with names and starts within 10 ms of the plan. */
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

/* Every planned beat of R has an onset within 1 ms in the decoded FILE, on
 * the side its pan puts it, and there are no others. */
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
    size_t found = 0, onsets_total = 0;
    for (int c = 0; c < 2; c++) {
        struct onsets o = {0};
        struct onset_state st = {0};
        onset_scan(&o, &st, x, frames, 2, c, 0, THRESHOLD, (int64_t)(0.010 * rate));
        onsets_total += o.n;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (c == 0 ? e[i].pan >= 1.0 : e[i].pan <= -1.0)
                continue;
            double want = (double)e[i].frame / r->rate;
            while (k < o.n && (double)o.frame[k] / rate < want - 0.005)
                k++;
            double d = k < o.n ? (double)o.frame[k] / rate - want : 1e9;
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
    CHECK(found == onsets_total, "%s: %zu onsets decoded, %zu of them planned beats", what,
          onsets_total, found);
    printf("%s: %zu clicks within 1 ms of the plan, worst %.3f ms\n", what, found, worst * 1000.0);
    free(e);
    free(x);
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
    /* The shipped routine takes half a minute to encode: only when asked
     * (bench/encoded.sh asks). */
    if (getenv("CALFPACE_ENCODE_SHIPPED")) {
        char shipped[1024];
        snprintf(shipped, sizeof shipped, "%s/config/calf-pump.cfg", src ? src : ".");
        test_format(shipped, dir, "calf-pump", "mp3", 1);
        test_format(shipped, dir, "calf-pump", "opus", 1);
    }
    tmp_cleanup(dir);
    return CHECK_DONE("test_encoded");
}
