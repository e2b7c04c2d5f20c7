/* The mixer: gains and the pan law, the limiter's bound, smooth ramps, and
 * what happens when more voices start than the pool holds. */
#include "check.h"
#include "mixer.h"

#include <math.h>
#include <string.h>

#define RATE 48000

static mixer_sample ones[RATE];
static float out[2 * RATE];

static void test_pan_law(void)
{
    float l, r;
    mixer_pan_gains(-1.0f, &l, &r);
    CHECK(l == 1.0f && r == 0.0f, "pan -1 is the left channel alone: %g %g", l, r);
    mixer_pan_gains(1.0f, &l, &r);
    CHECK(l == 0.0f && r == 1.0f, "pan +1 is the right channel alone: %g %g", l, r);
    mixer_pan_gains(0.0f, &l, &r);
    CHECK(fabsf(l - (float)M_SQRT1_2) < 1e-6f && fabsf(r - l) < 1e-6f, "centre is -3 dB each");
    for (float p = -1.0f; p <= 1.0f; p += 0.125f) {
        mixer_pan_gains(p, &l, &r);
        CHECK(fabsf(l * l + r * r - 1.0f) < 1e-6f, "constant power at pan %g", p);
    }
    printf("pan law: hard left/right exact, -3 dB centre, constant power across\n");
}

static void test_gain(void)
{
    static struct mixer m;
    mixer_init(&m, RATE);
    for (int i = 0; i < RATE; i++)
        ones[i] = (mixer_sample)lrintf(0.5f * MIXER_SAMPLE_MAX);
    mixer_add_voice(&m, ones, 100, mixer_db_to_gain(-6.0206), -1.0f, MIXER_BUS_CLICKS);
    mixer_render(&m, out, 200);
    CHECK(fabsf(out[0] - 0.25f) < 1e-4f && out[1] == 0.0f, "-6 dB of 0.5 hard left: %g %g", out[0],
          out[1]);
    CHECK(fabsf(out[2 * 99] - 0.25f) < 1e-4f && out[2 * 100] == 0.0f, "plays its 100 frames");
    CHECK(mixer_active_voices(&m) == 0, "a finished voice is dropped");
    /* Two voices add. */
    mixer_add_voice(&m, ones, 10, 1.0f, 1.0f, MIXER_BUS_CLICKS);
    mixer_add_voice(&m, ones, 10, 1.0f, 1.0f, MIXER_BUS_VOICE);
    mixer_render(&m, out, 10);
    CHECK(fabsf(out[1] - (0.9f + 0.1f * tanhf(1.0f))) < 1e-4f,
          "0.5 + 0.5 goes past the knee and bends to 0.9 + 0.1 tanh(1): %g", out[1]);
    printf("gain: dB to linear, voices sum, finished voices leave the pool\n");
}

static void test_limiter(void)
{
    CHECK(mixer_limit(0.5f) == 0.5f && mixer_limit(-0.9f) == -0.9f, "identity below the knee");
    float prev = 0.0f, bad_at = -1.0f;
    for (float x = 0.0f; x < 100.0f; x += 0.01f) {
        float y = mixer_limit(x);
        if (!(y >= prev && y <= 1.0f && mixer_limit(-x) == -y) && bad_at < 0.0f)
            bad_at = x;
        prev = y;
    }
    CHECK(bad_at < 0.0f, "bounded by 1, odd and monotonic from 0 to 100 (first fault at %g)",
          bad_at);
    CHECK(mixer_limit(NAN) == 0.0f, "NaN never reaches the device");
    CHECK(mixer_limit(INFINITY) <= 1.0f, "inf bounded");
    static struct mixer m;
    mixer_init(&m, RATE);
    for (int i = 0; i < RATE; i++)
        ones[i] = (mixer_sample)MIXER_SAMPLE_MAX;
    for (int v = 0; v < MIXER_MAX_VOICES; v++)
        mixer_add_voice(&m, ones, RATE, mixer_db_to_gain(12.0), 0.0f, MIXER_BUS_CLICKS);
    mixer_render(&m, out, RATE);
    float peak = 0.0f;
    for (int i = 0; i < 2 * RATE; i++)
        peak = fmaxf(peak, fabsf(out[i]));
    CHECK(peak <= 1.0f, "64 full-scale voices at +12 dB stay within [-1, 1]: %g", peak);
    CHECK(m.frames_limited > 0, "and the limiter says it worked");
    printf("limiter: identity below %.1f, bounded by 1, 64 voices at +12 dB peak at %.4f\n",
           (double)MIXER_KNEE, (double)peak);
}

static void test_ramps(void)
{
    static struct mixer m;
    mixer_init(&m, RATE);
    for (int i = 0; i < RATE; i++)
        ones[i] = (mixer_sample)lrintf(0.5f * MIXER_SAMPLE_MAX);
    mixer_add_voice(&m, ones, RATE, 1.0f, -1.0f, MIXER_BUS_CLICKS);
    mixer_render(&m, out, 100);
    mixer_set_bus_gain(&m, MIXER_BUS_CLICKS, mixer_db_to_gain(-12.0), 0.0);
    mixer_render(&m, out, 2000);
    float biggest = 0.0f;
    for (int i = 1; i < 2000; i++)
        biggest = fmaxf(biggest, fabsf(out[2 * i] - out[2 * i - 2]));
    int frames = (int)(MIXER_RAMP_SECONDS * RATE);
    CHECK(biggest < 0.5f * (1.0f - mixer_db_to_gain(-12.0)) / (float)frames * 1.01f,
          "a -12 dB change moves in steps no bigger than a %d-frame ramp's: %g", frames, biggest);
    CHECK(fabsf(out[2 * 1999] - 0.5f * mixer_db_to_gain(-12.0)) < 1e-4f, "and arrives: %g",
          out[2 * 1999]);
    /* Fade-out to silence. */
    mixer_set_master_gain(&m, 0.0f, 0.05);
    mixer_render(&m, out, (int)(0.05 * RATE) + 2);
    CHECK(mixer_is_silent(&m), "silent after a 50 ms fade");
    printf("ramps: a gain change glides over %d frames; a fade ends in silence\n", frames);
}

static void test_pool(void)
{
    static struct mixer m;
    mixer_init(&m, RATE);
    for (int v = 0; v < MIXER_MAX_VOICES + 5; v++)
        mixer_add_voice(&m, ones, 1000 + v, 0.01f, 0.0f, MIXER_BUS_CLICKS);
    CHECK(mixer_active_voices(&m) == MIXER_MAX_VOICES, "the pool holds %d", MIXER_MAX_VOICES);
    CHECK(m.voices_dropped == 5, "5 voices made way, counted: %llu",
          (unsigned long long)m.voices_dropped);
    printf("pool: full pool drops the voice nearest its end and counts it\n");
}

int main(void)
{
    test_pan_law();
    test_gain();
    test_limiter();
    test_ramps();
    test_pool();
    return CHECK_DONE("test_mixer");
}
