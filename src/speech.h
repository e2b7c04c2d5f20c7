/* speech: the routine's own words (say, end_say, a step's say) spoken by a
 * synthesiser linked in as a library: flite's kal16 diphone voice for
 * English, espeak-ng (de+f3) for German.  Each text is synthesised once, loudness-
 * normalised to the shipped clips' level (SPEECH_LUFS, ITU-R BS.1770), and
 * kept as a WAV in $XDG_CACHE_HOME/calfpace/speech, named after a hash of
 * the text, the voice and the speaking rate; a later load (or a live
 * reload) finds it there and synthesises nothing.  The voices are the
 * shipped clips': kal16 and espeak-ng's de with its f3 variant.
 *
 * Runs where routines load, never on the audio thread; not thread-safe (one
 * loading thread at a time).
 */
#ifndef CALFPACE_SPEECH_H
#define CALFPACE_SPEECH_H

#include "routine.h"

#include <stddef.h>
#include <stdio.h>

#define SPEECH_LUFS -16.0

/* The folder the spoken clips are kept in. */
void speech_cache_dir(char *out, size_t outlen);

/* For every text R speaks: finds or makes its clip in the cache, names it
 * in the matching cue ("say-HASH", found in speech_cache_dir) and sets its
 * length in seconds.  LANG is "en" or "de".  SYNTHESISED (if not NULL)
 * counts the texts that were not in the cache.  Returns 0, or -1 with
 * "FILE:LINE: ..." in err: a text longer than its whole step, or a
 * synthesiser or cache failure. */
int speech_prepare(struct routine *r, const char *lang, int *synthesised, char *err,
                   size_t errlen);

/* One line per text R speaks, after speech_prepare: where, how long, the
 * voice, the words. */
void speech_print(FILE *to, const struct routine *r, const char *lang);

/* The voice used for LANG, for messages: "flite kal16", "espeak-ng de". */
const char *speech_voice_name(const char *lang);

#endif
