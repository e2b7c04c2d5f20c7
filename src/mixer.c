#include "mixer.h"

#include <math.h>
#include <string.h>

static void ramp_init(struct mixer_ramp *r, float v)
{
    r->value = v;
    r->target = v;
    r->step = 0.0f;
}

static void ramp_to(struct mixer_ramp *r, float target, double seconds, int rate)
{
    if (seconds < MIXER_RAMP_SECONDS)
        seconds = MIXER_RAMP_SECONDS;
    double frames = seconds * rate;
    r->target = target;
    r->step = (float)(fabs((double)target - (double)r->value) / frames);
}

static inline float ramp_tick(struct mixer_ramp *r)
{
    if (r->value != r->target) {
        if (r->value < r->target) {
            r->value += r->step;
            if (r->value > r->target)
                r->value = r->target;
        } else {
            r->value -= r->step;
            if (r->value < r->target)
                r->value = r->target;
        }
    }
    return r->value;
}

void mixer_init(struct mixer *m, int rate)
{
    memset(m, 0, sizeof *m);
    m->rate = rate;
    for (int b = 0; b < MIXER_BUSES; b++)
        ramp_init(&m->bus[b], 1.0f);
    ramp_init(&m->master, 1.0f);
}

float mixer_db_to_gain(double db)
{
    return (float)pow(10.0, db / 20.0);
}

void mixer_pan_gains(float pan, float *left, float *right)
{
    if (pan < -1.0f)
        pan = -1.0f;
    if (pan > 1.0f)
        pan = 1.0f;
    double theta = ((double)pan + 1.0) * M_PI / 4.0;
    *left = (float)cos(theta);
    *right = (float)sin(theta);
    /* cos(pi/2) is 6e-17, not 0: a hard-panned beat must be silent on the other side. */
    if (pan == 1.0f)
        *left = 0.0f;
    if (pan == -1.0f)
        *right = 0.0f;
}

void mixer_add_voice(struct mixer *m, const float *data, int64_t frames, float gain, float pan,
                     enum mixer_bus bus)
{
    if (!data || frames <= 0)
        return;
    struct mixer_voice *v;
    if (m->n_voices < MIXER_MAX_VOICES) {
        v = &m->voices[m->n_voices++];
    } else {
        int victim = 0;
        int64_t least = INT64_MAX;
        for (int i = 0; i < m->n_voices; i++) {
            int64_t left = m->voices[i].frames - m->voices[i].pos;
            if (left < least) {
                least = left;
                victim = i;
            }
        }
        v = &m->voices[victim];
        m->voices_dropped++;
    }
    float l, r;
    mixer_pan_gains(pan, &l, &r);
    v->data = data;
    v->frames = frames;
    v->pos = 0;
    v->gain_l = gain * l;
    v->gain_r = gain * r;
    v->bus = bus;
}

void mixer_set_bus_gain(struct mixer *m, enum mixer_bus bus, float target, double seconds)
{
    ramp_to(&m->bus[bus], target, seconds, m->rate);
}

void mixer_set_master_gain(struct mixer *m, float target, double seconds)
{
    ramp_to(&m->master, target, seconds, m->rate);
}

int mixer_is_silent(const struct mixer *m)
{
    return m->master.value == 0.0f && m->master.target == 0.0f;
}

int mixer_active_voices(const struct mixer *m)
{
    return m->n_voices;
}

float mixer_limit(float x)
{
    float a = fabsf(x);
    if (!(a > MIXER_KNEE))
        return x == x ? x : 0.0f; /* NaN never reaches the device */
    float room = 1.0f - MIXER_KNEE;
    float y = MIXER_KNEE + room * tanhf((a - MIXER_KNEE) / room);
    return x < 0.0f ? -y : y;
}

void mixer_render(struct mixer *m, float *out, int frames)
{
    memset(out, 0, (size_t)frames * 2 * sizeof *out);
    /* Each bus is mixed on its own so its gain ramp applies per frame. */
    for (int b = 0; b < MIXER_BUSES; b++) {
        struct mixer_ramp gain = m->bus[b];
        for (int i = 0; i < m->n_voices; i++) {
            struct mixer_voice *v = &m->voices[i];
            if (v->bus != (enum mixer_bus)b)
                continue;
            struct mixer_ramp g = m->bus[b];
            int64_t n = v->frames - v->pos;
            if (n > frames)
                n = frames;
            const float *src = v->data + v->pos;
            for (int64_t f = 0; f < n; f++) {
                float s = src[f] * ramp_tick(&g);
                out[2 * f] += s * v->gain_l;
                out[2 * f + 1] += s * v->gain_r;
            }
            v->pos += n;
        }
        /* Advance the bus's ramp by the whole block, voices or not. */
        for (int f = 0; f < frames && gain.value != gain.target; f++)
            ramp_tick(&gain);
        m->bus[b] = gain;
    }
    /* Drop finished voices by moving the last one into their place. */
    for (int i = 0; i < m->n_voices;) {
        if (m->voices[i].pos >= m->voices[i].frames)
            m->voices[i] = m->voices[--m->n_voices];
        else
            i++;
    }
    for (int f = 0; f < frames; f++) {
        float g = ramp_tick(&m->master);
        float l = out[2 * f] * g, r = out[2 * f + 1] * g;
        if (fabsf(l) > MIXER_KNEE || fabsf(r) > MIXER_KNEE)
            m->frames_limited++;
        out[2 * f] = mixer_limit(l);
        out[2 * f + 1] = mixer_limit(r);
    }
}
