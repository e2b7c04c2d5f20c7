/* live_compare: check a recording of live playback against the session plan.
 *
 *   live_compare --write-click FILE.wav
 *       writes the test click: 5 ms mono 48 kHz, its first sample at its peak,
 *       so that the onset in the recording is the click's first sample.
 *
 *   live_compare REC.raw EVENTS [--rate HZ] [--tolerance SAMPLES] [--threshold X]
 *       REC.raw is raw s16le stereo (what parec --raw writes); EVENTS is the
 *       output of 'calfpace check ROUTINE --events'.  Finds click onsets on
 *       each channel and checks, against the plan's beat lines:
 *         - as many clicks recorded as beats planned;
 *         - each click on the channels its pan puts it on (a hard-panned beat
 *           only on its side, a centred one on both);
 *         - every interval between consecutive clicks equal to the planned one
 *           within the tolerance (default 2 samples), and no drift of any
 *           click from the plan once the first click's offset is removed.
 *       Prints what it checked; exits 0 when all holds, 1 on any mismatch,
 *       2 on unreadable input.
 *
 * The recording starts at an arbitrary moment before playback, so only
 * differences between frames are compared, never absolute positions. */
#include "onset.h"

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SHOWN 8 /* mismatches printed in full before "and N more" */

struct beat {
    int64_t frame;
    double pan;
};

struct click {
    int64_t frame; /* the earlier of the channels' onsets */
    int64_t frame_left, frame_right; /* -1 when absent on that side */
    float peak_left, peak_right;
};

static int write_click(const char *path)
{
    enum { RATE = 48000, FRAMES = RATE * 5 / 1000 };
    float x[FRAMES];
    /* A decaying cosine: starts at its peak (0.9), dies out within 5 ms. */
    for (int i = 0; i < FRAMES; i++) {
        double t = (double)i / RATE;
        x[i] = (float)(0.9 * cos(2.0 * M_PI * 2000.0 * t) * exp(-t / 0.0012));
    }
    x[FRAMES - 1] = 0.0f;
    SF_INFO info;
    memset(&info, 0, sizeof info);
    info.samplerate = RATE;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        fprintf(stderr, "live_compare: cannot write %s: %s\n", path, sf_strerror(NULL));
        return 2;
    }
    sf_count_t n = sf_writef_float(f, x, FRAMES);
    int rc = sf_close(f);
    if (n != FRAMES || rc != 0) {
        fprintf(stderr, "live_compare: short write to %s\n", path);
        return 2;
    }
    return 0;
}

/* The beat lines of 'calfpace check --events': FRAME beat ROUND STEP BEAT PAN, after a
 * header line starting with '#'. */
static int read_beats(const char *path, struct beat **out, size_t *n_out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "live_compare: %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct beat *b = NULL;
    size_t n = 0, cap = 0;
    char line[512];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (line[0] == '#')
            continue; /* the header */
        long long frame;
        char kind[32];
        int round, step, beat;
        double pan;
        int got = sscanf(line, "%lld %31s %d %d %d %lf", &frame, kind, &round, &step, &beat, &pan);
        if (got != 6) {
            fprintf(stderr, "live_compare: %s:%d: not an event line: %s", path, lineno, line);
            fclose(f);
            free(b);
            return -1;
        }
        if (strcmp(kind, "beat") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct beat *nb = realloc(b, cap * sizeof *b);
            if (!nb)
                abort();
            b = nb;
        }
        b[n].frame = frame;
        b[n].pan = pan;
        n++;
    }
    fclose(f);
    *out = b;
    *n_out = n;
    return 0;
}

/* Reads raw s16le stereo as interleaved float. */
static int64_t read_raw(const char *path, float **out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "live_compare: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 20, n = 0;
    unsigned char *bytes = malloc(cap);
    if (!bytes)
        abort();
    size_t got;
    while ((got = fread(bytes + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            unsigned char *nb = realloc(bytes, cap);
            if (!nb)
                abort();
            bytes = nb;
        }
    }
    fclose(f);
    size_t frames = n / 4;
    float *x = malloc((frames * 2 + 1) * sizeof *x);
    if (!x)
        abort();
    for (size_t i = 0; i < frames * 2; i++) {
        int16_t s = (int16_t)(uint16_t)(bytes[2 * i] | (bytes[2 * i + 1] << 8));
        x[i] = (float)s / 32768.0f;
    }
    free(bytes);
    *out = x;
    return (int64_t)frames;
}

/* Pairs the two channels' onsets into clicks: onsets closer than JOIN frames
 * are one click heard on both sides. */
static size_t join_channels(const struct onsets *l, const struct onsets *r, int64_t join,
                            struct click **out)
{
    struct click *c = calloc(l->n + r->n + 1, sizeof *c);
    if (!c)
        abort();
    size_t i = 0, j = 0, n = 0;
    while (i < l->n || j < r->n) {
        struct click k = {.frame_left = -1, .frame_right = -1};
        int64_t fl = i < l->n ? l->frame[i] : INT64_MAX;
        int64_t fr = j < r->n ? r->frame[j] : INT64_MAX;
        if (fl != INT64_MAX && fr != INT64_MAX && llabs(fl - fr) <= join) {
            k.frame_left = fl;
            k.peak_left = l->peak[i++];
            k.frame_right = fr;
            k.peak_right = r->peak[j++];
        } else if (fl < fr) {
            k.frame_left = fl;
            k.peak_left = l->peak[i++];
        } else {
            k.frame_right = fr;
            k.peak_right = r->peak[j++];
        }
        k.frame = k.frame_left < 0 ? k.frame_right
                  : k.frame_right < 0 ? k.frame_left
                  : (k.frame_left < k.frame_right ? k.frame_left : k.frame_right);
        c[n++] = k;
    }
    *out = c;
    return n;
}

static const char *sides(int left, int right)
{
    return left && right ? "both" : left ? "left" : right ? "right" : "neither";
}

/* 1 if a beat at PAN must sound on the side, 0 if it must not, -1 if either is fine
 * (so little of it reaches that side that the threshold decides). */
static int expect_side(double pan, int right)
{
    double theta = (pan + 1.0) * M_PI / 4.0;
    double gain = right ? sin(theta) : cos(theta);
    if ((right && pan <= -1.0) || (!right && pan >= 1.0))
        return 0;
    return gain >= 0.25 ? 1 : -1;
}

static void usage(void)
{
    fprintf(stderr, "Usage: live_compare REC.raw EVENTS [--rate HZ] [--tolerance SAMPLES] "
                    "[--threshold X]\n"
                    "       live_compare --write-click FILE.wav\n");
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-click") == 0)
        return write_click(argv[2]);
    if (argc < 3) {
        usage();
        return 2;
    }
    const char *rec_path = argv[1], *events_path = argv[2];
    int rate = 48000;
    int64_t tolerance = 2;
    float threshold = 0.02f;
    for (int a = 3; a < argc; a++) {
        if (a + 1 < argc && strcmp(argv[a], "--rate") == 0)
            rate = atoi(argv[++a]);
        else if (a + 1 < argc && strcmp(argv[a], "--tolerance") == 0)
            tolerance = atoll(argv[++a]);
        else if (a + 1 < argc && strcmp(argv[a], "--threshold") == 0)
            threshold = strtof(argv[++a], NULL);
        else {
            usage();
            return 2;
        }
    }
    if (rate <= 0 || tolerance < 0 || !(threshold > 0.0f && threshold < 1.0f)) {
        usage();
        return 2;
    }

    struct beat *beats;
    size_t n_beats;
    if (read_beats(events_path, &beats, &n_beats) != 0)
        return 2;
    float *x;
    int64_t frames = read_raw(rec_path, &x);
    if (frames < 0) {
        free(beats);
        return 2;
    }
    printf("live_compare: %s: %lld frames (%.2f s) of stereo at %d Hz; plan %s: %zu beats\n",
           rec_path, (long long)frames, (double)frames / rate, rate, events_path, n_beats);
    if (n_beats < 2) {
        printf("FAIL: the plan has %zu beats; the test routine needs at least 2\n", n_beats);
        return 1;
    }

    /* Clicks are 5 ms; beats are hundreds of ms apart.  A 10 ms gap ends a click. */
    int64_t min_gap = rate / 100;
    struct onsets on[2];
    memset(on, 0, sizeof on);
    for (int ch = 0; ch < 2; ch++) {
        struct onset_state st;
        memset(&st, 0, sizeof st);
        onset_scan(&on[ch], &st, x, frames, 2, ch, 0, threshold, min_gap);
    }
    float loudest = 0.0f;
    for (int64_t i = 0; i < frames * 2; i++)
        if (fabsf(x[i]) > loudest)
            loudest = fabsf(x[i]);
    struct click *clicks;
    size_t n_clicks = join_channels(&on[0], &on[1], min_gap / 2, &clicks);
    printf("  recorded: %zu onsets left, %zu right, %zu clicks; loudest sample %.3f; "
           "threshold %.3f\n",
           on[0].n, on[1].n, n_clicks, (double)loudest, (double)threshold);

    int failures = 0;
    if (n_clicks != n_beats) {
        failures++;
        printf("FAIL: %zu clicks recorded, %zu beats planned\n", n_clicks, n_beats);
        size_t show = n_clicks > n_beats ? n_clicks : n_beats;
        if (show > 40)
            show = 40;
        printf("  %-5s %-12s %-12s %-8s\n", "#", "planned", "recorded", "sides");
        for (size_t i = 0; i < show; i++) {
            char p[32] = "-", r[32] = "-";
            if (i < n_beats)
                snprintf(p, sizeof p, "%lld", (long long)(beats[i].frame - beats[0].frame));
            if (i < n_clicks && n_clicks > 0)
                snprintf(r, sizeof r, "%lld", (long long)(clicks[i].frame - clicks[0].frame));
            printf("  %-5zu %-12s %-12s %s\n", i, p, r,
                   i < n_clicks ? sides(clicks[i].frame_left >= 0, clicks[i].frame_right >= 0)
                                : "");
        }
    }

    size_t n = n_clicks < n_beats ? n_clicks : n_beats;
    int side_bad = 0, interval_bad = 0, drift_bad = 0, split_bad = 0;
    int64_t worst_interval = 0, worst_drift = 0, worst_split = 0;
    int64_t offset = n > 0 ? clicks[0].frame - beats[0].frame : 0;
    for (size_t i = 0; i < n; i++) {
        int has[2] = {clicks[i].frame_left >= 0, clicks[i].frame_right >= 0};
        for (int ch = 0; ch < 2; ch++) {
            int want = expect_side(beats[i].pan, ch);
            if (want >= 0 && want != has[ch]) {
                if (side_bad++ < MAX_SHOWN)
                    printf("FAIL: beat %zu (pan %g) heard on %s; expected %s on the %s side\n", i,
                           beats[i].pan, sides(has[0], has[1]), want ? "sound" : "nothing",
                           ch ? "right" : "left");
            }
        }
        if (has[0] && has[1]) {
            int64_t split = llabs(clicks[i].frame_left - clicks[i].frame_right);
            if (split > worst_split)
                worst_split = split;
            if (split > tolerance && split_bad++ < MAX_SHOWN)
                printf("FAIL: beat %zu starts %lld samples apart on the two sides\n", i,
                       (long long)split);
        }
        int64_t drift = clicks[i].frame - beats[i].frame - offset;
        if (llabs(drift) > worst_drift)
            worst_drift = llabs(drift);
        if (llabs(drift) > tolerance && drift_bad++ < MAX_SHOWN)
            printf("FAIL: beat %zu is %+lld samples from the plan (after the first beat's "
                   "offset of %lld)\n",
                   i, (long long)drift, (long long)offset);
        if (i == 0)
            continue;
        int64_t want = beats[i].frame - beats[i - 1].frame;
        int64_t got = clicks[i].frame - clicks[i - 1].frame;
        int64_t dev = got - want;
        if (llabs(dev) > worst_interval)
            worst_interval = llabs(dev);
        if (llabs(dev) > tolerance && interval_bad++ < MAX_SHOWN)
            printf("FAIL: interval %zu-%zu is %lld samples, planned %lld (%+lld)\n", i - 1, i,
                   (long long)got, (long long)want, (long long)dev);
    }
    failures += side_bad + interval_bad + drift_bad + split_bad;

    int hard = 0, centred = 0;
    for (size_t i = 0; i < n_beats; i++) {
        if (fabs(beats[i].pan) >= 1.0)
            hard++;
        else
            centred++;
    }
    printf("  count: %zu clicks recorded, %zu planned: %s\n", n_clicks, n_beats,
           n_clicks == n_beats ? "ok" : "MISMATCH");
    printf("  sides: %zu beats checked (%d hard-panned, %d not), %d on the wrong side\n", n,
           hard, centred, side_bad);
    printf("  intervals: %zu checked, max deviation %lld samples (tolerance %lld), %d outside\n",
           n > 0 ? n - 1 : 0, (long long)worst_interval, (long long)tolerance, interval_bad);
    printf("  drift: first click %lld frames into the recording, max drift from the plan %lld "
           "samples, %d outside\n",
           (long long)(n > 0 ? clicks[0].frame : -1), (long long)worst_drift, drift_bad);
    printf("  both-sided clicks: max left/right split %lld samples, %d outside\n",
           (long long)worst_split, split_bad);
    printf("live_compare: %s\n", failures ? "FAILED" : "ok");

    free(clicks);
    onsets_free(&on[0]);
    onsets_free(&on[1]);
    free(x);
    free(beats);
    return failures ? 1 : 0;
}
