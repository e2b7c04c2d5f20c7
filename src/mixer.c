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
    ramp_init(&m->volume, 1.0f);
    ramp_init(&m->ducking, 1.0f);
    m->duck = 1.0f;
    m->duck_seconds = 0.02;
    m->balance_l = 1.0f;
    m->balance_r = 1.0f;
}

void mixer_set_output(struct mixer *m, int mono, float balance)
{
    if (!(balance >= -1.0f && balance <= 1.0f)) /* out of range, or NaN */
        balance = balance > 1.0f ? 1.0f : balance < -1.0f ? -1.0f : 0.0f;
    m->mono = mono != 0;
    m->balance_l = balance > 0.0f ? 1.0f - balance : 1.0f;
    m->balance_r = balance < 0.0f ? 1.0f + balance : 1.0f;
}

void mixer_set_duck(struct mixer *m, float gain, double seconds)
{
    m->duck = gain;
    m->duck_seconds = seconds;
}

/* Frames until the last voice of speech ends (0: none sounds). */
static int64_t speech_left(const struct mixer *m)
{
    int64_t most = 0;
    for (int i = 0; i < m->n_voices; i++) {
        const struct mixer_voice *v = &m->voices[i];
        if (v->bus == MIXER_BUS_VOICE) {
            int64_t left = v->release > 0 ? v->release : v->frames - v->pos;
            if (left > most)
                most = left;
        }
    }
    return most;
}

/* Points the ducking ramp where speech (or the hold) says. */
static void duck_aim(struct mixer *m, int64_t speech)
{
    float duck = speech > 0 || m->duck_hold ? m->duck : 1.0f;
    if (m->ducking.target != duck)
        ramp_to(&m->ducking, duck, m->duck_seconds, m->rate);
}

void mixer_hold_duck(struct mixer *m, int hold)
{
    m->duck_hold = hold != 0;
    duck_aim(m, speech_left(m));
}

void mixer_set_volume(struct mixer *m, float target, double seconds)
{
    ramp_to(&m->volume, target, seconds, m->rate);
}

void mixer_release_bus(struct mixer *m, enum mixer_bus bus)
{
    int32_t frames = (int32_t)(MIXER_RAMP_SECONDS * m->rate) + 1;
    for (int i = 0; i < m->n_voices; i++) {
        struct mixer_voice *v = &m->voices[i];
        if (v->bus == bus && (v->release == 0 || v->release > frames))
            v->release = frames;
    }
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

void mixer_add_voice(struct mixer *m, const mixer_sample *data, int64_t frames, float gain,
                     float pan, enum mixer_bus bus)
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
    mixer_pan_gains(m->mono ? 0.0f : pan, &l, &r);
    v->data = data;
    v->frames = frames;
    v->pos = 0;
    /* The sample scale rides on the gains: no extra work per sample. */
    v->gain_l = gain * l / MIXER_SAMPLE_MAX;
    v->gain_r = gain * r / MIXER_SAMPLE_MAX;
    v->bus = bus;
    v->release = 0;
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

/* Mixes FRAMES frames with no voice starting or ending ducking inside. */
static void render_part(struct mixer *m, float *out, int frames)
{
    for (int b = 0; b < MIXER_BUSES; b++) {
        struct mixer_ramp gain = m->bus[b];
        struct mixer_ramp duck = m->ducking;
        int ducked = b == MIXER_BUS_CLICKS;
        for (int i = 0; i < m->n_voices; i++) {
            struct mixer_voice *v = &m->voices[i];
            if (v->bus != (enum mixer_bus)b)
                continue;
            struct mixer_ramp g = m->bus[b];
            struct mixer_ramp d = m->ducking;
            int64_t n = v->frames - v->pos;
            if (n > frames)
                n = frames;
            const mixer_sample *src = v->data + v->pos;
            if (v->release > 0) {
                /* Fading out: a linear envelope to zero, then the voice ends. */
                if (n > v->release)
                    n = v->release;
                float env = (float)v->release;
                float len = (float)((int32_t)(MIXER_RAMP_SECONDS * m->rate) + 1);
                for (int64_t f = 0; f < n; f++) {
                    float s = (float)src[f] * ramp_tick(&g) * (ducked ? ramp_tick(&d) : 1.0f) *
                              (env - (float)f) / len;
                    out[2 * f] += s * v->gain_l;
                    out[2 * f + 1] += s * v->gain_r;
                }
                v->release -= (int32_t)n;
                v->pos += n;
                if (v->release <= 0)
                    v->pos = v->frames;
                continue;
            }
            for (int64_t f = 0; f < n; f++) {
                float s = (float)src[f] * ramp_tick(&g) * (ducked ? ramp_tick(&d) : 1.0f);
                out[2 * f] += s * v->gain_l;
                out[2 * f + 1] += s * v->gain_r;
            }
            v->pos += n;
        }
        /* Advance the bus's ramp by the whole part, voices or not. */
        for (int f = 0; f < frames && gain.value != gain.target; f++)
            ramp_tick(&gain);
        m->bus[b] = gain;
        if (ducked) {
            for (int f = 0; f < frames && duck.value != duck.target; f++)
                ramp_tick(&duck);
            m->ducking = duck;
        }
    }
    /* Drop finished voices by moving the last one into their place. */
    for (int i = 0; i < m->n_voices;) {
        if (m->voices[i].pos >= m->voices[i].frames)
            m->voices[i] = m->voices[--m->n_voices];
        else
            i++;
    }
}

static int ramp_still(const struct mixer_ramp *r)
{
    return r->value == r->target;
}

void mixer_render(struct mixer *m, float *out, int frames)
{
    memset(out, 0, (size_t)frames * 2 * sizeof *out);
    /* Silence with nothing gliding is most of a session: nothing to mix,
     * nothing to limit. */
    if (m->n_voices == 0 && ramp_still(&m->master) && ramp_still(&m->volume) &&
        ramp_still(&m->ducking) && ramp_still(&m->bus[MIXER_BUS_CLICKS]) &&
        ramp_still(&m->bus[MIXER_BUS_VOICE]))
        return;
    int done = 0;
    while (done < frames) {
        int part = frames - done;
        /* Speech decides the clicks' level; split where the last speech ends. */
        int64_t speech = speech_left(m);
        duck_aim(m, speech);
        if (speech > 0 && speech < part)
            part = (int)speech;
        render_part(m, out + 2 * done, part);
        done += part;
    }
    for (int f = 0; f < frames; f++) {
        float g = ramp_tick(&m->master) * ramp_tick(&m->volume);
        float l = out[2 * f] * g * m->balance_l, r = out[2 * f + 1] * g * m->balance_r;
        if (fabsf(l) > MIXER_KNEE || fabsf(r) > MIXER_KNEE)
            m->frames_limited++;
        out[2 * f] = mixer_limit(l);
        out[2 * f + 1] = mixer_limit(r);
    }
}
