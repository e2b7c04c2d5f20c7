/* clips: load sounds with libsndfile, resample them with libsamplerate to the
 * output rate, and own their memory.
 *
 * A clip is mono 16-bit at the bank's rate (files with more channels are
 * mixed down; panning happens in the mixer).  A name resolves to the first
 * file NAME.EXT found in the bank's folders, searched in the order they were
 * added, for EXT in wav, flac, ogg, opus, aiff, mp3 (or NAME itself when it
 * has an extension).  Loading allocates and does I/O: do it before the
 * stream starts.  Clip data never moves or changes once loaded, so the audio
 * thread may read it while the bank lives.  A clip is known by its file's
 * path, time and size: a routine that now names other folders, or a sound
 * file saved anew, loads the new sound (the old one stays, in case it still
 * plays).
 */
#ifndef CALFPACE_CLIPS_H
#define CALFPACE_CLIPS_H

#include "mixer.h"

#include <stddef.h>
#include <stdint.h>

#define CLIPS_MAX_DIRS 8
#define CLIPS_MAX_SECONDS 600.0
#define CLIPS_FILE_MAX (160LL * 1024LL * 1024LL) /* bytes: 600 s of 48 kHz 24-bit stereo fit */
#define CLIPS_BANK_MAX_SECONDS 1800.0 /* all the audio one bank holds */

struct clip {
    char name[96];
    char path[1024];
    mixer_sample *data; /* mono, at the bank's rate */
    int64_t frames;
    int64_t mtime_ns, size; /* the file's, when it was loaded */
    unsigned long long dev, ino; /* the file: one file under many names is held once */
    int shared;                  /* data belongs to an earlier clip of the same file */
};

struct clip_bank;

struct clip_bank *clip_bank_create(int rate);
void clip_bank_destroy(struct clip_bank *b);

/* Forgets the folders (not the clips): a new plan names its own. */
void clip_bank_clear_dirs(struct clip_bank *b);

/* Folders are searched in the order added; a missing folder is skipped. */
int clip_bank_add_dir(struct clip_bank *b, const char *dir);

/* Finds NAME's file; 0 with its path, or -1 when no folder has it (PATH is
 * then "" or the first candidate that exists but is not a regular file). */
int clip_bank_resolve(const struct clip_bank *b, const char *name, char *path, size_t pathlen);

/* Loads NAME (once per version of its file; later calls return the same index).  Returns the clip's
 * index, or -1 with "FILE: what is wrong" in err (or, when no file is found,
 * "no sound 'NAME' in DIR, DIR").  */
int clip_bank_load(struct clip_bank *b, const char *name, char *err, size_t errlen);

/* Loads a file by path, for tools and tests. */
int clip_bank_load_file(struct clip_bank *b, const char *name, const char *path, char *err,
                        size_t errlen);

const struct clip *clip_bank_get(const struct clip_bank *b, int index);
int clip_bank_rate(const struct clip_bank *b);

#endif
