/* Clip loading: any rate is resampled to the output rate with its pitch and
 * length kept, any channel count is mixed down, and every broken or missing
 * file is named in the error. */
#include "check.h"
#include "clips.h"
#include "render_util.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void write_tone(const char *path, int rate, int channels, double seconds, double freq)
{
    SF_INFO info = {.samplerate = rate, .channels = channels,
                    .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, sf_strerror(NULL));
        exit(1);
    }
    int64_t n = (int64_t)(seconds * rate);
    float *x = malloc((size_t)(n * channels) * sizeof *x);
    for (int64_t i = 0; i < n; i++)
        for (int c = 0; c < channels; c++)
            x[i * channels + c] = (float)(0.5 * sin(2.0 * M_PI * freq * (double)i / rate)) *
                                  (c == 0 ? 1.0f : 0.0f); /* only channel 0 sounds */
    sf_writef_float(f, x, n);
    sf_close(f);
    free(x);
}

/* Frequency from the number of upward zero crossings. */
static double measure_freq(const struct clip *c, int rate)
{
    int crossings = 0;
    int64_t first = -1, last = -1;
    for (int64_t i = 1; i < c->frames; i++)
        if (c->data[i - 1] < 0 && c->data[i] >= 0) {
            if (first < 0)
                first = i;
            last = i;
            crossings++;
        }
    return crossings > 1 ? (crossings - 1) * (double)rate / (double)(last - first) : 0.0;
}

static void test_rates(const char *dir)
{
    const int rates[] = {8000, 22050, 44100, 48000, 96000, 192000};
    const int channels[] = {1, 2, 8};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        for (size_t j = 0; j < sizeof channels / sizeof channels[0]; j++) {
            char name[64], path[512], err[2048];
            snprintf(name, sizeof name, "tone-%d-%d", rates[i], channels[j]);
            snprintf(path, sizeof path, "%s/%s.wav", dir, name);
            write_tone(path, rates[i], channels[j], 0.5, 1000.0);
            struct clip_bank *b = clip_bank_create(48000);
            clip_bank_add_dir(b, dir);
            int idx = clip_bank_load(b, name, err, sizeof err);
            CHECK(idx >= 0, "%s loads: %s", name, err);
            const struct clip *c = clip_bank_get(b, idx);
            if (c) {
                CHECK(llabs(c->frames - 24000) <= 2, "%s: 0.5 s is 24000 frames at 48 kHz, got %lld",
                      name, (long long)c->frames);
                double f = measure_freq(c, 48000);
                CHECK(fabs(f - 1000.0) < 1.0, "%s: 1 kHz stays 1 kHz, measured %.2f", name, f);
                float peak = 0.0f;
                for (int64_t k = c->frames / 4; k < 3 * c->frames / 4; k++)
                    peak = fmaxf(peak, fabsf((float)c->data[k] / MIXER_SAMPLE_MAX));
                float want = 0.5f / (float)channels[j];
                CHECK(fabsf(peak - want) < 0.01f, "%s: mixed down to %.3f, got %.3f", name,
                      (double)want, (double)peak);
            }
            clip_bank_destroy(b);
        }
    }
    printf("1 kHz tones at 8 to 192 kHz with 1, 2 and 8 channels: resampled to 48 kHz, pitch and "
           "length kept, mixed down\n");
}

static void expect_error(struct clip_bank *b, const char *name, const char *want)
{
    char err[2048] = "";
    int idx = clip_bank_load(b, name, err, sizeof err);
    CHECK(idx < 0, "%s is refused", name);
    CHECK(strstr(err, want) != NULL, "%s: got \"%s\", want \"%s\"", name, err, want);
}

static void test_errors(const char *dir)
{
    char path[512], want[600];
    struct clip_bank *b = clip_bank_create(48000);
    clip_bank_add_dir(b, dir);

    snprintf(want, sizeof want, "no sound 'nothing' (looked for nothing.wav, .flac, .ogg, ... in %s)",
             dir);
    expect_error(b, "nothing", want);

    snprintf(path, sizeof path, "%s/text.wav", dir);
    write_text(path, "this is not audio at all, just some words\n");
    snprintf(want, sizeof want, "%s: not a sound file calfpace can read", path);
    expect_error(b, "text", want);

    snprintf(path, sizeof path, "%s/empty.wav", dir);
    SF_INFO info = {.samplerate = 48000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    sf_close(f);
    snprintf(want, sizeof want, "%s: holds no audio (0 frames", path);
    expect_error(b, "empty", want);

    clip_bank_destroy(b);
    printf("missing, not audio and empty files are refused, each named\n");
}

int main(void)
{
    char dir[256];
    tmp_dir(dir, sizeof dir, "clips");
    test_rates(dir);
    test_errors(dir);
    tmp_cleanup(dir);
    return CHECK_DONE("test_clips");
}
