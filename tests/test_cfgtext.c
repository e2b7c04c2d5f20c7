/* cfgtext's include resolver, case by case: what counts as a directive (as
 * libconfig's scanner decides), escapes in names, absolute names, and each
 * refusal with its FILE:LINE: no name, no closing quote, a missing or binary
 * file, too many files, nesting too deep. */
#include "cfgtext.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

static void put(const char *name, const char *text, size_t len)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fwrite(text, 1, len, f);
    fclose(f);
}

static struct cfgtext *expand(const char *text, char *err, size_t errlen)
{
    return cfgtext_expand(text, "top.cfg", dir, "routine", err, errlen);
}

static void refused(const char *text, const char *want)
{
    char err[2048] = "";
    struct cfgtext *t = expand(text, err, sizeof err);
    CHECK(t == NULL, "refused: %s", text);
    cfgtext_destroy(t);
    CHECK(strstr(err, want) != NULL, "message \"%s\" (wanted \"%s\")", err, want);
}

static void test_directives(void)
{
    char err[2048] = "";
    put("a.cfg", "a = 1;", 6);
    put("q\"b.cfg", "b = 2;\n", 7);

    /* Only at the start of a line, after blanks, outside comments and strings. */
    struct cfgtext *t = expand("x = 0;\n  @include \"a.cfg\"\n/* @include \"a.cfg\" */\n"
                               "s = \"\n@include \\\"a.cfg\\\" \";\n@include \"q\\\"b.cfg\"\n",
                               err, sizeof err);
    CHECK(t != NULL, "expanded: %s", err);
    if (t) {
        const char *out = cfgtext_text(t);
        CHECK(strstr(out, "a = 1;\n") != NULL, "a.cfg pasted, with a newline after its last token");
        CHECK(strstr(out, "/* @include \"a.cfg\" */") != NULL, "the one in a comment kept");
        CHECK(strstr(out, "@include \\\"a.cfg\\\"") != NULL, "the one in a string kept");
        CHECK(strstr(out, "b = 2;") != NULL, "escaped quote in a name");
        CHECK(cfgtext_n_files(t) == 3, "three files (%d)", cfgtext_n_files(t));
        CHECK(strcmp(cfgtext_file(t, 0), "top.cfg") == 0, "top first: %s", cfgtext_file(t, 0));
        config_t cfg;
        config_init(&cfg);
        CHECK(cfgtext_parse(t, &cfg, "", err, sizeof err) == 0, "parses: %s", err);
        config_destroy(&cfg);
        cfgtext_destroy(t);
    }

    /* "@include" with no blank, or no quote, is not a directive. */
    t = expand("@include\"a.cfg\"\n", err, sizeof err);
    CHECK(t && strstr(cfgtext_text(t), "a = 1") == NULL, "no blank: not an include");
    cfgtext_destroy(t);
    t = expand("@include a.cfg\n", err, sizeof err);
    CHECK(t && strstr(cfgtext_text(t), "a = 1") == NULL, "no quote: not an include");
    cfgtext_destroy(t);

    /* An absolute name is used as it is. */
    char text[700];
    snprintf(text, sizeof text, "@include \"%s/a.cfg\"\n", dir);
    t = expand(text, err, sizeof err);
    CHECK(t && strstr(cfgtext_text(t), "a = 1"), "absolute name: %s", err);
    cfgtext_destroy(t);

    /* A parse error in an included file is reported at that file's line. */
    put("bad.cfg", "\n\nz = ;\n", 8);
    t = expand("x = 1;\n@include \"bad.cfg\"\n", err, sizeof err);
    CHECK(t != NULL, "expanded: %s", err);
    if (t) {
        config_t cfg;
        config_init(&cfg);
        CHECK(cfgtext_parse(t, &cfg, "(a hint)", err, sizeof err) == -1, "syntax error found");
        char want[700];
        snprintf(want, sizeof want, "%s/bad.cfg:3:", dir);
        CHECK(strstr(err, want) != NULL && strstr(err, "(a hint)"), "at bad.cfg:3: %s", err);
        config_destroy(&cfg);
        cfgtext_destroy(t);
    }
}

static void test_refusals(void)
{
    refused("x = 1;\n@include \"\"\n", "top.cfg:2: @include \"\" names no file");
    refused("@include \"a.cfg\n", "top.cfg:1: @include \"a.cfg\n...\" has no closing quote");
    refused("\n\n@include \"none.cfg\"\n", "top.cfg:3: @include \"none.cfg\": ");
    put("bin.cfg", "a = 1;\0", 7);
    refused("@include \"bin.cfg\"\n", "holds binary data (a routine is a text file)");

    /* 33 different files: one more than allowed. */
    char text[4096] = "";
    for (int i = 0; i < 33; i++) {
        char name[32], line[64];
        snprintf(name, sizeof name, "f%d.cfg", i);
        put(name, "", 0);
        snprintf(line, sizeof line, "@include \"%s\"\n", name);
        strcat(text, line);
    }
    refused(text, "more than 32 files (allowed: at most 32)");

    /* A file that includes itself: nesting too deep, at its own line. */
    put("loop.cfg", "\n@include \"loop.cfg\"\n", 20);
    refused("@include \"loop.cfg\"\n", "loop.cfg:2: @include \"loop.cfg\": include file nesting "
                                       "too deep (allowed: 10 levels)");

    /* One file pasted 65 times: more includes than allowed. */
    text[0] = '\0';
    for (int i = 0; i < 65; i++)
        strcat(text, "@include \"a.cfg\"\n");
    refused(text, "more than 64 includes in all");
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/calfpace-cfgtext-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    test_directives();
    test_refusals();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return CHECK_DONE("test_cfgtext");
}
