/* setup: from a routine file's path to a plan ready to play: the routine
 * read and validated, its sound folders in order, every clip loaded.  Shared
 * by render, check, live play and live reload.  Not for the audio thread. */
#ifndef CALFPACE_SETUP_H
#define CALFPACE_SETUP_H

#include "clips.h"
#include "engine.h"
#include "routine.h"

#include <stddef.h>

/* Adds R's sound folders to B, most specific first: the routine's own
 * sounds_dir, SOUNDS (from --sounds; may be NULL), the user's folder, the
 * shipped sounds. */
void setup_add_dirs(struct clip_bank *b, const struct routine *r, const char *sounds);

/* Reads PATH and loads what it needs into BANK (created at the routine's
 * rate when *BANK is NULL).  Returns the plan, or NULL with the message in
 * err and *bad_input set when the fault is the input's (exit status 2). */
struct engine_plan *setup_plan(const char *path, const char *sounds, int voice,
                               struct clip_bank **bank, char *err, size_t errlen, int *bad_input);

#endif
