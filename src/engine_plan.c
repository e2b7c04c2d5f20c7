/* The plan builder: a routine's clips loaded through the bank, its
 * announcements built, its warnings for guidance that will not fit.  Runs on
 * the control thread (file I/O, allocation), never in the callback. */
#include "engine_impl.h"
#include "term.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int load_ref(struct clip_bank *bank, const struct routine *r, const char *name, int line,
                    struct clip_ref *out, char *err, size_t errlen)
{
    char why[1536];
    int idx = clip_bank_load(bank, name, why, sizeof why);
    if (idx < 0) {
        if (line > 0)
            snprintf(err, errlen, "%s:%d: %s", r->path, line, why);
        else
            snprintf(err, errlen, "%s: %s", r->path, why);
        return -1;
    }
    const struct clip *c = clip_bank_get(bank, idx);
    out->data = c->data;
    out->frames = c->frames;
    return 0;
}

static void announce(const struct engine_plan *pl, const struct phrase_vocab *v,
                     const struct step *st, struct phrase *p)
{
    const struct guidance *g = &pl->routine->guidance;
    p->n = 0;
    phrase_add(p, pl->steps[st - pl->routine->steps].cue);
    if (!g->lengths)
        return;
    switch (st->type) {
    case STEP_PACED:
        if (st->beats_given && st->beats <= PHRASE_NUMBER_MAX) {
            phrase_number(v, p, st->beats);
            phrase_add(p, v->word[WORD_TIMES]);
        } else {
            phrase_duration(v, p, st->seconds);
        }
        if (st->tempo_to > st->tempo_from)
            phrase_add(p, v->word[WORD_GETTING_FASTER]);
        break;
    case STEP_HOLD:
        phrase_add(p, v->word[WORD_HOLD_FOR]);
        phrase_duration(v, p, st->seconds);
        break;
    case STEP_REST:
        phrase_duration(v, p, st->seconds);
        break;
    }
}

/* The click that answers the volume keys: the standard click, or, when that
 * cannot be loaded (a broken click.wav in the user's own folder), the
 * routine's first beat sound.  So a broken click breaks only the routines
 * that need it, and the message says what for. */
static int load_feedback(struct clip_bank *bank, struct engine_plan *pl, char *err,
                         size_t errlen)
{
    const struct routine *r = pl->routine;
    char why[1536];
    int idx = clip_bank_load(bank, ROUTINE_DEFAULT_SOUND, why, sizeof why);
    if (idx >= 0) {
        const struct clip *c = clip_bank_get(bank, idx);
        pl->feedback.data = c->data;
        pl->feedback.frames = c->frames;
        return 0;
    }
    for (int i = 0; i < r->n_steps; i++)
        if (pl->steps[i].n > 0) {
            pl->feedback = pl->steps[i].clip[0];
            return 0;
        }
    snprintf(err, errlen,
             "%s: %s (the standard click is what answers the volume keys, and this routine has "
             "no beat sound to use instead)",
             r->path, why);
    return -1;
}

/* Marks in SAID the clips phrase P takes from the stand-in vocabulary
 * whose number N points at MARK + N and word W at MARK + PHRASE_NUMBER_CLIPS
 * + W. */
static void mark_said(const struct phrase *p, const mixer_sample *mark, unsigned char *said)
{
    for (int i = 0; i < p->n; i++)
        if (p->clip[i].data >= mark && p->clip[i].data < mark + PHRASE_NUMBER_CLIPS + WORD_COUNT)
            said[p->clip[i].data - mark] = 1;
}

/* The numbers and words PL's own timeline says: the count-in, those its
 * steps' announcements are made of (found by saying them with stand-ins for
 * every clip there is), the progress calls and the transitions.  What the
 * listener's keys or the session's end may call for (a tempo, "paused", the
 * session's length) is not among them.  A step that counts aloud may count
 * to any number once the tempo keys change its beats: then every number.
 * SAID: PHRASE_NUMBER_CLIPS numbers, then WORD_COUNT words. */
static void clips_said(const struct engine_plan *pl, unsigned char *said)
{
    static const mixer_sample mark[PHRASE_NUMBER_CLIPS + WORD_COUNT];
    static const enum phrase_word timeline_words[] = {
        WORD_HALFWAY, WORD_TEN_MORE, WORD_LAST_FIVE, WORD_SWITCH_LEGS, WORD_RELAX};
    const struct routine *r = pl->routine;
    memset(said, 0, PHRASE_NUMBER_CLIPS + WORD_COUNT);
    for (size_t i = 0; i < sizeof timeline_words / sizeof timeline_words[0]; i++)
        said[PHRASE_NUMBER_CLIPS + timeline_words[i]] = 1;
    for (int n = 1; n <= SEQUENCER_COUNTDOWN; n++)
        said[n] = 1;
    struct phrase_vocab *probe = calloc(1, sizeof *probe);
    int every_number = !probe;
    for (int i = 0; i < r->n_steps; i++)
        every_number |= r->steps[i].count_aloud;
    if (every_number)
        for (int n = 0; n < PHRASE_NUMBER_CLIPS; n++)
            said[n] = (unsigned char)phrase_number_has_clip(n);
    if (!probe) { /* every word too */
        memset(said + PHRASE_NUMBER_CLIPS, 1, WORD_COUNT);
        return;
    }
    for (int n = 0; n < PHRASE_NUMBER_CLIPS; n++)
        if (phrase_number_has_clip(n))
            probe->number[n] = (struct clip_ref){mark + n, 1};
    for (int w = 0; w < WORD_COUNT; w++)
        probe->word[w] = (struct clip_ref){mark + PHRASE_NUMBER_CLIPS + w, 1};
    for (int i = 0; i < r->n_steps; i++) {
        struct phrase p = {0};
        announce(pl, probe, &r->steps[i], &p);
        mark_said(&p, mark, said);
        if (r->steps[i].count_aloud) /* the numbers past 99 */
            said[PHRASE_NUMBER_CLIPS + WORD_HUNDRED] = 1;
    }
    free(probe);
}

/* Loads into V every word and number clip it does not hold yet, or with
 * WANT (PHRASE_NUMBER_CLIPS numbers, then WORD_COUNT words) only those
 * marked; *LEFT_OUT (when given) is set if any was passed over. */
static int load_vocab(struct phrase_vocab *v, struct clip_bank *bank, const struct routine *r,
                      const unsigned char *want, int *left_out, char *err, size_t errlen)
{
    for (int w = 0; w < WORD_COUNT; w++) {
        if (v->word[w].data)
            continue;
        if (want && !want[PHRASE_NUMBER_CLIPS + w]) {
            *left_out = 1;
            continue;
        }
        if (load_ref(bank, r, phrase_word_name((enum phrase_word)w), 0, &v->word[w], err, errlen))
            return -1;
    }
    for (int n = 0; n < PHRASE_NUMBER_CLIPS; n++) {
        if (!phrase_number_has_clip(n) || v->number[n].data)
            continue;
        if (want && !want[n]) {
            *left_out = 1;
            continue;
        }
        char name[16];
        snprintf(name, sizeof name, "n%d", n);
        if (load_ref(bank, r, name, 0, &v->number[n], err, errlen))
            return -1;
    }
    return 0;
}

/* The voice's words and numbers, all of them or (FIRST) those the
 * timeline says, and the steps' announcements made of them. */
static int load_voice(struct engine_plan *pl, struct clip_bank *bank, int first, char *err,
                      size_t errlen)
{
    struct routine *r = pl->routine;
    unsigned char said[PHRASE_NUMBER_CLIPS + WORD_COUNT];
    if (first)
        clips_said(pl, said);
    if (load_vocab(&pl->vocab, bank, r, first ? said : NULL, &pl->partial, err, errlen))
        return -1;
    for (int i = 0; i < r->n_steps; i++)
        announce(pl, &pl->vocab, &r->steps[i], &pl->steps[i].announce);
    return 0;
}

static struct engine_plan *plan_create(struct routine *r, struct clip_bank *bank, int voice,
                                       int first, char *err, size_t errlen)
{
    if (clip_bank_rate(bank) != r->rate) {
        snprintf(err, errlen, "%s: sounds loaded at %d Hz for a routine at %d Hz", r->path,
                 clip_bank_rate(bank), r->rate);
        return NULL;
    }
    struct engine_plan *pl = calloc(1, sizeof *pl);
    if (!pl) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pl->routine = r;
    pl->voice = voice && r->guidance.voice;
    /* Cues are checked even when voice is off, so a routine that plays
     * clicks-only today does not fail with voice tomorrow. */
    if (r->cue[0] && load_ref(bank, r, r->cue, r->cue_line, &pl->open_cue, err, errlen))
        goto fail;
    if (r->end_cue[0] &&
        load_ref(bank, r, r->end_cue, r->end_cue_line, &pl->close_cue, err, errlen))
        goto fail;
    for (int i = 0; i < r->n_steps; i++) {
        const struct step *st = &r->steps[i];
        struct step_sounds *ss = &pl->steps[i];
        if (st->cue[0] && load_ref(bank, r, st->cue, st->cue_line, &ss->cue, err, errlen))
            goto fail;
        if (st->type != STEP_PACED)
            continue;
        ss->n = st->n_sounds;
        for (int k = 0; k < st->n_sounds; k++)
            if (load_ref(bank, r, st->sounds[k], st->sounds_line, &ss->clip[k], err, errlen))
                goto fail;
    }
    /* The count-in is spaced so that its numbers fit (sequencer.h), with or
     * without voice, so the timeline is the same either way: measured from
     * the clips when they are found, else the routine's default. */
    double word = 0.0;
    for (int n = 1; n <= SEQUENCER_COUNTDOWN; n++) {
        char name[16], why[1536];
        snprintf(name, sizeof name, "n%d", n);
        int idx = clip_bank_load(bank, name, why, sizeof why);
        if (idx >= 0)
            word = fmax(word, (double)clip_bank_get(bank, idx)->frames / r->rate);
    }
    if (word > 0.0)
        r->count_word = word;
    if (load_feedback(bank, pl, err, errlen))
        goto fail;
    if (pl->voice) {
        if (load_voice(pl, bank, first, err, errlen))
            goto fail;
    } else {
        memset(&pl->open_cue, 0, sizeof pl->open_cue);
        memset(&pl->close_cue, 0, sizeof pl->close_cue);
    }
    return pl;
fail:
    free(pl);
    return NULL;
}

struct engine_plan *engine_plan_create(struct routine *r, struct clip_bank *bank,
                                       int voice, char *err, size_t errlen)
{
    return plan_create(r, bank, voice, 0, err, errlen);
}

struct engine_plan *engine_plan_create_first(struct routine *r, struct clip_bank *bank,
                                             int voice, char *err, size_t errlen)
{
    return plan_create(r, bank, voice, 1, err, errlen);
}

int engine_plan_complete(struct engine_plan *p, struct clip_bank *bank, char *err,
                         size_t errlen)
{
    if (!p->partial || p->late)
        return 0;
    struct plan_vocab *lv = malloc(sizeof *lv);
    if (!lv) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    lv->of = p;
    lv->v = p->vocab;
    if (load_vocab(&lv->v, bank, p->routine, NULL, NULL, err, errlen)) {
        free(lv);
        return -1;
    }
    p->late = lv;
    return 0;
}

const struct plan_vocab *engine_plan_late_vocab(const struct engine_plan *p)
{
    return p->late;
}

#define COUNT_FIT 0.85 /* of a movement a number may fill: a breath before the next */

int engine_count_number(const struct step *st, int k)
{
    int m = routine_count_unit(st);
    int num = k % m == 0 ? k / m + 1 : 0;
    return num <= 999 ? num : 0;
}

double engine_count_room(const struct step *st, double bpm)
{
    return routine_count_unit(st) * 60.0 / bpm * COUNT_FIT;
}

int engine_progress_word(const struct step *st, const struct guidance *g, int k, int n)
{
    int m = routine_count_unit(st);
    if (k % m != 0)
        return -1;
    /* Units begun, a last half movement included: "last five" is five
     * starts of a movement before the step ends. */
    int u = k / m, total = n / m + (n % m != 0);
    if (g->halfway && total >= 16 && u == total / 2)
        return WORD_HALFWAY;
    if (g->remaining && total >= 30 && u == total - 10)
        return WORD_TEN_MORE;
    if (g->remaining && total >= 12 && u == total - 5)
        return WORD_LAST_FIVE;
    return -1;
}

/* Warns of the numbers a step counted aloud leaves out at its fastest. */
static void warn_count(const struct engine_plan *p, int i, FILE *to)
{
    const struct routine *r = p->routine;
    const struct step *st = &r->steps[i];
    double bpm = st->tempo_from > st->tempo_to ? st->tempo_from : st->tempo_to;
    double room = engine_count_room(st, bpm);
    int m = routine_count_unit(st), first = 0, dropped = 0;
    double first_len = 0.0;
    for (int k = 0; k < st->beats; k += m) {
        int num = engine_count_number(st, k);
        struct phrase ph = {0};
        if (num > 0)
            phrase_number(&p->vocab, &ph, num);
        double len = phrase_seconds(&ph, r->rate);
        if (num == 0 || len > room) {
            if (!dropped++) {
                first = num ? num : k / m + 1;
                first_len = len;
            }
        }
    }
    if (!dropped)
        return;
    char path[4 * ROUTINE_PATH_MAX + 1];
    fprintf(to,
            "%s:%d: warning: step %d counts aloud, but at %g bpm a number has %.2f s; %d of its "
            "%d numbers do not fit and are left out, the first %d (%.2f s) (a slower tempo or "
            "fewer movements keeps them)\n",
            term_clean(r->path, path, sizeof path), st->line, i + 1, bpm, room, dropped,
            (st->beats + m - 1) / m, first, first_len);
}

void engine_plan_warn(const struct engine_plan *p, FILE *to)
{
    const struct routine *r = p->routine;
    char path[4 * ROUTINE_PATH_MAX + 1];
    if (r->not_utf8_line)
        fprintf(to,
                "%s:%d: warning: the file is not UTF-8 (Latin-1, perhaps): names and words with "
                "accents show as \\xNN codes and cannot be spoken (save it as UTF-8)\n",
                term_clean(r->path, path, sizeof path), r->not_utf8_line);
    for (int i = 0; i < r->n_steps; i++) {
        const struct step *st = &r->steps[i];
        int m = st->type == STEP_PACED ? routine_count_unit(st) : 1;
        if (m > 1 && st->beats % m != 0)
            fprintf(to,
                    "%s:%d: warning: step %d has %d beats, %d movements of %d beats and %d "
                    "beat%s more: it ends inside a movement (%d or %d beats end on a whole "
                    "one)\n",
                    term_clean(r->path, path, sizeof path), st->line, i + 1, st->beats,
                    st->beats / m, m, st->beats % m, st->beats % m == 1 ? "" : "s",
                    st->beats - st->beats % m, st->beats - st->beats % m + m);
    }
    if (!p->voice)
        return;
    if (r->cue[0]) {
        double len = (double)p->open_cue.frames / r->rate;
        if (len > r->lead_in)
            fprintf(to,
                    "%s:%d: warning: the opening cue lasts %.1f s but lead_in is %.1f s; it "
                    "will run into the first step (set lead_in = %.1f;)\n",
                    term_clean(r->path, path, sizeof path), r->cue_line, len, r->lead_in,
                    ceil(len + 0.5));
    }
    for (int i = 0; i < r->n_steps; i++) {
        const struct step *st = &r->steps[i];
        if (st->type == STEP_PACED && st->count_aloud)
            warn_count(p, i, to);
        double len = phrase_seconds(&p->steps[i].announce, r->rate);
        double room = st->lead_in, count = 0.0;
        if (st->type == STEP_PACED && r->guidance.countdown) {
            count = SEQUENCER_COUNTDOWN * sequencer_count_spacing(r, st, st->tempo_from) * 60.0 /
                    st->tempo_from;
            room -= count;
        }
        /* A step that leaves its cue and its lead-in to the defaults is not
         * warned about: nothing in the file to change, and the countdown
         * numbers that do not fit are dropped (routine-format.md 8.2). */
        if (st->type == STEP_REST || len <= room + 1e-9 || (!st->lead_in_given && !st->cue[0]))
            continue;
        fprintf(to,
                "%s:%d: warning: step %d's announcement lasts %.1f s%s but its lead_in is %.1f s; "
                "the beat or the countdown will run over it (set lead_in = %.1f;)\n",
                term_clean(r->path, path, sizeof path), st->line, i + 1, len, count > 0.0 ? " and its countdown needs more" : "",
                st->lead_in, ceil((len + count + 0.3) * 2.0) / 2.0);
    }
}

void engine_plan_destroy(struct engine_plan *p)
{
    if (!p)
        return;
    routine_destroy(p->routine);
    free(p->late);
    free(p);
}

const struct routine *engine_plan_routine(const struct engine_plan *p)
{
    return p->routine;
}
