#include "onset.h"

#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

static void push(struct onsets *o, int64_t frame)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 256;
        o->frame = realloc(o->frame, o->cap * sizeof *o->frame);
        o->peak = realloc(o->peak, o->cap * sizeof *o->peak);
        if (!o->frame || !o->peak)
            abort();
    }
    o->frame[o->n] = frame;
    o->peak[o->n] = 0.0f;
    o->n++;
}

void onset_scan(struct onsets *o, struct onset_state *st, const float *x, int64_t n, int stride,
                int channel, int64_t first, float threshold, int64_t min_gap)
{
    float level_floor = threshold / ONSET_FLOOR_RATIO;
    for (int64_t i = 0; i < n; i++) {
        float a = fabsf(x[i * stride + channel]);
        int64_t frame = first + i;
        if (a > level_floor) {
            if (st->floor_quiet >= ONSET_FLOOR_RUN || st->floor_quiet == st->seen)
                st->start = frame + 1;
            st->floor_quiet = 0;
        } else {
            st->floor_quiet++;
        }
        st->seen++;
        if (a > threshold) {
            if (st->quiet >= min_gap || (o->n == 0 && st->peak_until == 0)) {
                int64_t begin = st->start - 1;
                push(o, st->start > 0 && frame - begin <= ONSET_RISE_MAX ? begin : frame);
                st->last = (int64_t)o->n - 1;
                st->peak_until = frame + min_gap / 2 + 1;
            }
            st->quiet = 0;
        } else {
            st->quiet++;
        }
        if (o->n > 0 && frame < st->peak_until && a > o->peak[st->last])
            o->peak[st->last] = a;
    }
}

void onsets_free(struct onsets *o)
{
    free(o->frame);
    free(o->peak);
    memset(o, 0, sizeof *o);
}

int64_t onset_read_file(const char *path, float **data, int *channels, int *rate)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f)
        return -1;
    float *buf = malloc((size_t)info.frames * (size_t)info.channels * sizeof *buf);
    if (!buf) {
        sf_close(f);
        return -1;
    }
    sf_count_t got = sf_readf_float(f, buf, info.frames);
    sf_close(f);
    *data = buf;
    *channels = info.channels;
    *rate = info.samplerate;
    return got;
}
