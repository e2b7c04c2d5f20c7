/* The status line as status_format builds it: what it shows before the
 * first step, after a step's last beat, while paused, with the listener's
 * tempo and volume, and how it fits a narrow terminal with UTF-8 names. */
#define _XOPEN_SOURCE 700 /* wcswidth */
#include "check.h"
#include "routine.h"
#include "status.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static int columns(const char *t)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

static int valid_utf8(const char *t)
{
    const unsigned char *p = (const unsigned char *)t;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : 3;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}

int main(void)
{
    char err[512], line[1024];
    struct routine *r = routine_parse(
        "name = \"Morgen\";\n"
        "steps = ( { type = \"paced\"; name = \"Fersenheben für Anfänger, ganz langsam\";\n"
        "  tempo = { from = 60.0; to = 72.0; }; beats = 10; lead_in = 5.0; },\n"
        "  { type = \"rest\"; seconds = 10.0; } );\n",
        "s.cfg", err, sizeof err);
    CHECK(r != NULL, "routine: %s", err);
    if (!r)
        return CHECK_DONE("test_status");
    const int rate = r->rate;
    struct status s;
    status_init(&s, stdout, 1, 1, 0);
    struct engine_status st = {.step = -1, .tempo_scale = 1.0, .step_start = 0,
                               .step_end = 3 * rate, .frame = rate / 2};

    /* The opening lead-in: shown, with the first step on its way. */
    status_format(&s, r, &st, 0, 100.0, 200, line, sizeof line);
    printf("opening:   %s\n", line);
    CHECK(strstr(line, "[0/2] Morgen") && strstr(line, "in 3 s"), "opening: %s", line);
    st.paused = 1;
    status_format(&s, r, &st, 0, 100.0, 200, line, sizeof line);
    CHECK(strncmp(line, "PAUSED [0/2]", 12) == 0, "paused in the opening: %s", line);
    st.paused = 0;
    status_format(&s, r, &st, 0, 100.0, 200, line, sizeof line);

    /* A paced step, during and after its last beat. */
    st.step = 0;
    st.step_start = 3 * rate;
    st.step_end = 18 * rate;
    st.frame = 10 * rate;
    st.beat = 9;
    st.beats = 10;
    st.tempo = 71.0;
    status_format(&s, r, &st, 0, 100.0, 200, line, sizeof line);
    CHECK(strstr(line, " 71.0 bpm"), "during the step: %s", line);
    st.beat = 10;
    st.tempo = 0.0; /* no next beat in this step */
    st.frame = 17 * rate;
    status_format(&s, r, &st, 0, 100.0, 200, line, sizeof line);
    printf("last beat: %s\n", line);
    CHECK(strstr(line, " 71.0 bpm") && !strstr(line, " 0.0 bpm"), "after the last beat: %s", line);

    /* Defaults are not shown; the listener's tempo and volume are. */
    CHECK(!strstr(line, "tempo x") && !strstr(line, "volume"), "defaults shown: %s", line);
    st.tempo_scale = 1.05;
    st.volume_db = -4.0;
    status_format(&s, r, &st, 1, 100.0, 200, line, sizeof line);
    printf("changed:   %s\n", line);
    CHECK(strstr(line, "tempo x1.05") && strstr(line, "volume -4 dB"), "changes not shown: %s",
          line);

    /* Paused: the clock and the step bar stand still; they go on from there
     * after the pause, which is not counted. */
    char before[1024];
    st.paused = 1;
    status_format(&s, r, &st, 1, 100.0, 200, before, sizeof before);
    st.frame += 5 * rate;
    status_format(&s, r, &st, 1, 100.0, 200, line, sizeof line);
    CHECK(strcmp(before + 7, line + 7) == 0, "the clock moved while paused:\n  %s\n  %s", before,
          line);
    CHECK(strstr(line, "0:17") != NULL, "paused clock: %s", line);
    st.paused = 0; /* seen again at the frame the pause ended */
    status_format(&s, r, &st, 1, 100.0, 200, line, sizeof line);
    st.frame += rate;
    status_format(&s, r, &st, 1, 100.0, 200, line, sizeof line);
    CHECK(strstr(line, "0:18") != NULL, "after the pause, 1 s more: %s", line);

    /* Narrow terminals: within WIDTH - 1 columns, UTF-8 never cut in two. */
    for (int width = 11; width <= 120; width++) {
        st.paused = width % 2;
        status_format(&s, r, &st, 1, 100.0, width, line, sizeof line);
        CHECK(columns(line) <= width - 1, "width %d: %d columns: %s", width, columns(line), line);
        CHECK(valid_utf8(line), "width %d: broken UTF-8: %s", width, line);
    }
    status_format(&s, r, &st, 1, 100.0, 24, line, sizeof line);
    printf("24 wide:   %s|\n", line);
    CHECK(columns(line) == 23, "24 columns: %d: %s", columns(line), line);

    /* Wide characters (CJK, emoji) take two columns, combining marks none:
     * measured against the C library's wcswidth in a UTF-8 locale. */
    if (setlocale(LC_CTYPE, "C.UTF-8")) {
        struct routine *w = routine_parse(
            "name = \"\xe6\x9c\x9d\xe3\x81\xae\xe4\xbd\x93\xe6\x93\x8d\";\n" /* 朝の体操 */
            "steps = ( { type = \"paced\"; name = \"\xe3\x81\x8b\xe3\x81\x8b\xe3\x81\xa8"
            "\xe4\xb8\x8a\xe3\x81\x92 \xf0\x9f\xa6\xb6 Cafe\xcc\x81 "
            "\xef\xbc\xa1\xef\xbc\xa2\";\n" /* かかと上げ, a foot emoji, Café with a combining accent, ＡＢ */
            "  tempo = 60.0; beats = 10; lead_in = 5.0; } );\n",
            "w.cfg", err, sizeof err);
        CHECK(w != NULL, "wide routine: %s", err);
        struct status ws;
        status_init(&ws, stdout, 1, 1, 0);
        struct engine_status wst = st;
        wst.paused = 0;
        wst.step = 0;
        for (int width = 11; w && width <= 100; width++) {
            status_format(&ws, w, &wst, 0, 20.0, width, line, sizeof line);
            wchar_t wide[1024];
            size_t nw = mbstowcs(wide, line, 1024);
            int cols = nw == (size_t)-1 ? -1 : wcswidth(wide, nw);
            CHECK(cols >= 0 && cols <= width - 1, "width %d: wcswidth %d: %s", width, cols, line);
            CHECK(valid_utf8(line), "width %d: broken UTF-8: %s", width, line);
            if (width == 40)
                printf("40 wide, wide characters: %s| (%d columns)\n", line, cols);
        }
        routine_destroy(w);
        setlocale(LC_CTYPE, "C");
    } else {
        printf("no C.UTF-8 locale: wide characters not checked\n");
    }

    /* Screen readers and dumb terminals get no redrawn line. */
    setenv("TERM", "xterm", 1);
    unsetenv("ACCESSIBLE");
    CHECK(status_wanted(), "TERM=xterm: wanted");
    setenv("ACCESSIBLE", "1", 1);
    CHECK(!status_wanted(), "ACCESSIBLE=1: not wanted");
    unsetenv("ACCESSIBLE");
    setenv("TERM", "dumb", 1);
    CHECK(!status_wanted(), "TERM=dumb: not wanted");

    routine_destroy(r);
    return CHECK_DONE("test_status");
}
