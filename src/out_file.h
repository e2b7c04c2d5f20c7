/* out_file: render a whole session into an audio file, as fast as the
 * machine allows, through the same engine_render a live session uses.
 *
 * The format follows the file name's extension: .wav (16-bit PCM), .flac
 * (16-bit), .ogg (Vorbis).  The file is written under a temporary name in
 * the same folder and renamed into place only when complete, so a failure
 * (disk full, unwritable folder) never leaves a truncated file under the
 * target name.
 */
#ifndef CALFPACE_OUT_FILE_H
#define CALFPACE_OUT_FILE_H

#include "engine.h"

#include <stddef.h>
#include <stdint.h>

enum out_file_error {
    OUT_FILE_OK = 0,
    OUT_FILE_BAD_NAME, /* unknown extension: bad input */
    OUT_FILE_IO        /* could not create, write or rename: a runtime failure */
};

/* Returns 0, or an error with "FILE: what is wrong" in err.  FRAMES (if not
 * NULL) receives the number of frames written. */
enum out_file_error out_file_render(struct engine *e, const char *path, int64_t *frames, char *err,
                                    size_t errlen);

/* The libsndfile format for PATH's extension, or 0 if none fits. */
int out_file_format_for(const char *path);

#endif
