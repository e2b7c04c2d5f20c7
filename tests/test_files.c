/* Messages that were wrong, each made right: reloads that change sounds_dir
 * more than eight times, a paced step too short for a beat, spoken numbers
 * past 999, a history year 0000, a snooze in the far future, the include
 * resolver's line map and its budgets. */
#include "render_util.h"
#include "cfgtext.h"
#include "check.h"
#include "clips.h"
#include "history.h"
#include "paths.h"
#include "phrase.h"
#include "remind.h"
#include "routine.h"
#include "setup.h"
#include "term.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[256];


/* Ten reloads, each naming another sounds_dir: every one finds its sound. */
static void test_sounds_dir_reloads(void)
{
    char path[1100], sub[512], text[512], src_wav[1024];
    const char *src = getenv("CALFPACE_SOURCE");
    snprintf(src_wav, sizeof src_wav, "%s/sounds/click.wav", src ? src : ".");
    struct clip_bank *bank = NULL;
    struct setup_choice choice = {0};
    int ok = 0;
    for (int i = 0; i < 10; i++) {
        snprintf(sub, sizeof sub, "%s/s%d", dir, i);
        mkdir(sub, 0700);
        snprintf(path, sizeof path, "%s/tik%d.wav", sub, i);
        if (symlink(src_wav, path) != 0)
            perror("symlink");
        snprintf(path, sizeof path, "%s/r.cfg", dir);
        snprintf(text, sizeof text,
                 "sounds_dir = \"s%d\";\nguidance = { voice = false; };\n"
                 "steps = ( { type = \"paced\"; tempo = 60.0; beats = 2; sounds = [\"tik%d\"]; } );\n",
                 i, i);
        write_text(path, text);
        struct cp_error cerr;
        struct engine_plan *p = setup_plan(path, &choice, &bank, &cerr);
        CHECK(p != NULL, "reload %d with sounds_dir s%d: %s", i + 1, i, cerr.msg);
        if (p) {
            ok++;
            engine_plan_destroy(p);
        }
    }
    clip_bank_destroy(bank);
    printf("sounds_dir: %d of 10 reloads, each with a new folder, found their sound\n", ok);
}

static void test_zero_beats(void)
{
    char err[512];
    struct routine *r = routine_parse(
        "steps = ( { type = \"paced\"; tempo = 60.0;\n  seconds = 4.9e-324; } );\n", "/t/z.cfg",
        err, sizeof err);
    CHECK(!r && strstr(err, "/t/z.cfg:2: 4.94e-324 seconds hold no beat at 60 bpm"),
          "a paced step of 4.9e-324 s: %s", err);
    routine_destroy(r);
    printf("a paced step too short for one beat is refused at its line\n");
}

static void test_numbers(void)
{
    static const mixer_sample one = 1;
    struct phrase_vocab v;
    memset(&v, 0, sizeof v);
    for (int i = 0; i < PHRASE_NUMBER_CLIPS; i++)
        if (phrase_number_has_clip(i))
            v.number[i] = (struct clip_ref){&one, 100 + i};
    v.word[WORD_HUNDRED] = (struct clip_ref){&one, 7};
    v.word[WORD_MINUTES] = (struct clip_ref){&one, 8};
    struct phrase p = {0};
    phrase_duration(&v, &p, 1440 * 60.0);
    CHECK(p.n == 4 && p.clip[0].frames == 114 && p.clip[1].frames == 7 &&
              p.clip[2].frames == 140 && p.clip[3].frames == 8,
          "a day is \"fourteen hundred forty minutes\" (%d clips)", p.n);
    p.n = 0;
    phrase_number(&v, &p, 999);
    CHECK(p.n == 3 && p.clip[0].frames == 109 && p.clip[1].frames == 7 &&
              p.clip[2].frames == 199,
          "999 is nine, hundred, ninety-nine (%d clips)", p.n);
    for (int n = 61; n <= 99; n++) {
        p.n = 0;
        phrase_number(&v, &p, n);
        CHECK(p.n == 1 && p.clip[0].frames == 100 + n,
              "%d is one clip of its own, as German says it units first (%d clips)", n, p.n);
    }
    p.n = 0;
    phrase_number(&v, &p, 366);
    CHECK(p.n == 3 && p.clip[0].frames == 103 && p.clip[2].frames == 166,
          "366 is three, hundred, sixty-six (%d clips)", p.n);
    printf("spoken numbers past 999: 1440 minutes said as fourteen hundred forty\n");
    printf("61-99 each a clip of its own (\"sechsundsechzig\", not \"sechzig sechs\")\n");
}

static void test_history_year(void)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/h.tsv", dir);
    write_text(path, "0000-01-01T00:00:00+0000\tx\t60.0\t60.0\t1\t1\t0.0\t0.0\tdone\n"
                     "0999-12-31T00:00:00+0000\tx\t60.0\t60.0\t1\t1\t0.0\t0.0\tdone\n"
                     "2026-01-01T00:00:00+0000\tx\t60.0\t60.0\t1\t1\t0.0\t0.0\tdone\n");
    struct history_record *recs = NULL;
    size_t n = 0;
    CHECK(history_load(path, &recs, &n, NULL, NULL, err, sizeof err) == 0 && n == 1,
          "years 0000 and 0999 are not records (%zu read)", n);
    history_free(recs);
    printf("history: a year before 1000 is a broken line, as the writer never writes one\n");
}

static void test_snooze(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/snooze", dir);
    time_t now = 1764000000;
    write_text(path, "99999999999\n");
    CHECK(remind_snooze_read(path, now) == 0, "a snooze in the year 5138 is no snooze");
    write_text(path, "1764000600\n");
    CHECK(remind_snooze_read(path, now) == 1764000600, "ten minutes is");
    write_text(path, "1764000600junk\n");
    CHECK(remind_snooze_read(path, now) == 0, "a number with junk is not");
    unlink(path);
    mkfifo(path, 0600);
    CHECK(remind_snooze_read(path, now) == 0, "a FIFO is none, at once");
    printf("snooze: a far-future, junk or FIFO snooze file is no snooze\n");
}

static void test_cfgtext(void)
{
    char a[512], b[512], err[512];
    snprintf(a, sizeof a, "%s/a.cfg", dir);
    snprintf(b, sizeof b, "%s/b.cfg", dir);
    write_text(a, "x = 1;\n@include \"b.cfg\"\ny = 2;\n");
    write_text(b, "b1 = 1;\nb2 = 2;");
    const char *top = "t = 0;\n  @include \"a.cfg\" z = 3;\nw = 4;\n";
    char top_name[512];
    snprintf(top_name, sizeof top_name, "%s/top.cfg", dir);
    struct cfgtext *t = cfgtext_expand(top, top_name, dir, "routine", err, sizeof err);
    CHECK(t != NULL, "expand: %s", err);
    if (!t)
        return;
    config_t cfg;
    config_init(&cfg);
    CHECK(cfgtext_parse(t, &cfg, "", err, sizeof err) == 0, "parse: %s", err);
    static const struct {
        const char *name, *file;
        int line;
    } want[] = {{"t", "top.cfg", 1}, {"x", "a.cfg", 1}, {"b1", "b.cfg", 1}, {"b2", "b.cfg", 2},
                {"y", "a.cfg", 3},   {"z", "top.cfg", 2}, {"w", "top.cfg", 3}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        config_setting_t *s = config_setting_get_member(config_root_setting(&cfg), want[i].name);
        int line = 0;
        const char *file = s ? cfgtext_where(t, (int)config_setting_source_line(s), &line) : "";
        const char *slash = strrchr(file, '/');
        CHECK(s && strcmp(slash ? slash + 1 : file, want[i].file) == 0 && line == want[i].line,
              "%s is at %s:%d (got %s:%d)", want[i].name, want[i].file, want[i].line, file, line);
    }
    CHECK(cfgtext_n_files(t) == 3, "three files read, each once (%d)", cfgtext_n_files(t));
    config_destroy(&cfg);
    cfgtext_destroy(t);
    printf("cfgtext: every setting maps back to its own file and line across nested includes\n");
}

static void test_term_clean(void)
{
    char out[256];
    term_clean("a\x1b]0;x\x07 b\n\t\xc2\x9b\xff\xc3\xa4", out, sizeof out);
    CHECK(strcmp(out, "a\\x1b]0;x\\x07 b\\n\\t\\u009b\\xff\xc3\xa4") == 0, "term_clean: %s", out);
    term_clean("\x1b\x1b\x1b\x1b", out, 7);
    CHECK(strcmp(out, "\\x1b") == 0, "an escape is never cut in half: %s", out);
    printf("term_clean: C0, DEL, C1 and bad UTF-8 escaped, UTF-8 letters kept, no half escapes\n");
}

/* One way to split a path, for every file that needs a folder. */
static void test_dir_of(void)
{
    static const struct {
        const char *path, *dir, *leaf;
    } cases[] = {{"a.cfg", ".", "a.cfg"},          {"/a.cfg", "/", "a.cfg"},
                 {"/x/y/a.cfg", "/x/y", "a.cfg"}, {"x/a.cfg", "x", "a.cfg"},
                 {"x/", "x", ""},                  {"", ".", ""}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        const char *leaf = paths_dir_of(cases[i].path, out, sizeof out);
        CHECK(strcmp(out, cases[i].dir) == 0 && strcmp(leaf, cases[i].leaf) == 0,
              "paths_dir_of(\"%s\"): \"%s\" and \"%s\"", cases[i].path, out, leaf);
    }
    printf("paths_dir_of: bare names, the root, nested folders, a trailing slash\n");
}

int main(void)
{
    tmp_dir(dir, sizeof dir, "files");
    test_sounds_dir_reloads();
    test_zero_beats();
    test_numbers();
    test_history_year();
    test_snooze();
    test_cfgtext();
    test_term_clean();
    test_dir_of();
    if (tmp_cleanup(dir) != 0)
        return 1;
    return CHECK_DONE("test_files");
}
