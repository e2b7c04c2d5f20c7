#include "clips.h"

#include "hint.h"
#include "safefile.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct clip_bank {
    int rate;
    int n_dirs;
    char dirs[CLIPS_MAX_DIRS][1024];
    int n;
    int cap;
    struct clip *clips;
    int64_t held_frames; /* all distinct clips' frames, for the bank's limit */
    float *scratch;      /* a file read as mono float, before it is held */
    size_t scratch_cap;
};

static const char *const extensions[] = {"wav", "flac", "ogg", "opus", "aiff", "mp3", NULL};

struct clip_bank *clip_bank_create(int rate)
{
    struct clip_bank *b = calloc(1, sizeof *b);
    if (b)
        b->rate = rate;
    return b;
}

void clip_bank_destroy(struct clip_bank *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->n; i++)
        if (!b->clips[i].shared)
            free(b->clips[i].data);
    free(b->clips);
    free(b->scratch);
    free(b);
}

void clip_bank_clear_dirs(struct clip_bank *b)
{
    b->n_dirs = 0;
}

int clip_bank_add_dir(struct clip_bank *b, const char *dir)
{
    if (b->n_dirs >= CLIPS_MAX_DIRS || strlen(dir) >= sizeof b->dirs[0])
        return -1;
    for (int i = 0; i < b->n_dirs; i++)
        if (strcmp(b->dirs[i], dir) == 0)
            return 0;
    snprintf(b->dirs[b->n_dirs++], sizeof b->dirs[0], "%s", dir);
    return 0;
}

/* 1 for a regular file, 0 for none, -1 for something else (a FIFO, a
 * folder): worth naming when no sound is found. */
static int is_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    return S_ISREG(st.st_mode) ? 1 : -1;
}

int clip_bank_resolve(const struct clip_bank *b, const char *name, char *path, size_t pathlen)
{
    char odd[1024] = "";
    for (int d = 0; d < b->n_dirs; d++) {
        for (const char *const *e = extensions; *e; e++) {
            if ((size_t)snprintf(path, pathlen, "%s/%s.%s", b->dirs[d], name, *e) >= pathlen)
                continue;
            int f = is_file(path);
            if (f > 0)
                return 0;
            if (f < 0 && !odd[0])
                snprintf(odd, sizeof odd, "%s", path);
        }
        if (strchr(name, '.') &&
            (size_t)snprintf(path, pathlen, "%s/%s", b->dirs[d], name) < pathlen) {
            int f = is_file(path);
            if (f > 0)
                return 0;
            if (f < 0 && !odd[0])
                snprintf(odd, sizeof odd, "%s", path);
        }
    }
    snprintf(path, pathlen, "%s", odd);
    return -1;
}

/* libsndfile reads a WAV, AIFF or AU file whose data chunk runs past the end
 * of the file as if the header had promised only what is there: a file cut
 * short by a failed copy or download would play silently shortened.  What
 * the header said survives only in libsndfile's log, as a line like
 * "data : 19200 (should be 9600)" (WAV), " SSND : ..." (AIFF) or
 * "  Data Size   : ..." (AU).  Sizes of 0x7FFFF000 and up are the
 * placeholders streaming writers leave when they cannot seek back, not a
 * promise, so they are not taken as truncation.  Returns 1, with the two
 * sizes, when the audio data is shorter than its header says. */
static int header_promises_more(SNDFILE *f, long long *claimed, long long *actual)
{
    static const char *const data_chunks[] = {"data", "SSND", "Data Size", NULL};
    char log[4096];
    memset(log, 0, sizeof log);
    sf_command(f, SFC_GET_LOG_INFO, log, (int)sizeof log - 1);
    for (char *line = log; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *colon = strchr(line, ':');
        if (colon) {
            char *key = line, *key_end = colon;
            while (*key == ' ' || *key == '\t')
                key++;
            while (key_end > key && (key_end[-1] == ' ' || key_end[-1] == '\t'))
                key_end--;
            size_t key_len = (size_t)(key_end - key);
            long long c, a;
            for (const char *const *d = data_chunks; *d; d++)
                if (strlen(*d) == key_len && strncmp(key, *d, key_len) == 0 &&
                    sscanf(colon + 1, " %lld (should be %lld)", &c, &a) == 2 && c > a && a >= 0 &&
                    c < 0x7FFFF000LL) {
                    *claimed = c;
                    *actual = a;
                    return 1;
                }
        }
        line = next;
    }
    return 0;
}

/* Refuses what cannot be a sound (no audio, a rate out of range, too long,
 * a header that promises more than the file holds): 0, or -1 with the
 * message. */
static int check_info(SNDFILE *f, const SF_INFO *info, const char *path, char *err, size_t errlen)
{
    if (info->frames <= 0 || info->channels < 1) {
        snprintf(err, errlen, "%s: holds no audio (%lld frames, %d channels)", path,
                 (long long)info->frames, info->channels);
        return -1;
    }
    if (info->samplerate < 1000 || info->samplerate > 768000) {
        snprintf(err, errlen, "%s: its sample rate %d Hz is out of range (allowed: 1000 to 768000)",
                 path, info->samplerate);
        return -1;
    }
    if ((double)info->frames > CLIPS_MAX_SECONDS * info->samplerate) {
        snprintf(err, errlen, "%s: is %.0f seconds long (a sound is at most %.0f seconds)", path,
                 (double)info->frames / info->samplerate, CLIPS_MAX_SECONDS);
        return -1;
    }
    long long claimed, actual;
    if (header_promises_more(f, &claimed, &actual)) {
        snprintf(err, errlen,
                 "%s: is truncated (its header promises %lld bytes of audio, the file "
                 "holds %lld)",
                 path, claimed, actual);
        return -1;
    }
    return 0;
}

/* Makes room for FRAMES mono samples in the bank's scratch buffer, keeping
 * what it holds: 0, or -1 out of memory. */
static int scratch_reserve(struct clip_bank *b, size_t frames)
{
    if (frames <= b->scratch_cap)
        return 0;
    size_t cap = b->scratch_cap ? b->scratch_cap : 65536;
    while (cap < frames)
        cap *= 2;
    float *m = realloc(b->scratch, cap * sizeof *m);
    if (!m)
        return -1;
    b->scratch = m;
    b->scratch_cap = cap;
    return 0;
}

/* Reads up to WANT frames into the scratch buffer, mixed down to mono, in
 * blocks: the buffer grows with the audio that is really there, not with
 * the length a (possibly forged) header claims.  Returns the frames read, or
 * -1 out of memory. */
static long long read_frames(struct clip_bank *b, SNDFILE *f, size_t ch, size_t want)
{
    float block[4096];
    size_t block_frames = ch < 4096 ? 4096 / ch : 1;
    float *wide = ch <= 4096 ? block : malloc(ch * sizeof *wide);
    if (!wide)
        return -1;
    size_t got = 0;
    while (got < want) {
        size_t ask = want - got < block_frames ? want - got : block_frames;
        if (scratch_reserve(b, got + ask) != 0) {
            if (wide != block)
                free(wide);
            return -1;
        }
        float *mono = b->scratch + got;
        /* One channel reads straight into place. */
        sf_count_t n = sf_readf_float(f, ch == 1 ? mono : wide, (sf_count_t)ask);
        if (n <= 0)
            break;
        for (size_t i = 0; i < (size_t)n; i++) {
            float v;
            if (ch == 1) {
                v = mono[i];
            } else {
                float sum = 0.0f;
                for (size_t c = 0; c < ch; c++)
                    sum += wide[i * ch + c];
                v = sum / (float)ch;
            }
            mono[i] = isfinite(v) ? v : 0.0f;
        }
        got += (size_t)n;
    }
    if (wide != block)
        free(wide);
    return (long long)got;
}

/* Reads the whole file as mono float at its own rate into the bank's
 * scratch buffer (reused from one file to the next, so loading many short
 * files costs no fresh memory each). */
static int read_mono(struct clip_bank *b, int fd, const char *path, int64_t *frames, int *rate,
                     char *err, size_t errlen)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *f = sf_open_fd(fd, SFM_READ, &info, SF_TRUE);
    if (!f) {
        snprintf(err, errlen, "%s: not a sound file calfpace can read (%s)", path,
                 sf_strerror(NULL));
        close(fd);
        return -1;
    }
    if (check_info(f, &info, path, err, errlen) != 0) {
        sf_close(f);
        return -1;
    }
    size_t want = (size_t)info.frames;
    long long got = read_frames(b, f, (size_t)info.channels, want);
    int sf_err = sf_error(f);
    sf_close(f);
    if (got < 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    if (got == 0 || sf_err != SF_ERR_NO_ERROR || (size_t)got < want) {
        snprintf(err, errlen,
                 "%s: is damaged or truncated (its header promises %lld frames, %lld "
                 "could be read)",
                 path, (long long)want, got);
        return -1;
    }
    *frames = (int64_t)got;
    *rate = info.samplerate;
    return 0;
}

static float *resample(const float *in, int64_t frames, int from, int to, int64_t *out_frames,
                       const char *path, char *err, size_t errlen)
{
    double ratio = (double)to / (double)from;
    long cap = (long)ceil((double)frames * ratio) + 16;
    float *out = calloc((size_t)cap, sizeof *out);
    if (!out) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    SRC_DATA d;
    memset(&d, 0, sizeof d);
    d.data_in = in;
    d.input_frames = (long)frames;
    d.data_out = out;
    d.output_frames = cap;
    d.src_ratio = ratio;
    int rc = src_simple(&d, SRC_SINC_MEDIUM_QUALITY, 1);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot resample from %d to %d Hz (%s)", path, from, to,
                 src_strerror(rc));
        free(out);
        return NULL;
    }
    *out_frames = d.output_frames_gen;
    return out;
}

/* Float to 16 bits, rounded, clipped. */
static mixer_sample *to_samples(const float *x, int64_t frames)
{
    mixer_sample *out = malloc((size_t)frames * sizeof *out);
    if (!out)
        return NULL;
    for (int64_t i = 0; i < frames; i++) {
        float v = x[i] * MIXER_SAMPLE_MAX;
        if (v > MIXER_SAMPLE_MAX)
            v = MIXER_SAMPLE_MAX;
        if (v < -MIXER_SAMPLE_MAX)
            v = -MIXER_SAMPLE_MAX;
        out[i] = (mixer_sample)lrintf(v);
    }
    return out;
}

/* What tells one version of a file from the next: its time and size. */
static void file_stamp(const char *path, int64_t *mtime_ns, int64_t *size)
{
    struct stat st;
    *mtime_ns = *size = -1;
    if (stat(path, &st) == 0) {
        *mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        *size = (int64_t)st.st_size;
    }
}

/* Room for one more clip in the bank; -1 and a message when there is none. */
static int bank_room(struct clip_bank *b, const char *path, char *err, size_t errlen)
{
    if (b->n < b->cap)
        return 0;
    int cap = b->cap ? b->cap * 2 : 16;
    struct clip *c = realloc(b->clips, (size_t)cap * sizeof *c);
    if (!c) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    b->clips = c;
    b->cap = cap;
    return 0;
}

/* The clip already held for this file (same device, inode and stamp), or -1. */
static int held_copy(const struct clip_bank *b, const struct stat *st, int64_t mtime_ns,
                     int64_t size)
{
    for (int i = 0; i < b->n; i++)
        if (b->clips[i].dev == (unsigned long long)st->st_dev &&
            b->clips[i].ino == (unsigned long long)st->st_ino && b->clips[i].mtime_ns == mtime_ns &&
            b->clips[i].size == size)
            return i;
    return -1;
}

/* A second name for held clip i: the samples are shared, not read again. */
static int add_shared(struct clip_bank *b, int i, const char *name, const char *path, char *err,
                      size_t errlen)
{
    if (bank_room(b, path, err, errlen) != 0)
        return -1;
    struct clip *c = &b->clips[b->n];
    *c = b->clips[i];
    c->shared = 1;
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->path, sizeof c->path, "%s", path);
    return b->n++;
}

/* The file's samples, read into the bank's scratch, at the bank's rate as
 * held samples; NULL and a message when they cannot be had. */
static mixer_sample *read_held(struct clip_bank *b, int fd, const char *path, int64_t *frames_out,
                               char *err, size_t errlen)
{
    int64_t frames = 0;
    int rate = 0;
    if (read_mono(b, fd, path, &frames, &rate, err, errlen) != 0)
        return NULL;
    if ((double)b->held_frames + (double)frames * b->rate / rate >
        CLIPS_BANK_MAX_SECONDS * b->rate) {
        snprintf(err, errlen,
                 "%s: with it the sounds would hold %.0f seconds of audio (allowed: at most %.0f "
                 "in all)",
                 path, (double)b->held_frames / b->rate + (double)frames / rate,
                 CLIPS_BANK_MAX_SECONDS);
        return NULL;
    }
    mixer_sample *held;
    if (rate != b->rate) {
        int64_t out_frames = 0;
        float *r = resample(b->scratch, frames, rate, b->rate, &out_frames, path, err, errlen);
        if (!r)
            return NULL;
        frames = out_frames;
        if (frames <= 0) {
            snprintf(err, errlen, "%s: too short to play at %d Hz", path, b->rate);
            free(r);
            return NULL;
        }
        held = to_samples(r, frames);
        free(r);
    } else {
        held = to_samples(b->scratch, frames);
    }
    if (!held)
        snprintf(err, errlen, "%s: out of memory", path);
    *frames_out = frames;
    return held;
}

int clip_bank_load_file(struct clip_bank *b, const char *name, const char *path, char *err,
                        size_t errlen)
{
    int64_t mtime_ns, size;
    file_stamp(path, &mtime_ns, &size);
    for (int i = 0; i < b->n; i++)
        if (strcmp(b->clips[i].path, path) == 0 && b->clips[i].mtime_ns == mtime_ns &&
            b->clips[i].size == size)
            return i;
    /* Non-blocking, regular files only, size checked before a byte is read. */
    int fd = safefile_open_read(path, CLIPS_FILE_MAX, "sound", NULL, NULL, err, errlen);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: cannot read the sound", path);
        close(fd);
        return -1;
    }
    /* One file under many names (links, other paths to it) is held once. */
    int same = held_copy(b, &st, mtime_ns, size);
    if (same >= 0) {
        close(fd);
        return add_shared(b, same, name, path, err, errlen);
    }
    int64_t frames = 0;
    mixer_sample *held = read_held(b, fd, path, &frames, err, errlen);
    if (!held)
        return -1;
    if (bank_room(b, path, err, errlen) != 0) {
        free(held);
        return -1;
    }
    struct clip *c = &b->clips[b->n];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->path, sizeof c->path, "%s", path);
    c->data = held;
    c->frames = frames;
    c->mtime_ns = mtime_ns;
    c->size = size;
    c->dev = (unsigned long long)st.st_dev;
    c->ino = (unsigned long long)st.st_ino;
    b->held_frames += frames;
    return b->n++;
}

/* The sound in the bank's folders whose name is nearest NAME, as for a
 * setting's name: a typo ("click-hi") gets its "did you mean". */
static int nearest_sound(const struct clip_bank *b, const char *name, char *out, size_t outlen)
{
    size_t best = strlen(name) <= 4 ? 2 : 3, found = 0;
    for (int d = 0; d < b->n_dirs; d++) {
        DIR *dir = opendir(b->dirs[d]);
        if (!dir)
            continue;
        struct dirent *e;
        while ((e = readdir(dir))) {
            char base[256];
            snprintf(base, sizeof base, "%s", e->d_name);
            char *dot = strrchr(base, '.');
            if (!dot || dot == base)
                continue;
            *dot = '\0';
            size_t dist = hint_distance(name, base);
            if (dist > 0 && dist < best) {
                best = dist;
                snprintf(out, outlen, "%s", base);
                found = 1;
            }
        }
        closedir(dir);
    }
    return (int)found;
}

int clip_bank_load(struct clip_bank *b, const char *name, char *err, size_t errlen)
{
    char path[1024];
    if (clip_bank_resolve(b, name, path, sizeof path) != 0) {
        if (path[0]) /* x.wav is there, but a FIFO or a folder: say so */
            return clip_bank_load_file(b, name, path, err, errlen);
        char near[256];
        int len;
        if (nearest_sound(b, name, near, sizeof near))
            len = snprintf(err, errlen,
                           "no sound '%s' (did you mean '%s'? looked for %s.wav, .flac, .ogg, "
                           "... in ",
                           name, near, name);
        else
            len = snprintf(err, errlen, "no sound '%s' (looked for %s.wav, .flac, .ogg, ... in ",
                           name, name);
        for (int d = 0; d < b->n_dirs && len > 0 && (size_t)len < errlen; d++)
            len += snprintf(err + len, errlen - (size_t)len, "%s%s", d ? ", " : "", b->dirs[d]);
        if (b->n_dirs == 0 && len > 0 && (size_t)len < errlen)
            len += snprintf(err + len, errlen - (size_t)len, "no sounds folder");
        if (len > 0 && (size_t)len < errlen)
            snprintf(err + len, errlen - (size_t)len, ")");
        return -1;
    }
    return clip_bank_load_file(b, name, path, err, errlen);
}

const struct clip *clip_bank_get(const struct clip_bank *b, int index)
{
    return (index >= 0 && index < b->n) ? &b->clips[index] : NULL;
}

int clip_bank_rate(const struct clip_bank *b)
{
    return b->rate;
}
