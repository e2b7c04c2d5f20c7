/* German spoken text, checked without a German recogniser (Debian ships a
 * pocketsphinx model for US English only).  For each German 'say' text
 * calfpace keeps in its cache:
 * - which text it is: the clip is matched by dynamic time warping of its
 *   cepstra (a template recogniser, as isolated-word recognisers were built)
 *   against espeak-ng's own German f3 reading of every phrase of a closed
 *   set, which holds each phrase and a twin with its umlauts and sharp s
 *   written plainly ("Fusse" for "Füße"); the nearest must be the text
 *   itself, and near enough to be the same text (SAME_TEXT), so a clip of
 *   another text, a mangled character encoding (checked: the text read as
 *   Latin-1 is refused), another voice or a garbled clip fails;
 * - that it is speech of that text's length: espeak-ng's phonemes for the
 *   text (printed) give its syllables, and the clip lasts 0.1-0.4 s a
 *   syllable; voiced frames have a median pitch of a woman's voice (140-320
 *   Hz) and make up a third of the clip or more;
 * - and that the English voice reading the same text is farther from the
 *   German template than the German clip is (the check can tell them apart).
 * What this does not show is that a listener understands espeak-ng's German:
 * that rests on espeak-ng itself. */
#include "check.h"
#include "render_util.h"

#include <espeak-ng/speak_lib.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOP 0.010 /* s between feature frames */
#define WIN 0.025 /* s of a frame */
#define BANDS 24  /* mel bands, 100 Hz to 7 kHz */
#define CEPS 12   /* cepstra c1..c12 (c0, the level, left out) */
#define FFT_MAX 2048
/* Two readings of one text by espeak-ng de+f3, one of them trimmed,
 * normalised and limited by calfpace, are 3-9 apart; a text whose UTF-8 is
 * read as Latin-1 is 12-18 from the right reading, another phrase 27 or
 * more, the English voice 30 or more. */
#define SAME_TEXT 10.0

struct sound {
    float *x;
    long n;
    int rate;
};

static float *grow(float *x, long need, long *cap)
{
    if (need <= *cap)
        return x;
    *cap = need * 2;
    x = realloc(x, (size_t)*cap * sizeof *x);
    if (!x)
        abort();
    return x;
}

/* espeak-ng's own reading, through the same library calfpace links */
static struct sound synth_target;
static long synth_cap;

static int synth_heard(short *wav, int n, espeak_EVENT *events)
{
    (void)events;
    if (wav && n > 0) {
        synth_target.x = grow(synth_target.x, synth_target.n + n, &synth_cap);
        for (int i = 0; i < n; i++)
            synth_target.x[synth_target.n + i] = (float)wav[i] / 32768.0f;
        synth_target.n += n;
    }
    return 0;
}

static int espeak_rate;

/* espeak-ng's reading of TEXT, its bytes taken as UTF-8 or, for the
 * control of a mangled encoding, as Latin-1 */
static struct sound espeak_reading(const char *text, unsigned chars)
{
    memset(&synth_target, 0, sizeof synth_target);
    synth_cap = 0;
    synth_target.rate = espeak_rate;
    espeak_SetVoiceByName("de+f3");
    espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, chars, NULL, NULL);
    return synth_target;
}

static struct sound read_sound(const char *path)
{
    struct sound s = {0};
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f)
        return s;
    float *buf = malloc((size_t)info.frames * (size_t)info.channels * sizeof *buf);
    sf_count_t got = buf ? sf_readf_float(f, buf, info.frames) : 0;
    sf_close(f);
    s.x = malloc((size_t)(got > 0 ? got : 1) * sizeof *s.x);
    for (sf_count_t i = 0; i < got; i++)
        s.x[i] = buf[i * info.channels];
    free(buf);
    s.n = (long)got;
    s.rate = info.samplerate;
    return s;
}

static void fft(double *re, double *im, int n)
{
    for (int i = 1, j = 0; i < n; i++) {
        int bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double t = re[i];
            re[i] = re[j];
            re[j] = t;
            t = im[i];
            im[i] = im[j];
            im[j] = t;
        }
    }
    for (int len = 2; len <= n; len <<= 1) {
        double a = -2.0 * M_PI / len;
        for (int i = 0; i < n; i += len)
            for (int k = 0; k < len / 2; k++) {
                double wr = cos(a * k), wi = sin(a * k);
                double ur = re[i + k], ui = im[i + k];
                double vr = re[i + k + len / 2] * wr - im[i + k + len / 2] * wi;
                double vi = re[i + k + len / 2] * wi + im[i + k + len / 2] * wr;
                re[i + k] = ur + vr;
                im[i + k] = ui + vi;
                re[i + k + len / 2] = ur - vr;
                im[i + k + len / 2] = ui - vi;
            }
    }
}

static double mel(double hz)
{
    return 2595.0 * log10(1.0 + hz / 700.0);
}

/* Cepstra of S, CEPS a frame, between its first and last frame within 40 dB
 * of its loudest (the words, without the silence around them); returns the
 * number of frames. */
static int cepstra(const struct sound *s, double **out)
{
    int win = (int)(WIN * s->rate), hop = (int)(HOP * s->rate), nfft = 1;
    while (nfft < win)
        nfft <<= 1;
    int frames = s->n > win ? (int)((s->n - win) / hop) + 1 : 0;
    double *band = calloc((size_t)(frames > 0 ? frames : 1) * BANDS, sizeof *band);
    double *level = calloc((size_t)(frames > 0 ? frames : 1), sizeof *level);
    double re[FFT_MAX], im[FFT_MAX];
    double edge[BANDS + 2];
    for (int b = 0; b < BANDS + 2; b++) {
        double m = mel(100.0) + (mel(7000.0) - mel(100.0)) * b / (BANDS + 1);
        edge[b] = 700.0 * (pow(10.0, m / 2595.0) - 1.0);
    }
    double loudest = 1e-12;
    for (int f = 0; f < frames; f++) {
        for (int i = 0; i < nfft; i++) {
            double w = i < win ? 0.5 - 0.5 * cos(2.0 * M_PI * i / (win - 1)) : 0.0;
            re[i] = i < win ? s->x[(long)f * hop + i] * w : 0.0;
            im[i] = 0.0;
        }
        fft(re, im, nfft);
        for (int k = 0; k <= nfft / 2; k++) {
            double hz = (double)k * s->rate / nfft, p = re[k] * re[k] + im[k] * im[k];
            level[f] += p;
            for (int b = 0; b < BANDS; b++) {
                double w = 0.0;
                if (hz > edge[b] && hz <= edge[b + 1])
                    w = (hz - edge[b]) / (edge[b + 1] - edge[b]);
                else if (hz > edge[b + 1] && hz < edge[b + 2])
                    w = (edge[b + 2] - hz) / (edge[b + 2] - edge[b + 1]);
                band[(long)f * BANDS + b] += w * p;
            }
        }
        loudest = level[f] > loudest ? level[f] : loudest;
    }
    int a = 0, z = frames;
    while (a < z && level[a] < loudest * 1e-4)
        a++;
    while (z > a && level[z - 1] < loudest * 1e-4)
        z--;
    int n = z - a;
    double *c = calloc((size_t)(n > 0 ? n : 1) * CEPS, sizeof *c);
    for (int f = 0; f < n; f++)
        for (int q = 1; q <= CEPS; q++) {
            double sum = 0.0;
            for (int b = 0; b < BANDS; b++)
                sum += log(band[(long)(f + a) * BANDS + b] + 1e-10) *
                       cos(M_PI * q * (b + 0.5) / BANDS);
            c[(long)f * CEPS + q - 1] = sum;
        }
    free(band);
    free(level);
    *out = c;
    return n;
}

/* Dynamic time warping of two cepstra sequences: the mean distance along the
 * best path, each frame's step diagonal, across or down. */
static double dtw(const double *a, int n, const double *b, int m)
{
    if (n == 0 || m == 0)
        return 1e9;
    double *d = malloc((size_t)(n + 1) * (size_t)(m + 1) * sizeof *d);
    for (long i = 0; i <= n; i++)
        for (long j = 0; j <= m; j++)
            d[i * (m + 1) + j] = 1e300;
    d[0] = 0.0;
    for (long i = 1; i <= n; i++)
        for (long j = 1; j <= m; j++) {
            double cost = 0.0;
            for (int q = 0; q < CEPS; q++) {
                double e = a[(i - 1) * CEPS + q] - b[(j - 1) * CEPS + q];
                cost += e * e;
            }
            cost = sqrt(cost);
            double best = d[(i - 1) * (m + 1) + j - 1] + 2.0 * cost;
            double up = d[(i - 1) * (m + 1) + j] + cost, left = d[i * (m + 1) + j - 1] + cost;
            best = up < best ? up : best;
            d[i * (m + 1) + j] = left < best ? left : best;
        }
    double r = d[(long)n * (m + 1) + m] / (n + m);
    free(d);
    return r;
}

/* Median pitch of the voiced 40 ms frames (normalised autocorrelation above
 * 0.6 at a lag of 80-400 Hz), and the share of frames voiced. */
static double pitch(const struct sound *s, double *voiced_share)
{
    int win = (int)(0.040 * s->rate), hop = (int)(0.010 * s->rate);
    int lo = s->rate / 400, hi = s->rate / 80;
    double f0[4096];
    int nv = 0, nf = 0;
    for (long at = 0; at + win + hi < s->n && nv < 4096; at += hop) {
        const float *x = s->x + at;
        double e0 = 0.0;
        for (int i = 0; i < win; i++)
            e0 += (double)x[i] * x[i];
        if (e0 < win * 1e-5)
            continue; /* a pause, not a frame of the words */
        nf++;
        double best = 0.0;
        int lag = 0;
        for (int l = lo; l <= hi; l++) {
            double xy = 0.0, e1 = 0.0;
            for (int i = 0; i < win; i++) {
                xy += (double)x[i] * x[i + l];
                e1 += (double)x[i + l] * x[i + l];
            }
            double r = xy / sqrt(e0 * e1 + 1e-20);
            if (r > best) {
                best = r;
                lag = l;
            }
        }
        if (best > 0.6)
            f0[nv++] = (double)s->rate / lag;
    }
    *voiced_share = nf ? (double)nv / nf : 0.0;
    for (int i = 1; i < nv; i++) /* insertion sort: a few hundred frames */
        for (int j = i; j > 0 && f0[j - 1] > f0[j]; j--) {
            double t = f0[j];
            f0[j] = f0[j - 1];
            f0[j - 1] = t;
        }
    return nv ? f0[nv / 2] : 0.0;
}

/* espeak-ng's phonemes for TEXT (its ASCII names) into OUT; returns the
 * syllables: groups of vowel symbols. */
static int syllables(const char *text, char *out, size_t outlen)
{
    espeak_SetVoiceByName("de+f3");
    const void *p = text;
    out[0] = '\0';
    while (p) {
        const char *ph = espeak_TextToPhonemes(&p, espeakCHARS_UTF8, 0);
        if (ph && strlen(out) + strlen(ph) + 2 < outlen) {
            strcat(out, ph);
            strcat(out, " ");
        }
    }
    int n = 0, in_vowel = 0;
    for (const char *c = out; *c; c++) {
        int v = strchr("aeiouyAEIOUY@2379W", *c) != NULL;
        n += v && !in_vowel;
        in_vowel = v;
    }
    return n;
}

/* Replaces ü ö ä ß Ü with u o a ss U. */
static void plain(const char *in, char *out, size_t outlen)
{
    size_t o = 0;
    for (const unsigned char *c = (const unsigned char *)in; *c && o + 3 < outlen; c++) {
        if (c[0] == 0xc3 && c[1]) {
            const char *r = c[1] == 0xbc   ? "u"
                            : c[1] == 0xb6 ? "o"
                            : c[1] == 0xa4 ? "a"
                            : c[1] == 0x9f ? "ss"
                            : c[1] == 0x9c ? "U"
                                           : "e";
            for (; *r; r++)
                out[o++] = *r;
            c++;
        } else {
            out[o++] = (char)*c;
        }
    }
    out[o] = '\0';
}

/* The clip calfpace keeps for TEXT in LANG, synthesised by `calfpace check`
 * into an empty cache under DIR. */
static struct sound calfpace_clip(const char *dir, const char *text, const char *lang)
{
    char cfg[700], args[2048], cache[700], cmd[1600], path[1024] = "";
    snprintf(cache, sizeof cache, "%s/cache-%s", dir, lang);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot empty %s\n", cache);
    setenv("XDG_CACHE_HOME", cache, 1);
    snprintf(cfg, sizeof cfg, "%s/r.cfg", dir);
    FILE *f = fopen(cfg, "w");
    if (f) {
        fprintf(f,
                "name = \"Deutsch\";\nsteps = ( { type = \"hold\"; say = \"%s\"; "
                "lead_in = 6.0; seconds = 5.0; } );\n",
                text);
        fclose(f);
    }
    snprintf(args, sizeof args, "check '%s' --voice %s >/dev/null 2>&1", cfg, lang);
    CHECK(run_calfpace(args) == 0, "calfpace %s", args);
    snprintf(cmd, sizeof cmd, "ls '%s'/calfpace/speech/say-*.wav 2>/dev/null", cache);
    FILE *ls = popen(cmd, "r");
    if (ls) {
        if (!fgets(path, sizeof path, ls))
            path[0] = '\0';
        pclose(ls);
    }
    path[strcspn(path, "\n")] = '\0';
    return read_sound(path);
}

#define PHRASES 5
static const char *phrase[PHRASES] = {
    "Füße kreisen, zehn in jede Richtung", "Zehenspitzen heben und halten",
    "Schultern locker, Rücken gerade",     "Auf der Stelle marschieren",
    "Übung zu Ende, gut gemacht",
};

int main(void)
{
    char dir[512];
    tmp_dir(dir, sizeof dir, "speech-de");
    espeak_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, espeakINITIALIZE_DONT_EXIT);
    CHECK(espeak_rate > 0, "espeak-ng starts (%d Hz)", espeak_rate);
    espeak_SetSynthCallback(synth_heard);
    /* the closed set: each phrase and its plainly written twin */
    double *tmpl[2 * PHRASES];
    int tn[2 * PHRASES];
    char names[2 * PHRASES][128];
    for (int i = 0; i < 2 * PHRASES; i++) {
        if (i < PHRASES)
            snprintf(names[i], sizeof names[i], "%s", phrase[i]);
        else
            plain(phrase[i - PHRASES], names[i], sizeof names[i]);
        if (i >= PHRASES && strcmp(names[i], phrase[i - PHRASES]) == 0) {
            tmpl[i] = NULL; /* no umlaut, no twin */
            tn[i] = 0;
            continue;
        }
        struct sound s = espeak_reading(names[i], espeakCHARS_UTF8);
        CHECK(s.n > 0, "espeak-ng reads \"%s\"", names[i]);
        tn[i] = cepstra(&s, &tmpl[i]);
        free(s.x);
    }
    int right = 0;
    for (int i = 0; i < PHRASES; i++) {
        struct sound s = calfpace_clip(dir, phrase[i], "de");
        CHECK(s.n > 0, "calfpace keeps a clip for \"%s\"", phrase[i]);
        if (s.n <= 0) {
            free(s.x);
            continue;
        }
        double *c;
        int n = cepstra(&s, &c);
        int best = -1;
        double d[2 * PHRASES];
        for (int k = 0; k < 2 * PHRASES; k++) {
            d[k] = dtw(c, n, tmpl[k], tn[k]);
            if (best < 0 || d[k] < d[best])
                best = k;
        }
        double second = 1e9;
        for (int k = 0; k < 2 * PHRASES; k++)
            if (k != best && d[k] < second)
                second = d[k];
        right += best == i && d[i] <= SAME_TEXT;
        CHECK(d[i] <= SAME_TEXT, "\"%s\" is %.1f from its own reading (at most %.0f)", phrase[i],
              d[i], SAME_TEXT);
        CHECK(best == i, "\"%s\" is matched as \"%s\" (distance %.1f, its own %.1f)", phrase[i],
              best >= 0 ? names[best] : "", best >= 0 ? d[best] : 0.0, d[i]);
        char ph[1024];
        int syl = syllables(phrase[i], ph, sizeof ph);
        double secs = (double)s.n / s.rate, share;
        double f0 = pitch(&s, &share);
        CHECK(syl > 0 && secs / syl >= 0.1 && secs / syl <= 0.4,
              "\"%s\": %.2f s for %d syllables (0.1-0.4 s each)", phrase[i], secs, syl);
        CHECK(f0 >= 140.0 && f0 <= 320.0 && share >= 0.33,
              "\"%s\": median pitch %.0f Hz (140-320), %.0f %% voiced (a third or more)", phrase[i],
              f0, 100.0 * share);
        printf("de: \"%s\" -> \"%s\", distance %.1f (next %.1f); %.2f s, %d syllables "
               "[%s], pitch %.0f Hz, %.0f %% voiced\n",
               phrase[i], best >= 0 ? names[best] : "", d[best], second, secs, syl, ph, f0,
               100.0 * share);
        if (strcmp(names[i + PHRASES], phrase[i]) != 0 && tmpl[i + PHRASES]) {
            /* the bound above sees a text read in the wrong encoding */
            struct sound m = espeak_reading(phrase[i], espeakCHARS_8BIT);
            double *cm;
            int nm = cepstra(&m, &cm);
            double dm = dtw(cm, nm, tmpl[i], tn[i]);
            CHECK(dm > SAME_TEXT, "\"%s\" read as Latin-1 is %.1f from its reading, over %.0f",
                  phrase[i], dm, SAME_TEXT);
            printf("   the same text read as Latin-1: distance %.1f\n", dm);
            free(cm);
            free(m.x);
        }
        if (i == 0) {
            /* the English voice reading the German text is not the German clip */
            struct sound e = calfpace_clip(dir, phrase[i], "en");
            double *ce;
            int ne = cepstra(&e, &ce);
            double de = dtw(ce, ne, tmpl[i], tn[i]);
            CHECK(de > 1.5 * d[i],
                  "English voice: distance %.1f to the German reading, the "
                  "German clip's %.1f",
                  de, d[i]);
            printf("en voice on the same text: distance %.1f (the German clip: %.1f)\n", de, d[i]);
            free(ce);
            free(e.x);
        }
        free(c);
        free(s.x);
    }
    int set = 0;
    for (int i = 0; i < 2 * PHRASES; i++)
        set += tmpl[i] != NULL;
    printf("German: %d of %d texts matched to their own reading among %d phrases\n", right, PHRASES,
           set);
    for (int i = 0; i < 2 * PHRASES; i++)
        free(tmpl[i]);
    espeak_Terminate();
    tmp_cleanup(dir);
    return CHECK_DONE("test_speech_de");
}
