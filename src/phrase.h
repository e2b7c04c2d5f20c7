/* phrase: the spoken vocabulary and the phrases built from it.
 *
 * A phrase is a short list of clips said one after another ("tempo" "one
 * hundred" "twenty"); numbers up to 999 and durations are built from the
 * number and word clips of a vocabulary.  Building a phrase is pure: no
 * allocation, no I/O, so the audio thread may build one (the tempo it has
 * just set, the session's length at its close).
 */
#ifndef CALFPACE_PHRASE_H
#define CALFPACE_PHRASE_H

#include "mixer.h"

#include <stdint.h>

#define PHRASE_MAX 12
#define PHRASE_WORD_GAP_SECONDS 0.06 /* between the clips of one phrase */
#define PHRASE_NUMBER_MAX 9999 /* "ninety-nine hundred ninety-nine"; a day is 1440 minutes */
#define PHRASE_NUMBER_CLIPS 201 /* n0 .. n200, of which those that exist */

struct clip_ref {
    const mixer_sample *data;
    int64_t frames;
};

struct phrase {
    int n;
    struct clip_ref clip[PHRASE_MAX];
};

enum phrase_word {
    WORD_TIMES,
    WORD_SECONDS,
    WORD_MINUTES,
    WORD_GETTING_FASTER,
    WORD_HOLD_FOR,
    WORD_TEMPO,
    WORD_SESSION_LENGTH,
    WORD_HUNDRED,
    WORD_HALFWAY,
    WORD_TEN_MORE,
    WORD_LAST_FIVE,
    WORD_SWITCH_LEGS,
    WORD_RELAX,
    WORD_PAUSED,
    WORD_GO,
    WORD_CONFIG_ERROR,
    WORD_ONE_MINUTE,
    WORD_ONE_SECOND,
    WORD_LIMIT,
    WORD_COUNT
};

/* The clips of the spoken words, by word and by number (a number with no
 * clip of its own has data NULL). */
struct phrase_vocab {
    struct clip_ref word[WORD_COUNT];
    struct clip_ref number[PHRASE_NUMBER_CLIPS];
};

/* The sound's name of word W ("w-tempo"). */
const char *phrase_word_name(enum phrase_word w);

/* Whether a clip "nN" exists for N in the shipped sound sets: 0-99 (German
 * puts the units first, "sechsundsechzig", so 61-99 cannot be composed from
 * the tens and the units) and the tens up to 200. */
int phrase_number_has_clip(int n);

/* Appends C (nothing if it has no data or the phrase is full). */
void phrase_add(struct phrase *p, struct clip_ref c);

/* Any whole number 0..999 (clamped): "one hundred" "five". */
void phrase_number(const struct phrase_vocab *v, struct phrase *p, long n);

/* SECONDS rounded to a whole second: "two minutes" "ten seconds". */
void phrase_duration(const struct phrase_vocab *v, struct phrase *p, double seconds);

/* How long P takes to say at RATE, gaps between its clips included. */
double phrase_seconds(const struct phrase *p, int rate);

#endif
