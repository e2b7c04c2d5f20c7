#include "speech.h"

#include "paths.h"
#include "sequencer.h"

#include <ebur128.h>
#include <errno.h>
#include <espeak-ng/speak_lib.h>
#include <flite/flite.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Raised when what a cached clip holds would change for the same text:
 * another voice, rate or loudness. */
#define SPEECH_VERSION 1
#define SPEECH_RATE 1.0 /* speaking rate: flite's duration_stretch, 1 = its own */
#define SPEECH_PEAK 0.89 /* -1 dBFS: normalising never clips */

cst_voice *register_cmu_us_kal16(const char *voxdir);

const char *speech_voice_name(const char *lang)
{
    return strcmp(lang, "de") == 0 ? "espeak-ng de+f3" : "flite kal16";
}

void speech_cache_dir(char *out, size_t outlen)
{
    paths_xdg(out, outlen, "XDG_CACHE_HOME", ".cache", "speech");
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Samples a synthesiser made, as float at its own rate. */
struct voice_out {
    float *x;
    size_t n, cap;
    int rate;
};

static int voice_append(struct voice_out *v, const short *s, size_t n)
{
    if (v->n + n > v->cap) {
        size_t cap = (v->n + n) * 2;
        float *x = realloc(v->x, cap * sizeof *x);
        if (!x)
            return -1;
        v->x = x;
        v->cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        v->x[v->n + i] = (float)s[i] / 32768.0f;
    v->n += n;
    return 0;
}

static int flite_speak(const char *text, struct voice_out *v)
{
    static cst_voice *voice;
    if (!voice) {
        flite_init();
        voice = register_cmu_us_kal16(NULL);
        if (!voice)
            return -1;
        feat_set_float(voice->features, "duration_stretch", (float)(1.0 / SPEECH_RATE));
    }
    cst_wave *w = flite_text_to_wave(text, voice);
    if (!w)
        return -1;
    v->rate = w->sample_rate;
    int rc = w->num_channels == 1 ? voice_append(v, w->samples, (size_t)w->num_samples) : -1;
    delete_wave(w);
    return rc;
}

static struct voice_out *espeak_target;

static int espeak_heard(short *wav, int n, espeak_EVENT *events)
{
    (void)events;
    if (wav && n > 0 && espeak_target && voice_append(espeak_target, wav, (size_t)n) != 0)
        return 1; /* stop */
    return 0;
}

static int espeak_speak(const char *text, const char *lang, struct voice_out *v)
{
    static int rate;
    if (!rate) {
        rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, espeakINITIALIZE_DONT_EXIT);
        if (rate <= 0) {
            rate = 0;
            return -1;
        }
        espeak_SetSynthCallback(espeak_heard);
    }
    if (espeak_SetVoiceByName(lang) != EE_OK)
        return -1;
    espeak_SetParameter(espeakRATE, (int)lround(espeakRATE_NORMAL * SPEECH_RATE), 0);
    v->rate = rate;
    espeak_target = v;
    espeak_ERROR e = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8,
                                  NULL, NULL);
    espeak_target = NULL;
    return e == EE_OK ? 0 : -1;
}

/* Trims the synthesisers' leading and trailing silence (below -50 dBFS), so
 * a clip's length is the words' length. */
static void trim(struct voice_out *v)
{
    const float floor = 0.003f;
    size_t a = 0, b = v->n;
    while (a < b && fabsf(v->x[a]) < floor)
        a++;
    while (b > a && fabsf(v->x[b - 1]) < floor)
        b--;
    size_t pad = (size_t)(0.01 * v->rate); /* keep the onset's first 10 ms */
    a = a > pad ? a - pad : 0;
    b = b + pad < v->n ? b + pad : v->n;
    memmove(v->x, v->x + a, (b - a) * sizeof *v->x);
    v->n = b - a;
}

/* Keeps every sample within CEILING by turning the gain down smoothly
 * around each peak: 3 ms ahead of it, back up over 50 ms after. */
static int limit(float *x, size_t n, int rate, float ceiling)
{
    float *g = malloc(n * sizeof *g), *h = malloc(n * sizeof *h);
    if (!g || !h) {
        free(g);
        free(h);
        return -1;
    }
    size_t w = (size_t)(0.003 * rate);
    for (size_t i = 0; i < n; i++)
        g[i] = fabsf(x[i]) > ceiling ? ceiling / fabsf(x[i]) : 1.0f;
    for (size_t i = 0; i < n; i++) {
        float m = 1.0f;
        size_t a = i > w ? i - w : 0, b = i + w < n ? i + w : n - 1;
        for (size_t j = a; j <= b; j++)
            m = g[j] < m ? g[j] : m;
        h[i] = m;
    }
    float rel = (float)(1.0 - exp(-1.0 / (0.050 * rate)));
    float att = (float)(1.0 - exp(-1.0 / (0.001 * rate)));
    float e = 1.0f;
    for (size_t i = 0; i < n; i++) /* down at once, up slowly */
        g[i] = e = h[i] < e ? h[i] : e + rel * (h[i] - e);
    e = 1.0f;
    for (size_t i = n; i-- > 0;) { /* and a soft edge before the drop */
        e = g[i] < e ? e + att * (g[i] - e) : g[i];
        float k = e < g[i] ? e : g[i];
        x[i] *= k < h[i] ? k : h[i];
    }
    free(g);
    free(h);
    return 0;
}

static double measure(const float *x, size_t n, int rate)
{
    ebur128_state *st = ebur128_init(1, (unsigned long)rate, EBUR128_MODE_I);
    double lufs = -HUGE_VAL;
    if (st) {
        ebur128_add_frames_float(st, x, n);
        if (ebur128_loudness_global(st, &lufs) != EBUR128_SUCCESS)
            lufs = -HUGE_VAL;
        ebur128_destroy(&st);
    }
    return lufs;
}

/* To SPEECH_LUFS integrated loudness (BS.1770), the shipped clips' level,
 * with the peaks held below SPEECH_PEAK by a limiter; a few rounds, since
 * limiting takes a little loudness away.  A clip too short for a gated
 * measure keeps its level. */
static void normalise(struct voice_out *v)
{
    for (int round = 0; round < 4; round++) {
        double lufs = measure(v->x, v->n, v->rate);
        if (!isfinite(lufs) || fabs(lufs - SPEECH_LUFS) < 0.2)
            return;
        float gain = (float)pow(10.0, (SPEECH_LUFS - lufs) / 20.0);
        for (size_t i = 0; i < v->n; i++)
            v->x[i] *= gain;
        if (limit(v->x, v->n, v->rate, (float)SPEECH_PEAK) != 0)
            return;
    }
}

/* Writes the clip under a temporary name and renames it into place, so a
 * cache file is whole or absent. */
static int write_clip(const char *path, const struct voice_out *v, char *err, size_t errlen)
{
    char tmp[1300];
    snprintf(tmp, sizeof tmp, "%s.partial-%ld", path, (long)getpid());
    SF_INFO info = {.samplerate = v->rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open(tmp, SFM_WRITE, &info);
    if (!f) {
        snprintf(err, errlen, "%s: cannot keep the spoken text: %s", tmp, sf_strerror(NULL));
        return -1;
    }
    sf_count_t w = sf_write_float(f, v->x, (sf_count_t)v->n);
    int bad = w != (sf_count_t)v->n || sf_error(f);
    if (sf_close(f) != 0 || bad || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot keep the spoken text: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static double clip_seconds(const char *path)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f)
        return -1.0;
    sf_close(f);
    return info.samplerate > 0 ? (double)info.frames / info.samplerate : -1.0;
}

/* Finds or makes TEXT's clip; names it in CUE and returns its length. */
static int speak_one(const char *text, const char *lang, const char *dir, char *cue, size_t cuelen,
                     double *seconds, int *made, const char *file, int line, char *err,
                     size_t errlen)
{
    char key[64];
    snprintf(key, sizeof key, "%d|%s|%g|", SPEECH_VERSION, speech_voice_name(lang), SPEECH_RATE);
    uint64_t h = fnv1a(fnv1a(0xcbf29ce484222325ULL, key), text);
    snprintf(cue, cuelen, "say-%016llx", (unsigned long long)h);
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.wav", dir, cue);
    if ((*seconds = clip_seconds(path)) > 0.0)
        return 0;
    struct voice_out v = {0};
    int rc = strcmp(lang, "de") == 0 ? espeak_speak(text, "de+f3", &v) : flite_speak(text, &v);
    if (rc != 0 || v.n == 0) {
        snprintf(err, errlen, "%s:%d: %s could not speak \"%s\"", file, line,
                 speech_voice_name(lang), text);
        free(v.x);
        return -1;
    }
    trim(&v);
    normalise(&v);
    rc = write_clip(path, &v, err, errlen);
    *seconds = (double)v.n / v.rate;
    free(v.x);
    if (rc == 0)
        (*made)++;
    return rc;
}

int speech_prepare(struct routine *r, const char *lang, int *synthesised, char *err,
                   size_t errlen)
{
    int made = 0;
    if (synthesised)
        *synthesised = 0;
    int any = r->say[0] || r->end_say[0];
    for (int i = 0; i < r->n_steps; i++)
        any |= r->steps[i].say[0] != 0;
    if (!any)
        return 0;
    char dir[1024];
    speech_cache_dir(dir, sizeof dir);
    char probe[1100];
    snprintf(probe, sizeof probe, "%s/x", dir);
    if (paths_make_parents(probe, 0700) != 0) {
        snprintf(err, errlen, "%s: cannot make the folder for spoken text: %s", dir,
                 strerror(errno));
        return -1;
    }
    if (r->say[0] && speak_one(r->say, lang, dir, r->cue, sizeof r->cue, &r->say_seconds, &made,
                               r->path, r->say_line, err, errlen))
        return -1;
    if (r->end_say[0] && speak_one(r->end_say, lang, dir, r->end_cue, sizeof r->end_cue,
                                   &r->end_say_seconds, &made, r->path, r->end_say_line, err,
                                   errlen))
        return -1;
    for (int i = 0; i < r->n_steps; i++) {
        struct step *st = &r->steps[i];
        if (!st->say[0])
            continue;
        if (speak_one(st->say, lang, dir, st->cue, sizeof st->cue, &st->say_seconds, &made,
                      r->path, st->say_line, err, errlen))
            return -1;
        double room = sequencer_step_length(st);
        if (st->say_seconds > room) {
            snprintf(err, errlen,
                     "%s:%d: the words take %.1f s to say but the whole step lasts %.1f s "
                     "(say less, or give the step more lead_in or seconds)",
                     r->path, st->say_line, st->say_seconds, room);
            return -1;
        }
    }
    if (synthesised)
        *synthesised = made;
    return 0;
}

static void print_one(FILE *to, const char *what, int line, double seconds, const char *voice,
                      const char *text)
{
    fprintf(to, "  spoken %-10s line %-4d %5.1f s  %s: \"%s\"\n", what, line, seconds, voice, text);
}

void speech_print(FILE *to, const struct routine *r, const char *lang)
{
    const char *voice = speech_voice_name(lang);
    if (r->say[0])
        print_one(to, "opening", r->say_line, r->say_seconds, voice, r->say);
    for (int i = 0; i < r->n_steps; i++) {
        char what[32];
        snprintf(what, sizeof what, "step %d", i + 1);
        if (r->steps[i].say[0])
            print_one(to, what, r->steps[i].say_line, r->steps[i].say_seconds, voice,
                      r->steps[i].say);
    }
    if (r->end_say[0])
        print_one(to, "closing", r->end_say_line, r->end_say_seconds, voice, r->end_say);
}
