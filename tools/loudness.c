/* loudness: ITU-R BS.1770 loudness of sound files, with libebur128.
 *
 *   loudness FILE...                one line per file:
 *       LUFS  PEAK_DBFS  SECONDS  FILE
 *   loudness --windows MS FILE START...
 *       for each START (a sample index), the loudness of the MS ms of FILE
 *       that start there:  START  LUFS
 *   loudness --edges DB FILE
 *       where the sound starts and ends: the first frame of the first and
 *       the last frame of the last 5 ms window whose RMS reaches DB decibels
 *       re the loudest window (DB <= 0):  FIRST  LAST  FRAMES
 *
 * LUFS is the integrated (gated) loudness of EBU R128.  A clip shorter than
 * one 400 ms gating block has no integrated loudness, so for those the
 * loudness of the whole clip as one window is given (the same K-weighted
 * mean square, without gating).  Used by sounds/make-sounds.sh to bring every
 * spoken clip to one loudness and by the tests that check it.  Exit status:
 * 0 ok, 1 a file could not be read or measured, 2 bad usage.
 */
#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float *read_all(const char *path, SF_INFO *info)
{
    memset(info, 0, sizeof *info);
    SNDFILE *f = sf_open(path, SFM_READ, info);
    if (!f) {
        fprintf(stderr, "loudness: %s: %s\n", path, sf_strerror(NULL));
        return NULL;
    }
    size_t n = (size_t)info->frames * (size_t)info->channels;
    float *buf = malloc((n ? n : 1) * sizeof *buf);
    if (!buf || sf_readf_float(f, buf, info->frames) != info->frames) {
        fprintf(stderr, "loudness: %s: cannot read %lld frames\n", path,
                (long long)info->frames);
        free(buf);
        sf_close(f);
        return NULL;
    }
    sf_close(f);
    return buf;
}

static ebur128_state *meter(const SF_INFO *info, unsigned long window_ms)
{
    ebur128_state *st = ebur128_init((unsigned)info->channels, (unsigned long)info->samplerate,
                                     EBUR128_MODE_I | EBUR128_MODE_SAMPLE_PEAK);
    if (st && window_ms > 0) {
        int rc = ebur128_set_max_window(st, window_ms);
        if (rc != EBUR128_SUCCESS && rc != EBUR128_ERROR_NO_CHANGE)
            ebur128_destroy(&st);
    }
    return st;
}

static int measure(const char *path)
{
    SF_INFO info;
    float *buf = read_all(path, &info);
    if (!buf)
        return 1;
    double secs = (double)info.frames / info.samplerate;
    unsigned long whole_ms = (unsigned long)ceil(secs * 1000.0);
    ebur128_state *st = meter(&info, secs >= 0.4 ? 0 : 400);
    double lufs = -HUGE_VAL, peak = 0.0;
    int ok = st && ebur128_add_frames_float(st, buf, (size_t)info.frames) == EBUR128_SUCCESS;
    if (ok) {
        if (secs >= 0.4)
            ok = ebur128_loudness_global(st, &lufs) == EBUR128_SUCCESS;
        else
            ok = ebur128_loudness_window(st, whole_ms, &lufs) == EBUR128_SUCCESS;
        for (unsigned c = 0; ok && c < (unsigned)info.channels; c++) {
            double p;
            ok = ebur128_sample_peak(st, c, &p) == EBUR128_SUCCESS;
            if (p > peak)
                peak = p;
        }
    }
    if (st)
        ebur128_destroy(&st);
    free(buf);
    if (!ok) {
        fprintf(stderr, "loudness: %s: cannot measure\n", path);
        return 1;
    }
    printf("%.2f\t%.2f\t%.3f\t%s\n", lufs, peak > 0 ? 20.0 * log10(peak) : -200.0, secs, path);
    return 0;
}

static int windows(const char *path, unsigned long ms, char **starts, int n)
{
    SF_INFO info;
    float *buf = read_all(path, &info);
    if (!buf)
        return 1;
    long long len = (long long)((double)ms * info.samplerate / 1000.0 + 0.5);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        char *end;
        long long s = strtoll(starts[i], &end, 10);
        if (*end || s < 0 || s + len > info.frames) {
            fprintf(stderr, "loudness: %s: window at %s is outside the file (%lld frames)\n",
                    path, starts[i], (long long)info.frames);
            rc = 1;
            break;
        }
        ebur128_state *st = meter(&info, ms);
        double lufs = -HUGE_VAL;
        if (!st ||
            ebur128_add_frames_float(st, buf + s * info.channels, (size_t)len) !=
                EBUR128_SUCCESS ||
            ebur128_loudness_window(st, ms, &lufs) != EBUR128_SUCCESS) {
            fprintf(stderr, "loudness: %s: cannot measure the window at %lld\n", path, s);
            rc = 1;
        } else {
            printf("%lld\t%.2f\n", s, lufs);
        }
        if (st)
            ebur128_destroy(&st);
    }
    free(buf);
    return rc;
}

/* Speech starts where its level first rises above the synthesiser's floor:
 * the RMS of a 5 ms window (moved 1 ms at a time, channels summed) against
 * the loudest such window.  Samples, not windows, would let one stray peak in
 * the background decide, or miss a fricative whose samples cross zero. */
static int edges(const char *path, double db)
{
    SF_INFO info;
    float *buf = read_all(path, &info);
    if (!buf)
        return 1;
    long long win = info.samplerate / 200, hop = info.samplerate / 1000;
    long long frames = info.frames, nwin = frames >= win ? (frames - win) / hop + 1 : 0;
    double *ms = calloc((size_t)(nwin ? nwin : 1), sizeof *ms), top = 0.0;
    for (long long w = 0; ms && w < nwin; w++) {
        double acc = 0.0;
        for (long long i = w * hop; i < w * hop + win; i++)
            for (int c = 0; c < info.channels; c++) {
                double v = buf[i * info.channels + c];
                acc += v * v;
            }
        ms[w] = acc / (double)win;
        if (ms[w] > top)
            top = ms[w];
    }
    free(buf);
    long long first = -1, last = -1;
    double level = top * pow(10.0, db / 10.0);
    for (long long w = 0; ms && w < nwin && top > 0.0; w++)
        if (ms[w] >= level) {
            if (first < 0)
                first = w * hop;
            last = w * hop + win - 1;
        }
    free(ms);
    if (first < 0) {
        fprintf(stderr, "loudness: %s: silent or shorter than 5 ms\n", path);
        return 1;
    }
    printf("%lld\t%lld\t%lld\n", first, last, frames);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--edges") == 0) {
        char *end;
        double db = strtod(argv[2], &end);
        if (*end || db > 0.0) {
            fprintf(stderr, "loudness: --edges DB: DB must be a number <= 0\n");
            return 2;
        }
        return edges(argv[3], db);
    }
    if (argc >= 5 && strcmp(argv[1], "--windows") == 0) {
        long ms = strtol(argv[2], NULL, 10);
        if (ms <= 0) {
            fprintf(stderr, "loudness: --windows MS: MS must be a positive number of ms\n");
            return 2;
        }
        return windows(argv[3], (unsigned long)ms, argv + 4, argc - 4);
    }
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: loudness FILE...\n       loudness --windows MS FILE START...\n"
                        "       loudness --edges DB FILE\n");
        return 2;
    }
    int rc = 0;
    for (int i = 1; i < argc; i++)
        if (measure(argv[i]))
            rc = 1;
    return rc;
}
