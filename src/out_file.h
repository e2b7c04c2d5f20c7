/* out_file: render a whole session into an audio file, as fast as the
 * machine allows, through the same engine_render a live session uses: an
 * output (output.h) whose every pump renders and writes one block, and
 * whose finish makes the file whole and puts it in place.
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

#include "cp_error.h"
#include "engine.h"
#include "output.h"
#include "timeline_text.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

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
 * created (its folder exists, it is not a folder).  0, or -1 with err set
 * (CP_BAD_INPUT for a name no file of ours can have, CP_RUNTIME for a
 * place it cannot be made). */
int out_file_check(const char *path, int rate, struct cp_error *err);

/* About how many bytes FRAMES frames make in PATH's format. */
double out_file_estimate_bytes(const char *path, int64_t frames, int rate, int bitrate_kbps);

/* The output: output_params.path is the file, output_params.file its
 * options (kept by pointer until the output closes).  Open checks the name
 * (out_file_check) and makes the temporary file; each pump renders and
 * writes a block, *cancel polled before it; output_finish ends the encoding,
 * syncs and renames: 0, or -1 with err set (CP_INTERRUPTED when *cancel
 * cut it short).  A file not finished is removed on close. */
extern const struct output_ops out_file_ops;

#endif
