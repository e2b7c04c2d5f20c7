/* The ID3v2.4 and FLAC Vorbis comment writers, byte by byte: sizes that do
 * not depend on the times (so a tag is sized before a render and filled
 * after), syncsafe lengths, chapter times in milliseconds, and the Vorbis
 * chapter comments.  test_encoded checks the same tags through ffprobe. */
#include "check.h"
#include "tags.h"

#include <stdio.h>
#include <string.h>

static size_t syncsafe(const uint8_t *p)
{
    return (size_t)p[0] << 21 | (size_t)p[1] << 14 | (size_t)p[2] << 7 | p[3];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void add(void *ctx, const char *key, const char *value)
{
    char *out = ctx;
    size_t n = strlen(out);
    snprintf(out + n, 2048 - n, "%s=%s\n", key, value);
}

int main(void)
{
    struct timeline_chapter ch[3] = {{0, "Opening"}, {48000 * 6 + 4800, "Heel raises"},
                                     {48000 * 90 + 24, "Closing"}};
    struct tags t = {.title = "Calf pump",
                     .artist = "calfpace",
                     .album = "calfpace",
                     .chapters = ch,
                     .n_chapters = 3,
                     .rate = 48000,
                     .total_frames = 0};
    size_t before = tags_id3v2(&t, NULL, 0);
    t.total_frames = 48000 * 100;
    uint8_t tag[4096];
    size_t n = tags_id3v2(&t, tag, sizeof tag);
    CHECK(n == before && n > 10, "the tag's size (%zu) does not depend on the times (%zu)", n,
          before);
    CHECK(memcmp(tag, "ID3\x04\x00\x00", 6) == 0, "an ID3v2.4.0 header with no flags");
    CHECK(syncsafe(tag + 6) == n - 10, "the header's syncsafe size %zu is the tag's %zu - 10",
          syncsafe(tag + 6), n);
    /* Walk the frames: each syncsafe size leads to the next. */
    size_t at = 10, frames = 0, chaps = 0;
    uint32_t starts[3] = {0}, ends[3] = {0};
    while (at + 10 <= n) {
        size_t len = syncsafe(tag + at + 4);
        if (memcmp(tag + at, "CHAP", 4) == 0 && chaps < 3) {
            const uint8_t *b = tag + at + 10;
            size_t id = strlen((const char *)b) + 1;
            starts[chaps] = be32(b + id);
            ends[chaps] = be32(b + id + 4);
            CHECK(memcmp(b + id + 16, "TIT2", 4) == 0, "CHAP %zu has a TIT2 title", chaps);
            chaps++;
        }
        at += 10 + len;
        frames++;
    }
    CHECK(at == n, "the frames fill the tag exactly (%zu of %zu)", at, n);
    CHECK(frames == 3 + 1 + 3, "TIT2, TPE1, TALB, CTOC and 3 CHAP frames (%zu)", frames);
    CHECK(starts[0] == 0 && starts[1] == 6100 && starts[2] == 90001,
          "chapter starts 0, 6100, 90001 ms: %u %u %u", starts[0], starts[1], starts[2]);
    CHECK(ends[0] == 6100 && ends[1] == 90001 && ends[2] == 100000,
          "each ends where the next starts, the last at the end: %u %u %u", ends[0], ends[1],
          ends[2]);

    char text[2048] = "";
    tags_vorbis(&t, add, text);
    CHECK(strstr(text, "TITLE=Calf pump\nARTIST=calfpace\nALBUM=calfpace\n") == text,
          "title, artist and album first");
    CHECK(strstr(text, "CHAPTER002=00:00:06.100\nCHAPTER002NAME=Heel raises\n") != NULL,
          "the second chapter at 00:00:06.100");
    CHECK(strstr(text, "CHAPTER003=00:01:30.001\nCHAPTER003NAME=Closing\n") != NULL,
          "the closing at 00:01:30.001");
    uint8_t block[4096];
    size_t bn = tags_flac_block(&t, "calfpace", block, sizeof block);
    CHECK(bn > 4 && block[0] == 4 &&
              ((size_t)block[1] << 16 | (size_t)block[2] << 8 | block[3]) == bn - 4,
          "a FLAC VORBIS_COMMENT block, not last, its length in its header");
    CHECK(block[4] == 8 && memcmp(block + 8, "calfpace", 8) == 0 && block[16] == 9,
          "vendor \"calfpace\" and 9 comments");
    printf("ID3v2.4: %zu bytes, %zu frames, chapters at 0/6100/90001 ms; Vorbis comments and "
           "the FLAC block as specified\n",
           n, frames);
    return CHECK_DONE("test_tags");
}
