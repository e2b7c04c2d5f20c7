/* Routine validation: every kind of mistake is rejected with its file, line
 * and a message that says what is allowed; good files load with the values
 * they say and the defaults the format promises. */
#include "check.h"
#include "routine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct bad {
    const char *text;
    const char *expect; /* a part of the message, starting at the line number */
};

#define STEP_OK "steps = ( { type = \"paced\"; tempo = 100.0; beats = 8; } );\n"

static const struct bad bad_cases[] = {
    /* syntax, as libconfig reports it */
    {"name = \"x\";\nsteps = ( { type = \"rest\"; seconds = 5.0.0; } );\n", "t.cfg:2: syntax error"},
    {"repeat = 4294967297;\n" STEP_OK, "t.cfg:1: repeat 4294967297 is out of range"},
    {"name = \"x\";\nsteps = ( { type = \"rest\"; seconds = 5.0; }\n", "t.cfg:3: syntax error"},
    /* unknown settings, with a hint */
    {"name = \"x\";\nsteps = ( { type = \"paced\"; tempo_form = 80.0; beats = 4; } );\n",
     "t.cfg:2: unknown setting 'tempo_form' in a paced step (did you mean 'tempo'?"},
    {"nmae = \"x\";\n" STEP_OK, "t.cfg:1: unknown setting 'nmae' at the top level (did you mean "
                                "'name'?"},
    {STEP_OK "volume = { click = -3.0; };\n", "t.cfg:2: unknown setting 'click' in volume (did you "
                                              "mean 'clicks'?"},
    {"steps = ( { type = \"hold\"; seconds = 5.0; tempo = 80.0; } );\n",
     "t.cfg:1: unknown setting 'tempo' in a hold step"},
    {"steps = ( { type = \"paced\"; tempo = { from = 80.0; too = 90.0; }; beats = 4; } );\n",
     "t.cfg:1: unknown setting 'too' in a tempo ramp (did you mean 'to'?"},
    /* wrong types */
    {"repeat = \"twice\";\n" STEP_OK, "t.cfg:1: 'repeat' must be a whole number, not a string"},
    {"rate = 44100.5;\n" STEP_OK, "t.cfg:1: 'rate' must be a whole number, not a decimal number"},
    {"name = 3;\n" STEP_OK, "t.cfg:1: 'name' must be a string"},
    {STEP_OK "volume = -3.0;\n", "t.cfg:2: 'volume' must be a group"},
    {"steps = ( { type = \"paced\"; tempo = \"fast\"; beats = 4; } );\n",
     "t.cfg:1: 'tempo' must be a number or a ramp"},
    {"steps = ( { type = \"paced\"; tempo = 90; beats = 4.5; } );\n",
     "t.cfg:1: 'beats' must be a whole number, not a decimal number"},
    {"steps = ( { type = \"rest\"; seconds = \"ten\"; } );\n",
     "t.cfg:1: 'seconds' must be a number, not a string"},
    {"steps = { a = 1; };\n", "t.cfg:1: 'steps' must be a list"},
    {"steps = ( 5 );\n", "t.cfg:1: step 1 must be a group"},
    {"steps = ( { type = \"paced\"; tempo = 90; beats = 4; sounds = 5; } );\n",
     "t.cfg:1: 'sounds' must be an array of sound names"},
    {"steps = ( { type = \"paced\"; tempo = 90; beats = 4; pan = \"left\"; } );\n",
     "t.cfg:1: 'pan' must be a number or an array"},
    {"steps = ( { type = true; } );\n", "t.cfg:1: 'type' must be a string"},
    /* out of range */
    {"steps = ( { type = \"paced\"; tempo = 9.0; beats = 4; } );\n",
     "t.cfg:1: tempo (bpm) 9 is out of range (allowed: 10 to 400)"},
    {"steps = (\n { type = \"paced\";\n tempo = { from = 80.0; to = 401.0; };\n beats = 4; } );\n",
     "t.cfg:3: tempo (bpm) 401 is out of range (allowed: 10 to 400)"},
    {"steps = ( { type = \"rest\"; seconds = -5.0; } );\n",
     "t.cfg:1: seconds -5 is out of range (allowed: more than 0 up to 86400)"},
    {"steps = ( { type = \"rest\"; seconds = 0.0; } );\n",
     "t.cfg:1: seconds 0 is out of range (allowed: more than 0 up to 86400)"},
    {"steps = ( { type = \"paced\"; tempo = 90.0; beats = 4; },"
     " { type = \"paced\"; tempo = 90.0; beats = 4294967297; } );\n",
     "t.cfg:1: beats 4294967297 is out of range"},
    {"steps = ( { type = \"paced\"; tempo = 90; beats = 0; } );\n",
     "t.cfg:1: beats 0 is out of range (allowed: 1 to 100000)"},
    {"steps = ( { type = \"paced\"; tempo = 90; beats = 4;\n pan = [ -1.0, 1.5 ]; } );\n",
     "t.cfg:2: pan 1.5 is out of range (allowed: -1 to 1)"},
    {"repeat = 0;\n" STEP_OK, "t.cfg:1: repeat 0 is out of range (allowed: 1 to 1000)"},
    {"rate = 1000;\n" STEP_OK, "t.cfg:1: rate (samples per second) 1000 is out of range"},
    {"volume = { clicks = 20.0; };\n" STEP_OK, "t.cfg:1: clicks volume (dB) 20 is out of range"},
    {"steps = ( { type = \"rest\"; seconds = 1e300; } );\n", "t.cfg:1: seconds 1e+300 is out of "
                                                             "range"},
    {"repeat = 99999999999;\n" STEP_OK, "t.cfg:1: repeat 99999999999 is out of range"},
    /* structure */
    {"name = \"x\";\n", "t.cfg: no 'steps'"},
    {"steps = ( );\n", "t.cfg:1: 'steps' has 0 steps (allowed: 1 to 256)"},
    {"steps = ( { seconds = 5.0; } );\n", "t.cfg:1: step 1 has no 'type'"},
    {"steps = ( { type = \"walk\"; } );\n", "t.cfg:1: unknown step type \"walk\" (allowed: "
                                             "\"paced\", \"hold\", \"rest\")"},
    {"steps = ( { type = \"paced\"; beats = 4; } );\n", "t.cfg:1: paced step 1 has no 'tempo'"},
    {"steps = ( { type = \"paced\"; tempo = 90; } );\n", "t.cfg:1: paced step 1 needs its length"},
    {"steps = ( { type = \"paced\"; tempo = 90; beats = 4;\n seconds = 3.0; } );\n",
     "t.cfg:1: a paced step takes 'seconds' or 'beats', not both"},
    {"steps = ( { type = \"hold\"; } );\n", "t.cfg:1: hold step 1 has no 'seconds'"},
    {"steps = ( { type = \"paced\"; tempo = { from = 80.0; }; beats = 4; } );\n",
     "t.cfg:1: a tempo ramp needs both 'from' and 'to'"},
    {"steps = ( { type = \"paced\"; tempo = 10.0; beats = 100000; } );\n",
     "t.cfg:1: 100000 beats take 600000 seconds (allowed: at most 86400)"},
    {"steps = ( { type = \"paced\"; tempo = 90; beats = 4; sounds = [ \"../etc/passwd\" ]; } );\n",
     "t.cfg:1: sound \"../etc/passwd\" is not a sound name"},
    {"steps = ( { type = \"rest\"; seconds = 5.0; cue = \"\"; } );\n",
     "t.cfg:1: cue \"\" is not a sound name"},
    {"sounds_dir = \"no/such/folder\";\n" STEP_OK, "t.cfg:1: sounds_dir \"./no/such/folder\" is "
                                                   "not a folder"},
};

static void test_bad(void)
{
    int n = (int)(sizeof bad_cases / sizeof bad_cases[0]);
    for (int i = 0; i < n; i++) {
        char err[1024] = "";
        struct routine *r = routine_parse(bad_cases[i].text, "t.cfg", err, sizeof err);
        CHECK(r == NULL, "case %d should be rejected: %s", i, bad_cases[i].text);
        CHECK(strncmp(err, bad_cases[i].expect, strlen(bad_cases[i].expect)) == 0,
              "case %d message\n  got:  %s\n  want: %s...", i, err, bad_cases[i].expect);
        routine_destroy(r);
    }
    printf("%d kinds of mistake rejected with FILE:LINE and what is allowed\n", n);
}

static void test_good(void)
{
    const char *text = "name = \"Calf pump, seated\";\n"
                       "repeat = 2;\n"
                       "rate = 44100;\n"
                       "volume = { clicks = -8.0; voice = -2.0; };\n"
                       "steps = (\n"
                       "  { type = \"paced\"; name = \"Tapping\"; cue = \"tapping\";\n"
                       "    tempo = { from = 80.0; to = 160.0; };\n"
                       "    seconds = 60.0;\n"
                       "    sounds = [ \"tick\" ];\n"
                       "    pan = [ -1.0, 1.0 ]; },\n"
                       "  { type = \"hold\"; name = \"Stretch, left leg\"; cue = \"stretch-left\"; "
                       "seconds = 20.0; },\n"
                       "  { type = \"paced\"; tempo = 60; beats = 40; lead_in = 1.5; },\n"
                       "  { type = \"rest\"; seconds = 10; }\n"
                       ");\n";
    char err[1024] = "";
    struct routine *r = routine_parse(text, "good.cfg", err, sizeof err);
    CHECK(r != NULL, "the issue's example loads: %s", err);
    if (!r)
        return;
    CHECK(strcmp(r->name, "Calf pump, seated") == 0, "name");
    CHECK(r->repeat == 2 && r->rate == 44100, "repeat %d rate %d", r->repeat, r->rate);
    CHECK(r->clicks_db == -8.0 && r->voice_db == -2.0, "volumes");
    CHECK(r->n_steps == 4, "4 steps, got %d", r->n_steps);
    const struct step *t = &r->steps[0];
    CHECK(t->type == STEP_PACED && t->tempo_from == 80.0 && t->tempo_to == 160.0, "ramp");
    CHECK(t->seconds == 60.0 && !t->beats_given, "seconds");
    /* phase(60) = 60 * (80 + 160) / 120 = 120: beats 0..119 */
    CHECK(t->beats == 120, "a 60 s ramp 80->160 holds 120 beats, got %d", t->beats);
    CHECK(t->n_sounds == 1 && strcmp(t->sounds[0], "tick") == 0, "sounds");
    CHECK(t->n_pan == 2 && t->pan[0] == -1.0 && t->pan[1] == 1.0, "pan");
    CHECK(strcmp(t->cue, "tapping") == 0 && t->lead_in == 3.0, "cue and default lead-in");
    CHECK(t->line == 6, "step line %d", t->line);
    CHECK(r->steps[1].type == STEP_HOLD && r->steps[1].seconds == 20.0, "hold");
    const struct step *p = &r->steps[2];
    CHECK(p->beats == 40 && p->beats_given && fabs(p->seconds - 40.0) < 1e-12,
          "40 beats at 60 bpm: S = 40 s, got %g", p->seconds);
    CHECK(p->n_sounds == 1 && strcmp(p->sounds[0], ROUTINE_DEFAULT_SOUND) == 0, "default click");
    CHECK(p->n_pan == 1 && p->pan[0] == 0.0, "default pan centre");
    CHECK(p->lead_in == 1.5, "lead_in");
    CHECK(r->steps[3].type == STEP_REST && r->steps[3].lead_in == 0.0, "rest: no lead-in");
    printf("the issue's example loads with every value and default as documented\n");
    routine_destroy(r);
}

static void test_literals(void)
{
    char err[1024] = "";
    struct routine *r = routine_parse(
        "steps = ( { type = \"paced\"; name = \"beats = 2\"; tempo = 90.0; beats = 4; } );\n",
        "t.cfg", err, sizeof err);
    CHECK(r && r->steps[0].beats == 4, "a name that looks like a setting changes nothing: %s", err);
    routine_destroy(r);
    r = routine_parse("steps = ( { type = \"paced\"; tempo = 90.0; beats = 010; } );\n", "t.cfg",
                      err, sizeof err);
    CHECK(r && r->steps[0].beats == 10, "beats = 010 is ten, as libconfig reads it");
    routine_destroy(r);
    printf("whole numbers are read as written, not from look-alikes elsewhere on the line\n");
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, n, f);
    fclose(f);
}

static void write_text_file(const char *path, const char *text)
{
    write_file(path, text, strlen(text));
}

static void expect_load_error(const char *path, const char *want, const char *what)
{
    char err[1024] = "";
    struct routine *r = routine_load(path, err, sizeof err);
    CHECK(r == NULL, "%s is rejected", what);
    CHECK(strstr(err, path) == err && strstr(err, want) != NULL, "%s: got \"%s\", want \"%s\"",
          what, err, want);
    routine_destroy(r);
}

static void test_files(void)
{
    char dir[] = "/tmp/calfpace-routine-XXXXXX";
    if (!mkdtemp(dir))
        abort();
    char path[512];

    snprintf(path, sizeof path, "%s/missing.cfg", dir);
    expect_load_error(path, "cannot read the routine: No such file", "a missing file");

    snprintf(path, sizeof path, "%s/empty.cfg", dir);
    write_file(path, "  \n\n", 4);
    expect_load_error(path, "the file is empty", "an empty file");

    snprintf(path, sizeof path, "%s/binary.cfg", dir);
    const unsigned char junk[] = {0x7f, 'E', 'L', 'F', 0, 1, 2, 0xff, 0xfe};
    write_file(path, junk, sizeof junk);
    expect_load_error(path, "binary data", "binary garbage");

    snprintf(path, sizeof path, "%s/big.cfg", dir);
    size_t big = 10u * 1024u * 1024u;
    char *text = malloc(big);
    memset(text, '#', big);
    write_file(path, text, big);
    free(text);
    expect_load_error(path, "the routine is 10485760 bytes (allowed: at most 1048576)", "a 10 MB file");
    unlink(path);

    expect_load_error(dir, "the routine is a folder (allowed: a regular file)", "a folder");

    snprintf(path, sizeof path, "%s/self.cfg", dir);
    write_file(path, "@include \"self.cfg\"\n", 20);
    expect_load_error(path, "include", "a routine that includes itself");

    char part[512];
    snprintf(part, sizeof part, "%s/part.cfg", dir);
    write_text_file(part, "steps = (\n  { type = \"paced\";\n    tempo = 500.0; beats = 4; } );\n");
    snprintf(path, sizeof path, "%s/main.cfg", dir);
    write_text_file(path, "name = \"main\";\n@include \"part.cfg\"\n");
    char want[600];
    snprintf(want, sizeof want, "%s/part.cfg:3: tempo (bpm) 500 is out of range", dir);
    char e2[1024] = "";
    struct routine *inc = routine_load(path, e2, sizeof e2);
    CHECK(!inc && strncmp(e2, want, strlen(want)) == 0,
          "an error in an included file names that file: got \"%s\"", e2);
    routine_destroy(inc);

    snprintf(path, sizeof path, "%s/empty-include.cfg", dir);
    write_text_file(path, "name = \"x\";\n@include \"\"\n");
    expect_load_error(path, ":2: @include \"\" names no file",
                      "an @include of a folder (libconfig would exit)");

    snprintf(path, sizeof path, "%s/ok.cfg", dir);
    const char *ok = "name = \"ok\";\n" STEP_OK;
    write_file(path, ok, strlen(ok));
    char err[1024] = "";
    struct routine *r = routine_load(path, err, sizeof err);
    CHECK(r && strcmp(r->name, "ok") == 0, "a good file loads: %s", err);
    routine_destroy(r);
    printf("files: missing, empty, binary, 10 MB, a folder, self-including: each named with a "
           "clear reason\n");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
    test_bad();
    test_good();
    test_literals();
    test_files();
    return CHECK_DONE("test_routine");
}
