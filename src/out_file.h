/* out_file: render a whole session into an audio file, as fast as the
 * machine allows, through the same engine_render a live session uses.
 *
 * The format follows the file name's extension: .wav (16-bit PCM; RF64
 * when it passes 4 GiB), .flac (16-bit), .ogg and .oga (Vorbis), .mp3
 * (MPEG layer III through libsndfile's LAME), .opus (Ogg Opus through
 * libopusenc, at 48 kHz).  Every format but WAV carries the title, the
 * artist and album "calfpace", and a chapter per part of the session (ID3v2.4
 * CTOC/CHAP in MP3, Vorbis CHAPTERxxx comments in the others).
 *
 * A render that reports success is whole on disk: the file is written under
 * a temporary name in the same folder, every write (libsndfile's own header
 * and trailer included) goes through one checked path, and only once it is
 * finished and closed is it synced, renamed into place and its folder
 * synced.  On any failure or interruption the temporary file is removed.
 */
#ifndef CALFPACE_OUT_FILE_H
#define CALFPACE_OUT_FILE_H

#include "engine.h"
#include "timeline_text.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

enum out_file_error {
    OUT_FILE_OK = 0,
    OUT_FILE_BAD_NAME,   /* unknown extension, or a format this libsndfile cannot write: bad input */
    OUT_FILE_IO,         /* could not create, write, sync or rename: a runtime failure */
    OUT_FILE_INTERRUPTED /* *cancel became non-zero; the partial file is gone */
};

struct out_file_options {
    int bitrate_kbps;  /* MP3 and Opus; 0 for the default (64 kbit/s for both) */
    const char *title; /* the routine's name; NULL for none */
    const struct timeline_chapter *chapters;
    int n_chapters;
    const volatile sig_atomic_t *cancel; /* polled between blocks; NULL for never */
    /* Called after each block with the frames written so far (from the
     * rendering thread; may print). */
    void (*progress)(void *ctx, int64_t frames);
    void *progress_ctx;
    char partial[4096]; /* out: the temporary name used, for messages */
};

/* The libsndfile format for PATH's extension (SF_FORMAT_OGG|SF_FORMAT_OPUS
 * for .opus), or 0 if none fits. */
int out_file_format_for(const char *path);

/* The rate a session should be rendered at for PATH: 48000 for Opus, the
 * nearest MP3 rate for MP3, otherwise RATE itself. */
int out_file_rate_for(const char *path, int rate);

/* Everything that can be known before rendering: the extension, whether the
 * installed libraries write that format at RATE, and whether PATH can be
 * created (its folder exists, it is not a folder).  Returns OUT_FILE_OK, or
 * OUT_FILE_BAD_NAME / OUT_FILE_IO with one line in err. */
enum out_file_error out_file_check(const char *path, int rate, char *err, size_t errlen);

/* About how many bytes FRAMES frames make in PATH's format. */
double out_file_estimate_bytes(const char *path, int64_t frames, int rate, int bitrate_kbps);

/* Renders E into PATH.  Returns 0, or an error with "FILE: what is wrong"
 * in err.  FRAMES (if not NULL) receives the number of frames written. */
enum out_file_error out_file_render(struct engine *e, const char *path,
                                    struct out_file_options *opt, int64_t *frames, char *err,
                                    size_t errlen);

#endif
