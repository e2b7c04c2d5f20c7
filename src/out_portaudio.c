#define _GNU_SOURCE
#include "out_portaudio.h"
#include "devmatch.h"
#include "term.h"

#include <alsa/asoundlib.h>
#include <fcntl.h>
#include <portaudio.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct out_pa {
    PaStream *stream;
    struct engine *engine;
    char device_name[256];
    double period; /* seconds per callback of the nominal size */
    double rate;
    struct timespec started;

    atomic_ullong callbacks;
    atomic_ullong underflows;
    atomic_ullong busy_ns;       /* total time inside the callback */
    atomic_ullong worst_ppm;     /* worst time / its own period, in millionths */
    atomic_ullong period_ns_sum; /* total of the periods the callbacks filled */
    atomic_llong first_frames;
    atomic_llong first_ns; /* CLOCK_MONOTONIC at the first callback */
    atomic_int finished;
};

/* The backends' probing noise goes to stderr; hold it while they probe. */
static int hush_begin(void)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int null = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null >= 0)
        dup2(null, STDERR_FILENO);
    if (null >= 0)
        close(null);
    return saved;
}

static void hush_end(int saved)
{
    if (saved < 0)
        return;
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

static int64_t ns_between(const struct timespec *a, const struct timespec *b)
{
    return (int64_t)(b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

/* ALSA reports through this instead of printing to stderr: while a session
 * plays, a recovered underrun must not scribble over the status line (it is
 * counted through PortAudio's underflow flag instead). */
static void alsa_quiet(const char *file, int line, const char *function, int err, const char *fmt,
                       ...)
{
    (void)file;
    (void)line;
    (void)function;
    (void)err;
    (void)fmt;
}

int out_pa_init(char *err, size_t errlen)
{
    snd_lib_error_set_handler(alsa_quiet);
    int saved = hush_begin();
    PaError rc = Pa_Initialize();
    hush_end(saved);
    if (rc != paNoError) {
        snprintf(err, errlen, "cannot start the audio system: %s", Pa_GetErrorText(rc));
        return -1;
    }
    return 0;
}

void out_pa_terminate(void)
{
    int saved = hush_begin();
    Pa_Terminate();
    hush_end(saved);
}

int out_pa_list(FILE *to)
{
    PaDeviceIndex def = Pa_GetDefaultOutputDevice();
    int n = Pa_GetDeviceCount();
    int shown = 0;
    for (int i = 0; i < n; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        if (!d || d->maxOutputChannels < 1)
            continue;
        const PaHostApiInfo *api = Pa_GetHostApiInfo(d->hostApi);
        char name[1024], api_name[256];
        fprintf(to, "%c %2d  %-40s %s, %d ch, %.0f Hz\n", i == def ? '*' : ' ', i,
                term_clean(d->name, name, sizeof name),
                term_clean(api ? api->name : "?", api_name, sizeof api_name), d->maxOutputChannels, d->defaultSampleRate);
        shown++;
    }
    return shown;
}

/* The device WANT names (see devmatch.h); paNoDevice, with the list of
 * matches in ERR when it names several. */
static PaDeviceIndex find_device(const char *want, char *err, size_t errlen)
{
    if (!want)
        return Pa_GetDefaultOutputDevice();
    int n = Pa_GetDeviceCount();
    if (n <= 0)
        return paNoDevice;
    const char **names = calloc((size_t)n, sizeof *names);
    if (!names)
        return paNoDevice;
    for (int i = 0; i < n; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        names[i] = d && d->maxOutputChannels > 0 ? d->name : NULL;
    }
    int found = paNoDevice;
    enum devmatch m = devmatch_find(want, names, n, &found, err, errlen);
    free(names);
    return m == DEVMATCH_FOUND ? (PaDeviceIndex)found : paNoDevice;
}

static int callback(const void *input, void *output, unsigned long frames,
                    const PaStreamCallbackTimeInfo *time_info, PaStreamCallbackFlags flags,
                    void *user)
{
    (void)input;
    (void)time_info;
    struct out_pa *o = user;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (flags & paOutputUnderflow)
        atomic_fetch_add_explicit(&o->underflows, 1, memory_order_relaxed);
    int n = engine_render(o->engine, output, (int)frames);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    unsigned long long count = atomic_fetch_add_explicit(&o->callbacks, 1, memory_order_relaxed);
    if (count == 0) {
        atomic_store_explicit(&o->first_frames, (long long)frames, memory_order_relaxed);
        atomic_store_explicit(&o->first_ns, (long long)t0.tv_sec * 1000000000LL + t0.tv_nsec,
                              memory_order_relaxed);
    }
    unsigned long long busy = (unsigned long long)ns_between(&t0, &t1);
    unsigned long long period = (unsigned long long)((double)frames * 1e9 / o->rate);
    atomic_fetch_add_explicit(&o->busy_ns, busy, memory_order_relaxed);
    atomic_fetch_add_explicit(&o->period_ns_sum, period, memory_order_relaxed);
    if (period > 0) {
        unsigned long long ppm = busy * 1000000ULL / period;
        unsigned long long worst = atomic_load_explicit(&o->worst_ppm, memory_order_relaxed);
        if (ppm > worst)
            atomic_store_explicit(&o->worst_ppm, ppm, memory_order_relaxed);
    }
    return n < (int)frames ? paComplete : paContinue;
}

static void finished(void *user)
{
    struct out_pa *o = user;
    atomic_store_explicit(&o->finished, 1, memory_order_release);
}

static void *pa_open(struct engine *e, const struct output_params *params, struct cp_error *err)
{
    char *msg = err->msg;
    size_t msglen = sizeof err->msg;
    err->kind = CP_RUNTIME;
    const char *device = params->device;
    double latency = params->latency;
    msg[0] = '\0';
    PaDeviceIndex dev = find_device(device, msg, msglen);
    if (dev == paNoDevice) {
        if (msg[0]) {
            err->kind = CP_BAD_INPUT; /* several match: the list says which */
            return NULL;
        }
        if (device)
            snprintf(msg, msglen,
                     "no output device matches \"%s\" (see 'calfpace devices' for the list)",
                     device);
        else
            snprintf(msg, msglen,
                     "no audio output device found (is a sound server, PulseAudio or "
                     "PipeWire, running?)");
        return NULL;
    }
    const PaDeviceInfo *info = Pa_GetDeviceInfo(dev);
    struct out_pa *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(msg, msglen, "out of memory");
        return NULL;
    }
    o->engine = e;
    o->rate = engine_rate(e);
    snprintf(o->device_name, sizeof o->device_name, "%s", info->name);
    PaStreamParameters p;
    memset(&p, 0, sizeof p);
    p.device = dev;
    p.channelCount = 2;
    p.sampleFormat = paFloat32;
    /* At least 100 ms: through a sound server on a busy machine the devices'
     * own defaults (9 and 35 ms through ALSA's pulse plugin) underrun, and a
     * key still acts well within a beat. */
    double want = info->defaultHighOutputLatency > 0.1 ? info->defaultHighOutputLatency : 0.1;
    p.suggestedLatency = latency > 0.0 ? latency : want;
    /* Periods of a power of two frames, about a quarter of the latency:
     * PipeWire runs its graph in power-of-two quanta, and periods of
     * another size (PortAudio's own choice through the pulse plugin) make
     * pipewire-pulse slip whole blocks of silence into the stream. */
    unsigned long period = 64;
    while (period * 2 <= (unsigned long)(p.suggestedLatency * o->rate / 4.0) && period < 8192)
        period *= 2;
    int saved = hush_begin();
    PaError rc = Pa_OpenStream(&o->stream, NULL, &p, o->rate, period, paNoFlag, callback, o);
    hush_end(saved);
    if (rc != paNoError) {
        snprintf(msg, msglen, "cannot open \"%s\" at %.0f Hz: %s", o->device_name, o->rate,
                 Pa_GetErrorText(rc));
        free(o);
        return NULL;
    }
    Pa_SetStreamFinishedCallback(o->stream, finished);
    return o;
}

static int pa_start(void *self, struct cp_error *err)
{
    struct out_pa *o = self;
    clock_gettime(CLOCK_MONOTONIC, &o->started);
    int saved = hush_begin();
    PaError rc = Pa_StartStream(o->stream);
    hush_end(saved);
    if (rc != paNoError) {
        return cp_fail(err, CP_RUNTIME, "cannot start playing on \"%s\": %s", o->device_name,
                       Pa_GetErrorText(rc));
    }
    const PaStreamInfo *si = Pa_GetStreamInfo(o->stream);
    if (si)
        o->period = si->outputLatency;
    return 0;
}

static int pa_active(void *self)
{
    struct out_pa *o = self;
    if (atomic_load_explicit(&o->finished, memory_order_acquire))
        return 0;
    return Pa_IsStreamActive(o->stream) == 1;
}

static const char *pa_name(void *self)
{
    const struct out_pa *o = self;
    return o->device_name;
}

static void pa_stats(void *self, struct output_stats *st)
{
    struct out_pa *o = self;
    memset(st, 0, sizeof *st);
    st->callbacks = atomic_load(&o->callbacks);
    st->underflows = atomic_load(&o->underflows);
    unsigned long long busy = atomic_load(&o->busy_ns);
    unsigned long long period = atomic_load(&o->period_ns_sum);
    st->mean_fraction = period ? (double)busy / (double)period : 0.0;
    st->worst_fraction = (double)atomic_load(&o->worst_ppm) / 1e6;
    st->latency = o->period;
    st->first_frames = atomic_load(&o->first_frames);
    st->first_callback_at = (double)atomic_load(&o->first_ns) / 1e9;
}

static void pa_stop(void *self)
{
    struct out_pa *o = self;
    int saved = hush_begin();
    if (Pa_IsStreamStopped(o->stream) == 0)
        Pa_StopStream(o->stream);
    hush_end(saved);
}

static void pa_close(void *self)
{
    struct out_pa *o = self;
    pa_stop(o);
    int saved = hush_begin();
    Pa_CloseStream(o->stream);
    hush_end(saved);
    free(o);
}

static void pa_abandon(void *self)
{
    (void)self;
}

const struct output_ops out_pa_ops = {
    .kind = "portaudio",
    .open = pa_open,
    .start = pa_start,
    .active = pa_active,
    .stop = pa_stop,
    .close = pa_close,
    .abandon = pa_abandon,
    .stats = pa_stats,
    .name = pa_name,
};
