/* libFuzzer target: any bytes as a sound file, through the loader calfpace
 * uses for every clip (libsndfile, mix-down, libsamplerate to 48 kHz).
 * clip_bank_load_file must return a clip or -1 with a message naming the
 * file, never crash, leak, hang or allocate without bound.
 *
 * The loader takes a path, so the bytes go into a memfd and the path is its
 * /proc/self/fd entry: no disk traffic per input.
 *
 * libsndfile is a system library without coverage instrumentation, so on its
 * own the fuzzer would see only clips.c's few branches.  To steer it, each
 * input's outcome is fed back through libFuzzer's extra counters: the file
 * type and encoding libsndfile found, its channels, rate and length in
 * buckets, every line of libsndfile's parse log (one per chunk and per
 * complaint, so a proxy for the paths taken inside it), and the kind of
 * error calfpace gave. */
#define _GNU_SOURCE
#include "clips.h"

#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int fd = -1;

__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t outcome[1 << 14];

static uint32_t hash(uint32_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static void note(uint32_t kind, uint32_t value)
{
    uint32_t h = (kind * 2654435761u) ^ (value * 40503u + 0x9e3779b9u);
    outcome[h % sizeof outcome]++;
}

static uint32_t bucket(int64_t v)
{
    uint32_t b = 0;
    while (v > 0 && b < 63) {
        v >>= 1;
        b++;
    }
    return b;
}

/* What libsndfile made of the bytes, independently of the loader. */
static void note_sndfile(const char *p)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *f = sf_open(p, SFM_READ, &info);
    if (!f) {
        const char *e = sf_strerror(NULL);
        note(1, hash(2166136261u, e, strlen(e)));
        return;
    }
    note(2, (uint32_t)info.format);
    note(3, (uint32_t)(info.format & SF_FORMAT_TYPEMASK) ^ (uint32_t)info.channels << 8);
    note(4, bucket(info.frames) ^ (uint32_t)(info.format & SF_FORMAT_SUBMASK) << 8);
    note(5, bucket(info.samplerate));
    char log[4096];
    memset(log, 0, sizeof log);
    sf_command(f, SFC_GET_LOG_INFO, log, (int)sizeof log - 1);
    uint32_t path_hash = 2166136261u;
    for (char *line = log; *line;) {
        char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        /* The line up to its first digit: the chunk or complaint, not its size. */
        size_t key = strcspn(line, "0123456789");
        if (key > n)
            key = n;
        uint32_t h = hash(2166136261u, line, key);
        note(6, h);
        path_hash = hash(path_hash, (const char *)&h, sizeof h);
        note(7, path_hash);
        if (!end)
            break;
        line = end + 1;
    }
    sf_close(f);
}
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        fd = memfd_create("calfpace-fuzz-clip", 0);
        if (fd < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
        abort();
    for (size_t done = 0; done < size;) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0)
            abort();
        done += (size_t)w;
    }
    note_sndfile(path);
    struct clip_bank *b = clip_bank_create(48000);
    if (!b)
        abort();
    char err[2048];
    err[0] = '\0';
    int idx = clip_bank_load_file(b, "x", path, err, sizeof err);
    if (idx >= 0) {
        const struct clip *c = clip_bank_get(b, idx);
        if (!c || c->frames <= 0 || !c->data)
            abort();
        /* Touch every sample, as the mixer will (AddressSanitizer checks the
         * reads); 16-bit samples leave no room for NaN, and the loader maps
         * the extremes to +-32767. */
        for (int64_t i = 0; i < c->frames; i++)
            if (c->data[i] == -32768)
                abort();
        note(8, bucket(c->frames));
    } else if (!strstr(err, path)) {
        abort(); /* a refusal names the file */
    } else {
        const char *what = err + strlen(path);
        note(9, hash(2166136261u, what, strcspn(what, "(0123456789")));
    }
    clip_bank_destroy(b);
    return 0;
}
