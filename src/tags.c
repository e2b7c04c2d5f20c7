#include "tags.h"

#include <stdio.h>
#include <string.h>

/* A cursor that counts every byte and stores those that fit. */
struct buf {
    uint8_t *p;
    size_t cap, n;
};

static void put(struct buf *b, const void *data, size_t len)
{
    if (b->p && b->n + len <= b->cap)
        memcpy(b->p + b->n, data, len);
    b->n += len;
}

static void put_u8(struct buf *b, unsigned v)
{
    uint8_t c = (uint8_t)v;
    put(b, &c, 1);
}

static void put_be32(struct buf *b, uint32_t v)
{
    uint8_t c[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(b, c, 4);
}

static void put_le32(struct buf *b, uint32_t v)
{
    uint8_t c[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, c, 4);
}

/* ID3v2.4 sizes are "syncsafe": 7 bits a byte, so no false sync. */
static void put_syncsafe_at(struct buf *b, size_t at, size_t v)
{
    if (!b->p || at + 4 > b->cap)
        return;
    b->p[at] = (uint8_t)((v >> 21) & 0x7f);
    b->p[at + 1] = (uint8_t)((v >> 14) & 0x7f);
    b->p[at + 2] = (uint8_t)((v >> 7) & 0x7f);
    b->p[at + 3] = (uint8_t)(v & 0x7f);
}

/* Opens a frame; returns where its size goes, to be filled by frame_end. */
static size_t frame_begin(struct buf *b, const char *id)
{
    put(b, id, 4);
    size_t at = b->n;
    put_be32(b, 0);
    put_u8(b, 0);
    put_u8(b, 0);
    return at;
}

static void frame_end(struct buf *b, size_t at)
{
    put_syncsafe_at(b, at, b->n - at - 6);
}

static void text_frame(struct buf *b, const char *id, const char *text)
{
    size_t at = frame_begin(b, id);
    put_u8(b, 3); /* UTF-8 */
    put(b, text, strlen(text));
    frame_end(b, at);
}

static uint32_t ms_of(int64_t frame, int rate)
{
    int64_t ms = (frame * 1000 + rate / 2) / rate;
    return ms < 0 ? 0 : ms > 0xfffffffe ? 0xfffffffe : (uint32_t)ms;
}

static int given(const char *s)
{
    return s && s[0];
}

size_t tags_id3v2(const struct tags *t, uint8_t *out, size_t cap)
{
    struct buf b = {out, cap, 0};
    put(&b, "ID3", 3);
    put_u8(&b, 4); /* version 2.4.0 */
    put_u8(&b, 0);
    put_u8(&b, 0); /* no unsynchronisation, extended header, footer */
    put_be32(&b, 0);
    if (given(t->title))
        text_frame(&b, "TIT2", t->title);
    if (given(t->artist))
        text_frame(&b, "TPE1", t->artist);
    if (given(t->album))
        text_frame(&b, "TALB", t->album);
    if (t->n_chapters > 0) {
        char id[16];
        size_t at = frame_begin(&b, "CTOC");
        put(&b, "toc", 4); /* element id, with its terminating zero */
        put_u8(&b, 0x03);  /* top level, ordered */
        put_u8(&b, (unsigned)(t->n_chapters > 255 ? 255 : t->n_chapters));
        for (int i = 0; i < t->n_chapters && i < 255; i++) {
            int n = snprintf(id, sizeof id, "ch%d", i);
            put(&b, id, (size_t)n + 1);
        }
        frame_end(&b, at);
        for (int i = 0; i < t->n_chapters; i++) {
            const struct timeline_chapter *c = &t->chapters[i];
            int64_t end = i + 1 < t->n_chapters ? t->chapters[i + 1].frame : t->total_frames;
            int n = snprintf(id, sizeof id, "ch%d", i);
            at = frame_begin(&b, "CHAP");
            put(&b, id, (size_t)n + 1);
            put_be32(&b, ms_of(c->frame, t->rate));
            put_be32(&b, ms_of(end, t->rate));
            put_be32(&b, 0xffffffffu); /* byte offsets unused: times rule */
            put_be32(&b, 0xffffffffu);
            text_frame(&b, "TIT2", c->name);
            frame_end(&b, at);
        }
    }
    if (b.n - 10 >= (1u << 28))
        return 0;
    put_syncsafe_at(&b, 6, b.n - 10);
    return b.n;
}

void tags_chapter_time(int64_t frame, int rate, char *out, size_t outlen)
{
    int64_t ms = (frame * 1000 + rate / 2) / rate;
    if (ms < 0)
        ms = 0;
    snprintf(out, outlen, "%02lld:%02lld:%02lld.%03lld", (long long)(ms / 3600000),
             (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60), (long long)(ms % 1000));
}

void tags_vorbis(const struct tags *t, void (*add)(void *ctx, const char *key, const char *value),
                 void *ctx)
{
    if (given(t->title))
        add(ctx, "TITLE", t->title);
    if (given(t->artist))
        add(ctx, "ARTIST", t->artist);
    if (given(t->album))
        add(ctx, "ALBUM", t->album);
    for (int i = 0; i < t->n_chapters && i < TIMELINE_CHAPTERS_MAX; i++) {
        char key[32], when[32];
        snprintf(key, sizeof key, "CHAPTER%03d", i + 1);
        tags_chapter_time(t->chapters[i].frame, t->rate, when, sizeof when);
        add(ctx, key, when);
        snprintf(key, sizeof key, "CHAPTER%03dNAME", i + 1);
        add(ctx, key, t->chapters[i].name);
    }
}

struct flac_ctx {
    struct buf *b;
    uint32_t count;
};

static void flac_add(void *ctx, const char *key, const char *value)
{
    struct flac_ctx *f = ctx;
    size_t k = strlen(key), v = strlen(value);
    put_le32(f->b, (uint32_t)(k + 1 + v));
    put(f->b, key, k);
    put(f->b, "=", 1);
    put(f->b, value, v);
    f->count++;
}

static void count_add(void *ctx, const char *key, const char *value)
{
    (void)key;
    (void)value;
    (*(uint32_t *)ctx)++;
}

size_t tags_flac_block(const struct tags *t, const char *vendor, uint8_t *out, size_t cap)
{
    struct buf b = {out, cap, 0};
    uint32_t count = 0;
    tags_vorbis(t, count_add, &count);
    put_be32(&b, 0); /* type and length, below */
    put_le32(&b, (uint32_t)strlen(vendor));
    put(&b, vendor, strlen(vendor));
    put_le32(&b, count);
    struct flac_ctx f = {&b, 0};
    tags_vorbis(t, flac_add, &f);
    size_t len = b.n - 4;
    if (len >= (1u << 24))
        return 0;
    if (b.p && b.n <= b.cap) {
        b.p[0] = 4; /* VORBIS_COMMENT, not the last block */
        b.p[1] = (uint8_t)(len >> 16);
        b.p[2] = (uint8_t)(len >> 8);
        b.p[3] = (uint8_t)len;
    }
    return b.n;
}
