/* hint: each common mistake named where it is, with what to write; nothing
 * named inside strings or comments; names set twice found on the line or
 * the lines before; joined strings split back into the two that were
 * written. */
#include "check.h"
#include "hint.h"

#include <string.h>

static void expect_syntax(const char *text, int line, int want_line, int want_col,
                          const char *want_msg)
{
    int at = -1, col = -1;
    char msg[256] = "";
    int r = hint_syntax(text, line, &at, &col, msg, sizeof msg);
    CHECK(r == 1, "hint for %s", text);
    CHECK(at == want_line && col == want_col, "at %d:%d for %s (wanted %d:%d)", at, col, text,
          want_line, want_col);
    CHECK(strcmp(msg, want_msg) == 0, "message \"%s\" (wanted \"%s\")", msg, want_msg);
}

static void expect_none(const char *text, int line)
{
    int at = -1, col = -1;
    char msg[256] = "";
    CHECK(hint_syntax(text, line, &at, &col, msg, sizeof msg) == 0, "no hint for %s (got %s)",
          text, msg);
}

static void test_distance(void)
{
    CHECK(hint_distance("tempo", "tempo") == 0, "same");
    CHECK(hint_distance("tmepo", "tempo") == 2, "swap is two");
    CHECK(hint_distance("temp", "tempo") == 1, "insert");
    CHECK(hint_distance("tempos", "tempo") == 1, "delete");
    CHECK(hint_distance("bemps", "tempo") == 2, "two changes");
    CHECK(hint_distance("abc", "xyz") == 3, "three changes");
    CHECK(hint_distance("", "abc") == 3, "empty");
    CHECK(hint_distance("abcdefghijklmnopqrstuvwxyz0123456", "a") == 99, "too long");
    CHECK(hint_distance("a", "abcdefghijklmnopqrstuvwxyz0123456") == 99, "too long b");
}

static void test_syntax(void)
{
    expect_syntax("bpm = 60,5;\n", 1, 1, 9, "60,5 has a decimal comma (write 60.5)");
    expect_syntax("a = 1;\nseconds = 1:30;\n", 2, 2, 11,
                  "1:30 is not a number (a time is written in seconds: 90.0)");
    /* Found by fuzz_routine: minutes past LONG_MAX overflowed a long. */
    expect_syntax("t = 99999999999999999999:30;\n", 1, 1, 5,
                  "99999999999999999999:30 is not a number (a time is written in seconds)");
    expect_syntax("t = -999999:30;\n", 1, 1, 5,
                  "-999999:30 is not a number (a time is written in seconds: -59999910.0)");
    expect_syntax("name = 'heel raises';\n", 1, 1, 8,
                  "'heel raises' is in single quotes (a string takes double quotes: \"heel "
                  "raises\")");
    expect_syntax("name = heel raises;\n", 1, 1, 8,
                  "heel raises is not in double quotes (write \"heel raises\")");
    expect_syntax("bpm = nan;\n", 1, 1, 7, "nan is not a number (write a number such as 60.0)");
    expect_syntax("bpm = Infinity;\n", 1, 1, 7,
                  "Infinity is not a number (write a number such as 60.0)");
    expect_syntax("steps = ( 1, 2, );\n", 1, 1, 15,
                  "a comma before ')' (the last element takes none: remove it)");
    expect_syntax("list = [ 1,\n ];\n", 2, 1, 11,
                  "a comma before ']' on the next line (the last element takes none: remove it)");
    expect_syntax("steps = ( { a = 1;\n  } { a = 2; } );\n", 2, 2, 3,
                  "no comma after '}' (elements of a list are separated: }, {)");
    expect_syntax("steps = ( { a = 1; }\n  { a = 2; } );\n", 2, 1, 20,
                  "no comma after '}' (elements of a list are separated: }, {)");
    /* Columns count characters, not bytes. */
    expect_syntax("# é\nnäme = 60,5;\n", 2, 2, 10, "60,5 has a decimal comma (write 60.5)");
    expect_syntax("x = ü;\n", 1, 1, 5, "ü is not in double quotes (write \"ü\")");

    /* Inside strings and comments nothing is a mistake. */
    expect_none("name = \"60,5 ( 1, )\";\n", 1);
    expect_none("bpm = 60; # seconds = 1:30\n", 1);
    expect_none("bpm = 60; // a = b\n", 1);
    expect_none("bpm = 60; /* a = b */\n", 1);
    expect_none("name = \"a \\\" = b\";\n", 1);
    /* true and false are words libconfig takes. */
    expect_none("loop = true;\n", 1);
    expect_none("loop = FALSE;\n", 1);
    /* Plain numbers, a list without a stray comma. */
    expect_none("bpm = 60.5;\nsteps = ( 1, 2 );\n", 1);
    expect_none("bpm = 60.5;\nsteps = ( 1, 2 );\n", 2);
    expect_none("a = -12;\n", 1);
    /* A line that does not exist, or 0. */
    expect_none("a = 1;\n", 5);
    expect_none("a = 1;\n", 0);
    /* A ')' at the start of a line after one with no comma. */
    expect_none("steps = ( 1\n);\n", 2);
    /* '=' at the end of the line. */
    expect_none("a =\n", 1);
}

static void test_duplicate(void)
{
    char name[64] = "";
    CHECK(hint_duplicate("a = 1; b = 2; a = 3;\n", 1, name, sizeof name) == 1 &&
              strcmp(name, "a") == 0,
          "twice on one line: %s", name);
    name[0] = '\0';
    CHECK(hint_duplicate("tempo = 1;\nname = \"x\";\ntempo = 2;\n", 3, name, sizeof name) == 1 &&
              strcmp(name, "tempo") == 0,
          "set on an earlier line: %s", name);
    name[0] = '\0';
    CHECK(hint_duplicate("bpm : 1;\n# bpm = 2\nbpm : 3;\n", 3, name, sizeof name) == 1 &&
              strcmp(name, "bpm") == 0,
          "with ':' too: %s", name);
    CHECK(hint_duplicate("a = 1;\n# a = 2\nb = \"a = 3\";\n", 3, name, sizeof name) == 0,
          "names in comments and strings do not count");
    CHECK(hint_duplicate("a = 1;\nb = 2;\n", 2, name, sizeof name) == 0, "no duplicate");
    CHECK(hint_duplicate("a = 1;\n", 9, name, sizeof name) == 0, "no such line");
    CHECK(hint_duplicate("a = 1;\n", 0, name, sizeof name) == 0, "line 0");
}

static void test_joined(void)
{
    char a[64] = "", b[64] = "";
    CHECK(hint_joined("name = \"heel\" \"raises\";\n", 1, "heelraises", a, sizeof a, b,
                      sizeof b) == 1,
          "joined found");
    CHECK(strcmp(a, "heel") == 0 && strcmp(b, "raises") == 0, "split as written: %s|%s", a, b);
    CHECK(hint_joined("x = 1;\nname = \"a\\\"b\"\t\"c\";\n", 2, "a\\\"bc", a, sizeof a, b,
                      sizeof b) == 1 &&
              strcmp(b, "c") == 0,
          "escaped quote inside, tab between: %s|%s", a, b);
    CHECK(hint_joined("name = \"heel\", \"raises\";\n", 1, "heelraises", a, sizeof a, b,
                      sizeof b) == 0,
          "a comma between is a list, not a join");
    CHECK(hint_joined("name = \"one\" \"two\";\n", 1, "other", a, sizeof a, b, sizeof b) == 0,
          "value that is not the two");
    CHECK(hint_joined("# \"a\" \"b\"\n", 1, "ab", a, sizeof a, b, sizeof b) == 0,
          "in a comment");
    CHECK(hint_joined("name = \"open\n", 1, "open", a, sizeof a, b, sizeof b) == 0,
          "unterminated");
    CHECK(hint_joined("a = 1;\n", 4, "x", a, sizeof a, b, sizeof b) == 0, "no such line");
}

int main(void)
{
    test_distance();
    test_syntax();
    test_duplicate();
    test_joined();
    return CHECK_DONE("test_hint");
}
