/* tags: the title, artist, album and chapters of a rendered file, in the two
 * forms players read: an ID3v2.4 tag (MP3; chapters as CTOC/CHAP frames,
 * ID3v2 Chapter Frame Addendum 1.0) and Vorbis comments (FLAC, Ogg; chapters
 * as CHAPTERxxx=HH:MM:SS.mmm and CHAPTERxxxNAME=...).
 *
 * Pure functions over caller-provided buffers: no allocation, no I/O.
 */
#ifndef CALFPACE_TAGS_H
#define CALFPACE_TAGS_H

#include "timeline_text.h"

#include <stddef.h>
#include <stdint.h>

struct tags {
    const char *title, *artist, *album; /* UTF-8; NULL or "" leaves one out */
    const struct timeline_chapter *chapters;
    int n_chapters;
    int rate;             /* of the chapters' frames */
    int64_t total_frames; /* where the last chapter ends */
};

/* Writes the whole ID3v2.4 tag (header and frames, no padding) into OUT
 * (when OUT is not NULL and CAP is enough) and returns its size; the size
 * depends only on the texts, not on the frame numbers, so a tag can be
 * sized before a render and filled in after it.  0 when it would pass the
 * format's 256 MB. */
size_t tags_id3v2(const struct tags *t, uint8_t *out, size_t cap);

/* Calls ADD(ctx, key, value) for each Vorbis comment, in order. */
void tags_vorbis(const struct tags *t, void (*add)(void *ctx, const char *key, const char *value),
                 void *ctx);

/* A FLAC VORBIS_COMMENT metadata block (its 4-byte header included, not the
 * last block) with VENDOR and the comments above; like tags_id3v2 it
 * returns the size and writes only when OUT holds it. */
size_t tags_flac_block(const struct tags *t, const char *vendor, uint8_t *out, size_t cap);

/* "HH:MM:SS.mmm", the Vorbis chapter time of FRAME at RATE (to the
 * nearest millisecond). */
void tags_chapter_time(int64_t frame, int rate, char *out, size_t outlen);

#endif
