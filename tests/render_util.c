#include "render_util.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

void tmp_dir(char *out, size_t outlen, const char *tag)
{
    snprintf(out, outlen, "/tmp/calfpace-%s-XXXXXX", tag);
    if (!mkdtemp(out)) {
        perror("mkdtemp");
        exit(1);
    }
}

int tmp_cleanup(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "chmod -R u+w '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
        return -1;
    }
    return 0;
}

void write_click(const char *path, int rate, float amp, int len)
{
    SF_INFO info = {.samplerate = rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, sf_strerror(NULL));
        exit(1);
    }
    float *x = calloc((size_t)len + 64, sizeof *x);
    for (int i = 0; i < len; i++)
        x[i] = amp * expf(-6.0f * (float)i / (float)len) * (i % 2 ? 0.8f : 1.0f);
    sf_writef_float(f, x, len + 64);
    sf_close(f);
    free(x);
}

void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

const char *read_text(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
    return buf;
}

int run_calfpace(const char *args)
{
    const char *bin = getenv("CALFPACE");
    if (!bin) {
        fprintf(stderr, "CALFPACE is not set (run through ctest)\n");
        exit(1);
    }
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s", bin, args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* The root of phase(t) = k, as the format defines it. */
static double beat_time(double from, double to, double S, double k)
{
    double a = (to - from) / (120.0 * S), b = from / 60.0;
    if (a == 0.0)
        return k / b;
    return (-b + sqrt(b * b + 4.0 * a * k)) / (2.0 * a);
}

size_t expected_beats(const struct routine *r, struct expected_beat **out)
{
    size_t n = 0, cap = 1024;
    struct expected_beat *e = malloc(cap * sizeof *e);
    double start = 0.1 + (r->cue[0] ? r->lead_in : 0.0);
    for (int round = 0; round < r->repeat; round++) {
        for (int i = 0; i < r->n_steps; i++) {
            const struct step *st = &r->steps[i];
            double S = st->beats_given ? 120.0 * st->beats / (st->tempo_from + st->tempo_to)
                                       : st->seconds;
            double body = start + st->lead_in;
            for (int k = 0; st->type == STEP_PACED; k++) {
                if (st->beats_given && k >= st->beats)
                    break;
                double t = beat_time(st->tempo_from, st->tempo_to, S, k);
                if (!(t < S * (1.0 - 1e-12)) || isnan(t))
                    break;
                if (n == cap)
                    e = realloc(e, (cap *= 2) * sizeof *e);
                e[n].frame = (int64_t)llround((body + t) * r->rate);
                e[n].step = i;
                e[n].beat = k;
                e[n].pan = st->pan[k % st->n_pan];
                n++;
            }
            start = body + S;
        }
    }
    *out = e;
    return n;
}
