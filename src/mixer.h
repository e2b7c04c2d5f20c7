/* mixer: the voices that sound now (a clip, its position, gain and pan) and
 * the gain stages after them, mixed into interleaved stereo float frames.
 *
 * Real-time safe: no allocation, no locks, no I/O; a fixed pool of voices.
 * Every gain change (bus volume, ducking, fade-out) moves along a linear ramp
 * of MIXER_RAMP_SECONDS or longer, so nothing zips or clicks.  The output
 * never leaves [-1, 1]: peaks above MIXER_KNEE bend smoothly towards 1.
 * Owned and called by one thread at a time (the engine's).
 */
#ifndef CALFPACE_MIXER_H
#define CALFPACE_MIXER_H

#include <stdint.h>

#define MIXER_MAX_VOICES 64
#define MIXER_RAMP_SECONDS 0.010
#define MIXER_KNEE 0.9f

enum mixer_bus { MIXER_BUS_CLICKS, MIXER_BUS_VOICE, MIXER_BUSES };

/* Clips are held as 16-bit samples: half the memory of floats, and no
 * loss for sounds that come from 16-bit files and text-to-speech. */
typedef int16_t mixer_sample;
#define MIXER_SAMPLE_MAX 32767.0f

struct mixer_voice {
    const mixer_sample *data;
    int64_t frames;
    int64_t pos;
    float gain_l, gain_r;
    enum mixer_bus bus;
    int32_t release; /* frames left of a fade-out; 0 when not fading */
};

/* A gain that glides to its target, one step per frame. */
struct mixer_ramp {
    float value;
    float target;
    float step;
};

struct mixer {
    int rate;
    int n_voices;
    struct mixer_voice voices[MIXER_MAX_VOICES];
    struct mixer_ramp bus[MIXER_BUSES];
    struct mixer_ramp master;  /* the fade at the end of a session */
    struct mixer_ramp volume;  /* the listener's volume */
    struct mixer_ramp ducking; /* on the clicks, under speech */
    float duck;                /* the clicks' gain while speech plays (1: no ducking) */
    double duck_seconds;       /* how long the clicks take to go down and come back */
    int duck_hold;             /* ducked with no speech sounding: speech is about to come */
    int mono;                  /* every voice in both ears, its pan ignored */
    float balance_l, balance_r; /* the listener's balance, on the whole mix */
    uint64_t voices_dropped;   /* voices started while the pool was full */
    uint64_t frames_limited;   /* frames whose peak went past the knee */
};

void mixer_init(struct mixer *m, int rate);

/* Constant-power pan law: pan -1 is the left channel alone, +1 the right,
 * 0 both at -3 dB, with left^2 + right^2 = 1 everywhere. */
void mixer_pan_gains(float pan, float *left, float *right);

/* Starts a clip now on BUS with a linear GAIN and PAN.  When all voices are
 * busy, the one closest to its end makes way.  */
void mixer_add_voice(struct mixer *m, const mixer_sample *data, int64_t frames, float gain,
                     float pan, enum mixer_bus bus);

/* Moves a bus's gain (linear) to TARGET over SECONDS (at least the ramp time). */
void mixer_set_bus_gain(struct mixer *m, enum mixer_bus bus, float target, double seconds);
void mixer_set_master_gain(struct mixer *m, float target, double seconds);

/* While any voice on MIXER_BUS_VOICE sounds, MIXER_BUS_CLICKS glides to
 * GAIN; when the last one ends, back to 1.  Exact to the frame, whatever the
 * block size, so a render equals a live session. */
void mixer_set_duck(struct mixer *m, float gain, double seconds);

/* While HOLD is set the clicks stay ducked (or glide down) with no speech
 * sounding: the caller knows speech is about to start, or that the next clip
 * of a phrase follows the one just ended, so the ramp is down before the
 * speech and across the gaps between its clips. */
void mixer_hold_duck(struct mixer *m, int hold);

/* For a listener with one earbud in, or one ear that hears less: MONO puts
 * every voice started from now on in both ears (as if its pan were 0, so it
 * keeps its loudness); BALANCE (-1 to 1) turns one side of the whole mix
 * down: 0.5 leaves the right as it is and the left at half (-6 dB), 1 the
 * right alone.  Meant for before a session starts: it takes effect at once. */
void mixer_set_output(struct mixer *m, int mono, float balance);

/* The listener's volume (linear), along a ramp. */
void mixer_set_volume(struct mixer *m, float target, double seconds);

/* Fades out every voice on BUS over MIXER_RAMP_SECONDS. */
void mixer_release_bus(struct mixer *m, enum mixer_bus bus);

/* True once the master gain has reached zero and stays there. */
int mixer_is_silent(const struct mixer *m);

int mixer_active_voices(const struct mixer *m);

/* Overwrites OUT with FRAMES interleaved stereo frames. */
void mixer_render(struct mixer *m, float *out, int frames);

/* The limiter's transfer function, exposed for tests. */
float mixer_limit(float x);

/* dB to a linear gain. */
float mixer_db_to_gain(double db);

#endif
