#include "phrase.h"

#include <math.h>

static const char *const word_names[WORD_COUNT] = {
    "w-times",
    "w-seconds",
    "w-minutes",
    "w-getting-faster",
    "w-hold-for",
    "w-tempo",
    "w-session-length",
    "w-hundred",
    "halfway",
    "ten-more",
    "last-five",
    "switch-legs",
    "relax",
    "paused",
    "go",
    "config-error",
    "w-one-minute",
    "w-one-second",
    "limit",
};

const char *phrase_word_name(enum phrase_word w)
{
    return word_names[w];
}

int phrase_number_has_clip(int n)
{
    return n >= 0 && n < PHRASE_NUMBER_CLIPS && (n <= 99 || n % 10 == 0);
}

void phrase_add(struct phrase *p, struct clip_ref c)
{
    if (c.data && p->n < PHRASE_MAX)
        p->clip[p->n++] = c;
}

void phrase_number(const struct phrase_vocab *v, struct phrase *p, long n)
{
    if (n < 0)
        n = 0;
    if (n > PHRASE_NUMBER_MAX)
        n = PHRASE_NUMBER_MAX;
    if (n < PHRASE_NUMBER_CLIPS && v->number[n].data) {
        phrase_add(p, v->number[n]);
        return;
    }
    if (n < 100) {
        phrase_add(p, v->number[n / 10 * 10]);
        phrase_add(p, v->number[n % 10]);
        return;
    }
    if (n >= 1000) { /* "fourteen hundred forty": the hundreds have clips, thousands none */
        phrase_number(v, p, n / 100);
        phrase_add(p, v->word[WORD_HUNDRED]);
    } else if (n < 300) {
        phrase_add(p, v->number[n / 100 * 100]);
    } else {
        phrase_add(p, v->number[n / 100]);
        phrase_add(p, v->word[WORD_HUNDRED]);
    }
    if (n % 100)
        phrase_number(v, p, n % 100);
}

void phrase_duration(const struct phrase_vocab *v, struct phrase *p, double seconds)
{
    long s = lround(seconds);
    long m = s / 60, rest = s % 60;
    /* "one minute" has clips of its own: German says "eine Minute", not
     * "eins Minute". */
    if (m == 1) {
        phrase_add(p, v->word[WORD_ONE_MINUTE]);
    } else if (m > 0) {
        phrase_number(v, p, m);
        phrase_add(p, v->word[WORD_MINUTES]);
    }
    if (rest == 1) {
        phrase_add(p, v->word[WORD_ONE_SECOND]);
    } else if (rest > 0 || m == 0) {
        phrase_number(v, p, rest);
        phrase_add(p, v->word[WORD_SECONDS]);
    }
}

double phrase_seconds(const struct phrase *p, int rate)
{
    double t = 0.0;
    for (int i = 0; i < p->n; i++)
        t += (double)p->clip[i].frames / rate + (i ? PHRASE_WORD_GAP_SECONDS : 0.0);
    return t;
}
