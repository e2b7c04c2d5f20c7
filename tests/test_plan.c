/* The plan builder and the phrase builder: numbers and durations composed
 * from the clips that exist; a plan refused with the file and line of the
 * sound it cannot find, or for a bank at another rate; the warnings for
 * guidance that does not fit its lead-in. */
#include "check.h"
#include "clips.h"
#include "engine.h"
#include "phrase.h"
#include "render_util.h"
#include "routine.h"
#include "setup.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000

static char dir[256];

/* A vocabulary whose clips are told apart by their length: number N is
 * 1000 + N frames long, word W 10 + W. */
static mixer_sample dummy[1];

static void fake_vocab(struct phrase_vocab *v)
{
    memset(v, 0, sizeof *v);
    for (int w = 0; w < WORD_COUNT; w++)
        v->word[w] = (struct clip_ref){dummy, 10 + w};
    for (int n = 0; n < PHRASE_NUMBER_CLIPS; n++)
        if (phrase_number_has_clip(n))
            v->number[n] = (struct clip_ref){dummy, 1000 + n};
}

/* The phrase as text: numbers as "nN", words by their sound's name. */
static void spell(const struct phrase *p, char *out, size_t outlen)
{
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < p->n && len < outlen; i++) {
        int64_t f = p->clip[i].frames;
        len += (size_t)snprintf(out + len, outlen - len, "%s", i ? " " : "");
        if (f >= 1000)
            len += (size_t)snprintf(out + len, outlen - len, "n%lld", (long long)(f - 1000));
        else
            len += (size_t)snprintf(out + len, outlen - len, "%s",
                                    phrase_word_name((enum phrase_word)(f - 10)));
    }
}

static void test_phrases(void)
{
    struct phrase_vocab v;
    fake_vocab(&v);
    const struct {
        long n;
        const char *said;
    } numbers[] = {{0, "n0"},
                   {7, "n7"},
                   {60, "n60"},
                   {75, "n75"},
                   {100, "n100"},
                   {120, "n120"},
                   {135, "n100 n35"},
                   {250, "n200 n50"},
                   {345, "n3 w-hundred n45"},
                   {900, "n9 w-hundred"},
                   {1200, "n12 w-hundred"},
                   {10500, "n99 w-hundred n99"},
                   {-5, "n0"}};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        struct phrase p = {0};
        char got[256];
        phrase_number(&v, &p, numbers[i].n);
        spell(&p, got, sizeof got);
        CHECK(strcmp(got, numbers[i].said) == 0, "%ld is said '%s' (got '%s')", numbers[i].n,
              numbers[i].said, got);
    }
    const struct {
        double s;
        const char *said;
    } lengths[] = {{0.4, "n0 w-seconds"},
                   {1.0, "w-one-second"},
                   {45.0, "n45 w-seconds"},
                   {60.0, "w-one-minute"},
                   {61.0, "w-one-minute w-one-second"},
                   {150.0, "n2 w-minutes n30 w-seconds"}};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        struct phrase p = {0};
        char got[256];
        phrase_duration(&v, &p, lengths[i].s);
        spell(&p, got, sizeof got);
        CHECK(strcmp(got, lengths[i].said) == 0, "%.1f s is said '%s' (got '%s')", lengths[i].s,
              lengths[i].said, got);
    }
    struct phrase p = {0};
    for (int i = 0; i < PHRASE_MAX + 3; i++)
        phrase_add(&p, v.word[WORD_GO]);
    phrase_add(&p, (struct clip_ref){NULL, 5});
    CHECK(p.n == PHRASE_MAX, "a phrase holds at most %d clips (%d)", PHRASE_MAX, p.n);
    p.n = 2;
    double want = (double)(2 * (10 + WORD_GO)) / RATE + PHRASE_WORD_GAP_SECONDS;
    CHECK(fabs(phrase_seconds(&p, RATE) - want) < 1e-12,
          "two clips last their lengths and one gap");
    printf("numbers to 9999 and durations composed from the clips that exist\n");
}

static struct routine *parse(const char *body)
{
    char path[512], text[4096], err[2048];
    snprintf(path, sizeof path, "%s/p.cfg", dir);
    snprintf(text, sizeof text, "name = \"p\";\nsounds_dir = \".\";\n%s", body);
    struct routine *r = routine_parse(text, path, err, sizeof err);
    CHECK(r != NULL, "routine: %s", err);
    if (!r)
        exit(1);
    return r;
}

/* Building a plan for BODY fails with a message starting "p.cfg:LINE: no
 * sound 'NAME'". */
static void expect_refused(struct clip_bank *bank, const char *body, int line, const char *name)
{
    struct routine *r = parse(body);
    setup_add_dirs(bank, r, NULL, "en");
    char err[2048], want[640];
    struct engine_plan *p = engine_plan_create(r, bank, 1, err, sizeof err);
    if (line > 0)
        snprintf(want, sizeof want, "%s/p.cfg:%d: no sound '%s'", dir, line, name);
    else
        snprintf(want, sizeof want, "%s/p.cfg: no sound '%s'", dir, name);
    CHECK(p == NULL && strncmp(err, want, strlen(want)) == 0, "refused: want '%s', got '%s'", want,
          p ? "a plan" : err);
    engine_plan_destroy(p);
    routine_destroy(r);
}

static void test_refusals(void)
{
    struct clip_bank *bank = clip_bank_create(RATE);
    const char *step = "steps = ( { type = \"rest\"; seconds = 2.0; } );\n";
    char body[1024];
    snprintf(body, sizeof body, "cue = \"nope-open\";\n%s", step);
    expect_refused(bank, body, 3, "nope-open");
    snprintf(body, sizeof body, "\nend_cue = \"nope-end\";\n%s", step);
    expect_refused(bank, body, 4, "nope-end");
    expect_refused(bank,
                   "steps = (\n { type = \"rest\"; seconds = 2.0;\n cue = \"nope-cue\"; } );\n", 5,
                   "nope-cue");
    expect_refused(bank,
                   "steps = (\n { type = \"paced\"; tempo = 60.0; seconds = 2.0;\n"
                   "   sounds = [ \"click\", \"nope-beat\" ]; } );\n",
                   5, "nope-beat");
    /* The spoken words are the plan's own: no line to point at. */
    struct clip_bank *empty = clip_bank_create(RATE);
    struct routine *r = parse(step);
    char err[2048];
    clip_bank_add_dir(empty, dir);
    struct engine_plan *p = engine_plan_create(r, empty, 0, err, sizeof err);
    CHECK(p == NULL && strstr(err, "no sound 'click'") != NULL,
          "without the standard click: refused (%s)", p ? "a plan" : err);
    engine_plan_destroy(p);
    struct clip_bank *other = clip_bank_create(44100);
    p = engine_plan_create(r, other, 1, err, sizeof err);
    CHECK(p == NULL && strstr(err, "sounds loaded at 44100 Hz for a routine at 48000 Hz"),
          "a bank at another rate: refused (%s)", p ? "a plan" : err);
    routine_destroy(r);
    clip_bank_destroy(other);
    clip_bank_destroy(empty);
    clip_bank_destroy(bank);
    printf("plans refused with the file and line of a missing cue or sound, or another rate\n");
}

static void test_warnings(void)
{
    struct clip_bank *bank = clip_bank_create(RATE);
    struct routine *r = parse("cue = \"done\"; lead_in = 0.5;\n"
                              "steps = (\n { type = \"paced\"; cue = \"calf-pump\"; tempo = 60.0;\n"
                              "   seconds = 10.0; lead_in = 1.0; } );\n");
    setup_add_dirs(bank, r, NULL, "en");
    char err[2048], *text = NULL;
    size_t len = 0;
    struct engine_plan *p = engine_plan_create(r, bank, 1, err, sizeof err);
    CHECK(p != NULL, "plan: %s", err);
    FILE *f = open_memstream(&text, &len);
    if (p)
        engine_plan_warn(p, f);
    fclose(f);
    CHECK(strstr(text, "p.cfg:3: warning: the opening cue lasts") != NULL &&
              strstr(text, "p.cfg:5: warning: step 1's announcement lasts") != NULL &&
              strstr(text, "and its countdown needs more") != NULL,
          "warnings for an opening cue and an announcement longer than their lead-ins:\n%s", text);
    free(text);
    engine_plan_destroy(p);
    clip_bank_destroy(bank);
    printf("warnings name the line and the lead_in that would fit\n");
}

/* From text to a plan as play and reload do it: the voice's language, the
 * listener's volume, a rate that cannot change mid-session. */
static void test_setup(void)
{
    char name[512];
    struct cp_error cerr;
    const char *err = cerr.msg;
    snprintf(name, sizeof name, "%s/s.cfg", dir);
    const char *text = "name = \"s\"; volume = { clicks = -6.0; voice = -3.0; };\n"
                       "steps = ( { type = \"rest\"; seconds = 2.0; } );\n";
    struct setup_choice c = {.lang = "de", .voice = 1, .volume_db = -4.0};
    struct clip_bank *bank = NULL;
    struct engine_plan *p = setup_plan_text(text, name, &c, &bank, &cerr);
    const struct routine *r = p ? engine_plan_routine(p) : NULL;
    CHECK(p && bank && r->clicks_db == -10.0 && r->voice_db == -7.0,
          "setup: a plan with the listener's -4 dB on both volumes (%s)", p ? "ok" : err);
    char path[4096];
    CHECK(clip_bank_resolve(bank, "go", path, sizeof path) == 0 && strstr(path, "/de/go."),
          "setup: --voice de finds the German clips first (%s)", path);
    engine_plan_destroy(p);
    c.lang = NULL;
    c.lang_default = "en";
    p = setup_plan_text(text, name, &c, &bank, &cerr);
    CHECK(p && clip_bank_resolve(bank, "go", path, sizeof path) == 0 && !strstr(path, "/de/"),
          "setup: the next plan in English finds the English clips (%s)", path);
    engine_plan_destroy(p);
    c.lang = "fr";
    p = setup_plan_text(text, name, &c, &bank, &cerr);
    CHECK(!p && cerr.kind == CP_BAD_INPUT && strstr(err, "voice \"fr\" is not a language calfpace speaks"),
          "setup: an unknown voice refused as bad input (%s)", err);
    c.lang = NULL;
    p = setup_plan_text("name = \"s\"; rate = 44100;\nsteps = ( { type = \"rest\"; seconds = "
                        "2.0; } );\n",
                        name, &c, &bank, &cerr);
    CHECK(!p && cerr.kind == CP_BAD_INPUT && strstr(err, "rate is 44100 but the session plays at 48000 Hz"),
          "setup: another rate mid-session refused (%s)", err);
    p = setup_plan_text("name = ;", name, &c, &bank, &cerr);
    CHECK(!p && cerr.kind == CP_BAD_INPUT && strstr(err, "s.cfg:1"), "setup: a syntax error with its line (%s)", err);
    clip_bank_destroy(bank);
    printf("setup: the voice's folders per plan, the volume offset, rate and voice refusals\n");
}

static int bank_clips(const struct clip_bank *b)
{
    int n = 0;
    while (clip_bank_get(b, n))
        n++;
    return n;
}

/* The plan a live session starts with has only the voice clips its timeline
 * says, so it is ready sooner: what it plays is the whole plan's to the
 * last sample, but for the session's length in the closing words, which
 * comes with the rest of the numbers (engine_plan_complete and
 * engine_send_vocab, while it plays). */
static void test_first(void)
{
    char err[2048], name[512];
    struct cp_error cerr;
    snprintf(name, sizeof name, "%s/first.cfg", dir);
    const char *text = "name = \"f\"; cue = \"quick\"; end_cue = \"done\"; lead_in = 4.0;\n"
                       "steps = ( { type = \"paced\"; cue = \"heel-raises\"; lead_in = 6.0;\n"
                       "  tempo = { from = 60.0; to = 72.0; }; seconds = 20.0;\n"
                       "  sounds = [ \"click-high\", \"click-low\" ]; },\n"
                       "  { type = \"hold\"; cue = \"stretch-left\"; lead_in = 5.0; seconds = 7.0; } );\n";
    struct setup_choice whole = {.voice = 1, .lang_default = "en"}, first = whole;
    first.first = 1;
    struct clip_bank *ba = NULL, *bb = NULL, *bc = NULL;
    struct engine_plan *pa = setup_plan_text(text, name, &whole, &ba, &cerr);
    struct engine_plan *pb = setup_plan_text(text, name, &first, &bb, &cerr);
    struct engine_plan *pc = setup_plan_text(text, name, &first, &bc, &cerr);
    snprintf(err, sizeof err, "%s", cerr.msg);
    CHECK(pa && pb && pc, "first: the plans are made (%s)", err);
    if (!pa || !pb || !pc)
        return;
    int na = bank_clips(ba), nb = bank_clips(bb);
    CHECK(nb > 0 && nb * 3 < na,
          "first: a third of the clips or fewer loaded before the first sample (%d of %d)", nb,
          na);
    struct engine *ea = engine_create(pa, 1.0), *eb = engine_create(pb, 1.0),
                  *ec = engine_create(pc, 1.0);
    CHECK(ea && eb && ec, "first: engines made");
    if (!ea || !eb || !ec)
        return;
    CHECK(engine_plan_complete(pc, bc, err, sizeof err) == 0, "first: completed (%s)", err);
    CHECK(bank_clips(bc) >= na, "first: completed, every clip is there (%d of %d)", bank_clips(bc),
          na);
    CHECK(engine_send_vocab(ec, pc) == 0, "first: the whole vocabulary handed over");
    enum { BLOCK = 1024 };
    static float a[BLOCK * 2], b[BLOCK * 2], c[BLOCK * 2];
    int64_t frame = 0, b_differs = -1, c_differs = -1;
    for (;;) {
        int ga = engine_render(ea, a, BLOCK), gb = engine_render(eb, b, BLOCK);
        int gc = engine_render(ec, c, BLOCK);
        if (b_differs < 0 && (gb != ga || memcmp(a, b, sizeof a) != 0))
            b_differs = frame;
        if (c_differs < 0 && (gc != ga || memcmp(a, c, sizeof a) != 0))
            c_differs = frame;
        frame += BLOCK;
        if (ga == 0 && gb == 0 && gc == 0)
            break;
    }
    CHECK(c_differs < 0, "first: completed, it plays the whole plan's session to the sample "
                         "(first difference at %.2f s)", (double)c_differs / RATE);
    /* The session lasts about 45 s; its closing words begin after 40 s. */
    CHECK(b_differs > 40 * RATE,
          "first: not completed, the same up to the closing words (first difference at %.2f s "
          "of %.2f)",
          (double)b_differs / RATE, (double)frame / RATE);
    engine_destroy(ea);
    engine_destroy(eb);
    engine_destroy(ec);
    clip_bank_destroy(ba);
    clip_bank_destroy(bb);
    clip_bank_destroy(bc);
    printf("first: a live start's plan with %d of %d clips plays the same; completed, the "
           "session's length too\n",
           nb, na);
}

int main(void)
{
    tmp_dir(dir, sizeof dir, "plan");
    test_phrases();
    test_refusals();
    test_warnings();
    test_setup();
    test_first();
    tmp_cleanup(dir);
    return CHECK_DONE("test_plan");
}
