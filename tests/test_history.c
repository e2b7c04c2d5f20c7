/* Session history: records survive a round trip through the file; broken
 * lines are skipped and reported with their line numbers; appends from many
 * processes at once, and from one killed with SIGKILL mid-loop, leave only
 * whole lines; stats count days, streaks and totals in local time. */
#include "check.h"
#include "history.h"
#include "routine.h"
#include "sequencer.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HEADER                                                                                     \
    "# calfpace history v2: start\troutine\tplanned_seconds\tplayed_seconds\tsteps_done\t"         \
    "steps_total\tbpm_min\tbpm_max\tended\tsteps_skipped\n"
/* The header of files written before steps_skipped, whose records have 9 fields. */
#define HEADER_V1                                                                                  \
    "# calfpace history v1: start\troutine\tplanned_seconds\tplayed_seconds\tsteps_done\t"         \
    "steps_total\tbpm_min\tbpm_max\tended\n"

static char tmp_dir[] = "/tmp/calfpace-history-XXXXXX";

static void set_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static time_t utc(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return timegm(&tm);
}

static void path_in_tmp(char *out, size_t outlen, const char *name)
{
    snprintf(out, outlen, "%s/%s", tmp_dir, name);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) { /* as if empty: the checks on the content then fail */
        char *none = calloc(1, 1);
        if (!none)
            abort();
        if (len)
            *len = 0;
        return none;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            char *grown = realloc(buf, cap + 1);
            if (!grown)
                free(buf);
            buf = grown;
        }
    }
    fclose(f);
    if (!buf)
        abort();
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static void write_all(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n)
        abort();
    fclose(f);
}

/* The file's shape, judged without history_load: every line ends in a
 * newline and is the header or nine tab-separated fields starting with a
 * 24-character time and ending in done, quit or error. */
struct shape {
    int headers, records, bad;
    int fillers;   /* blank and comment lines: harmless */
    int straddles; /* lines that cross a 4096-byte boundary of the file */
    int ends_with_newline;
};

static struct shape file_shape(const char *path)
{
    struct shape s = {0, 0, 0, 0, 0, 1};
    size_t len;
    if (access(path, F_OK) != 0) {
        s.bad = 1;
        return s;
    }
    char *text = read_all(path, &len);
    s.ends_with_newline = len == 0 || text[len - 1] == '\n';
    if (strlen(text) != len)
        s.bad++; /* a NUL byte */
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        size_t at = (size_t)(line - text);
        if ((at + n) / 4096 != at / 4096)
            s.straddles++;
        if (end && n + 1 == strlen(HEADER) && strncmp(line, HEADER, n + 1) == 0) {
            s.headers++;
        } else if (end && (n == 0 || line[0] == '#')) {
            s.fillers++;
        } else {
            /* 10 fields, the 9th how it ended, the 10th a count */
            int tabs = 0;
            const char *ended_at = NULL, *count_at = NULL;
            for (size_t i = 0; i < n; i++)
                if (line[i] == '\t') {
                    tabs++;
                    if (tabs == 8)
                        ended_at = line + i + 1;
                    if (tabs == 9)
                        count_at = line + i + 1;
                }
            size_t elen = ended_at && count_at ? (size_t)(count_at - 1 - ended_at) : 0;
            int ended = (elen == 4 && (strncmp(ended_at, "done", 4) == 0 ||
                                       strncmp(ended_at, "quit", 4) == 0)) ||
                        (elen == 5 && strncmp(ended_at, "error", 5) == 0);
            int count = count_at && count_at < line + n;
            for (const char *c = count_at; count && c < line + n; c++)
                count = *c >= '0' && *c <= '9';
            if (end && tabs == 9 && n > 24 && line[24] == '\t' && ended && count)
                s.records++;
            else
                s.bad++;
        }
        line += end ? n + 1 : n;
    }
    free(text);
    return s;
}

/* How often NEEDLE occurs in the LEN bytes at BUF, NUL bytes and all. */
static int count_in(const char *buf, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    int found = 0;
    for (size_t i = 0; i + n <= len; i++)
        found += memcmp(buf + i, needle, n) == 0;
    return found;
}

struct warnings {
    int n;
    char msg[32][600];
};

static void collect(void *ctx, const char *msg)
{
    struct warnings *w = ctx;
    if (w->n < 32)
        snprintf(w->msg[w->n], sizeof w->msg[0], "%s", msg);
    w->n++;
}

static struct history_record record(time_t start, const char *routine, double planned,
                                    double played, int done, int total, double lo, double hi,
                                    enum history_end ended)
{
    struct history_record r;
    memset(&r, 0, sizeof r);
    r.start = start;
    snprintf(r.routine, sizeof r.routine, "%s", routine);
    r.planned = planned;
    r.played = played;
    r.steps_done = done;
    r.steps_total = total;
    r.tempo_min = lo;
    r.tempo_max = hi;
    r.ended = ended;
    return r;
}

static int same_record(const struct history_record *a, const struct history_record *b)
{
    return a->start == b->start && strcmp(a->routine, b->routine) == 0 &&
           a->planned == b->planned && a->played == b->played && a->steps_done == b->steps_done &&
           a->steps_total == b->steps_total && a->tempo_min == b->tempo_min &&
           a->tempo_max == b->tempo_max && a->ended == b->ended &&
           a->steps_skipped == b->steps_skipped;
}

static void test_time_format(void)
{
    char text[40];
    time_t winter = utc(2026, 11, 25, 13, 3, 12), summer = utc(2026, 7, 1, 12, 0, 0);
    set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
    CHECK(history_format_time(winter, text, sizeof text) == 0 &&
              strcmp(text, "2026-11-25T14:03:12+0100") == 0,
          "winter in Berlin: got %s", text);
    CHECK(history_format_time(summer, text, sizeof text) == 0 &&
              strcmp(text, "2026-07-01T14:00:00+0200") == 0,
          "summer in Berlin: got %s", text);
    set_tz("EST5EDT,M3.2.0,M11.1.0");
    CHECK(history_format_time(winter, text, sizeof text) == 0 &&
              strcmp(text, "2026-11-25T08:03:12-0500") == 0,
          "winter in New York: got %s", text);
    set_tz("UTC");
    CHECK(history_format_time(utc(10000, 1, 1, 0, 0, 0), text, sizeof text) == -1,
          "the year 10000 has no 4-digit form");
    CHECK(history_format_time(winter, text, 24) == -1, "a buffer one byte short is refused");
    printf("times: local with the UTC offset, +0100/+0200 across DST and -0500; year 10000 "
           "refused\n");
}

static void test_path(void)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    char *old_xdg = xdg ? strdup(xdg) : NULL;
    char *old_home = home ? strdup(home) : NULL;
    char path[512], err[256] = "";

    setenv("XDG_STATE_HOME", "/x/state", 1);
    setenv("HOME", "/home/u", 1);
    CHECK(history_path(path, sizeof path, err, sizeof err) == 0 &&
              strcmp(path, "/x/state/calfpace/history.tsv") == 0,
          "XDG_STATE_HOME: got %s", path);
    setenv("XDG_STATE_HOME", "relative/state", 1);
    CHECK(history_path(path, sizeof path, err, sizeof err) == 0 &&
              strcmp(path, "/home/u/.local/state/calfpace/history.tsv") == 0,
          "a relative XDG_STATE_HOME is ignored: got %s", path);
    unsetenv("XDG_STATE_HOME");
    CHECK(history_path(path, sizeof path, err, sizeof err) == 0 &&
              strcmp(path, "/home/u/.local/state/calfpace/history.tsv") == 0,
          "HOME fallback: got %s", path);
    CHECK(history_path(path, 20, err, sizeof err) == -1 && strstr(err, "longer than 19"),
          "too long for the buffer: %s", err);
    unsetenv("HOME");
    CHECK(history_path(path, sizeof path, err, sizeof err) == -1 &&
              strstr(err, "neither XDG_STATE_HOME nor HOME"),
          "no XDG_STATE_HOME, no HOME: %s", err);

    if (old_xdg)
        setenv("XDG_STATE_HOME", old_xdg, 1);
    if (old_home)
        setenv("HOME", old_home, 1);
    free(old_xdg);
    free(old_home);
    printf("path: $XDG_STATE_HOME/calfpace/history.tsv, ~/.local/state fallback, relative "
           "XDG ignored, no HOME and too long reported\n");
}

static void test_round_trip(void)
{
    char path[512], dir[512], err[256] = "";
    path_in_tmp(dir, sizeof dir, "state");
    path_in_tmp(path, sizeof path, "state/calfpace/history.tsv");
    set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
    time_t t0 = utc(2026, 11, 25, 13, 3, 12);

    char long_name[HISTORY_ROUTINE_MAX];
    memset(long_name, 'w', sizeof long_name - 1);
    memcpy(long_name, "Waden\xc3\xbc", 7); /* "Wadenü", UTF-8 */
    long_name[sizeof long_name - 1] = '\0';

    struct history_record in[5] = {
        record(t0, "calf-pump", 663.5, 663.5, 12, 12, 60.0, 160.0, HISTORY_DONE),
        record(t0 + 86400, "quick\twith tabs\nand a newline\r", 180.0, 42.3, 2, 6, 60.0, 60.0,
               HISTORY_QUIT),
        record(t0 + 2 * 86400 + 7, "rest only", 30.0, 0.0, 0, 1, 0.0, 0.0, HISTORY_ERROR),
        record(t0 + 3 * 86400, long_name, 12.34, 0.05, 0, 0, 72.25, 99.99, HISTORY_DONE),
        record(utc(2026, 7, 1, 6, 0, 0), "summer", 1e6, 999999.9, 2000, 256000, 10.0, 400.0,
               HISTORY_DONE),
    };
    in[1].steps_skipped = 3; /* 2 done, 3 left early with n, 1 not reached */
    for (int i = 0; i < 5; i++) {
        int rc = history_append(path, &in[i], err, sizeof err);
        CHECK(rc == 0, "append %d: %s", i, err);
    }

    struct stat st;
    CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "a new state folder is 0700: %o",
          (unsigned)(st.st_mode & 0777));
    path_in_tmp(dir, sizeof dir, "state/calfpace");
    CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700, "the calfpace folder is 0700");
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the file is 0600: %o",
          (unsigned)(st.st_mode & 0777));

    char *text = read_all(path, NULL);
    const char *want = HEADER "2026-11-25T14:03:12+0100\tcalf-pump\t663.5\t663.5\t12\t12\t60.0\t"
                              "160.0\tdone\t0\n"
                              "2026-11-26T14:03:12+0100\tquick with tabs and a newline \t180.0\t"
                              "42.3\t2\t6\t60.0\t60.0\tquit\t3\n";
    CHECK(strncmp(text, want, strlen(want)) == 0,
          "the header and the first records as the format says; got:\n%s", text);
    CHECK(strstr(text, "2026-07-01T08:00:00+0200\tsummer\t1000000.0\t999999.9\t2000\t"
                       "256000\t10.0\t400.0\tdone\t0\n"),
          "summer time is written with +0200");
    free(text);
    struct shape s = file_shape(path);
    CHECK(s.headers == 1 && s.records == 5 && s.bad == 0 && s.fillers == 0 && s.ends_with_newline,
          "1 header and 5 whole lines: %d %d %d", s.headers, s.records, s.bad);

    /* What the file keeps: control characters as spaces, numbers to a tenth. */
    struct history_record expect[5];
    memcpy(expect, in, sizeof expect);
    snprintf(expect[1].routine, sizeof expect[1].routine, "quick with tabs and a newline ");
    expect[3].planned = 12.3;
    expect[3].played = 0.1;
    expect[3].tempo_min = 72.3;
    expect[3].tempo_max = 100.0;

    struct history_record *out = NULL;
    size_t n = 0;
    struct warnings w = {0};
    set_tz("EST5EDT,M3.2.0,M11.1.0"); /* another zone reads the same instants */
    int rc = history_load(path, &out, &n, collect, &w, err, sizeof err);
    CHECK(rc == 0 && n == 5 && w.n == 0, "load: rc %d, %zu records, %d warnings: %s", rc, n, w.n,
          err);
    for (size_t i = 0; i < n && i < 5; i++)
        CHECK(same_record(&out[i], &expect[i]),
              "record %zu reads back as written: %s %s %g %g %d %d %g %g %s", i, out[i].start_text,
              out[i].routine, out[i].planned, out[i].played, out[i].steps_done, out[i].steps_total,
              out[i].tempo_min, out[i].tempo_max, history_end_name(out[i].ended));
    CHECK(n == 5 && strcmp(out[0].start_text, "2026-11-25T14:03:12+0100") == 0 &&
              strcmp(out[4].start_text, "2026-07-01T08:00:00+0200") == 0,
          "start_text keeps the written local time and offset");
    CHECK(n == 5 && strlen(out[3].routine) == HISTORY_ROUTINE_MAX - 1,
          "a %d-byte name (the most) survives whole", HISTORY_ROUTINE_MAX - 1);
    history_free(out);
    printf("round trip: 5 records (tabs and newlines in a name, 95-byte UTF-8 name, 0 0 bpm, "
           "done/quit/error, 3 steps skipped, DST) read back equal, to a tenth; folders 0700, file "
           "0600, header "
           "once\n");
}

static void test_refused(void)
{
    char path[512], err[256];
    path_in_tmp(path, sizeof path, "refused.tsv");
    set_tz("UTC");
    time_t t = utc(2026, 11, 25, 12, 0, 0);
    struct {
        struct history_record r;
        const char *want;
    } cases[] = {
        {record(t, "x", 60, 60, 5, 3, 60, 60, HISTORY_DONE), "5 of 3 steps done"},
        {record(t, "x", 60, 60, -1, 3, 60, 60, HISTORY_DONE), "-1 of 3 steps"},
        {record(t, "x", 60, NAN, 1, 3, 60, 60, HISTORY_DONE), "played seconds nan is out of range"},
        {record(t, "x", -5, 60, 1, 3, 60, 60, HISTORY_DONE), "planned seconds -5 is out of range"},
        {record(t, "x", 2e9, 60, 1, 3, 60, 60, HISTORY_DONE), "planned seconds 2e+09"},
        {record(t, "x", 60, 60, 1, 3, 90, 60, HISTORY_DONE), "bpm range 90 to 60"},
        {record(t, "x", 60, 60, 1, 3, 0, 60, HISTORY_DONE), "bpm range 0 to 60"},
        {record(t, "x", 60, 60, 1, 3, 60, INFINITY, HISTORY_DONE), "bpm range 60 to inf"},
        {record(t, "x", 60, 60, 1, 3, 60, 60, (enum history_end)7), "ended 7 is not"},
        {record(utc(10000, 1, 1, 0, 0, 0), "x", 60, 60, 1, 3, 60, 60, HISTORY_DONE),
         "has no local date"},
    };
    int n = (int)(sizeof cases / sizeof cases[0]);
    struct history_record skips[] = {record(t, "x", 60, 60, 1, 3, 60, 60, HISTORY_DONE),
                                     record(t, "x", 60, 60, 1, 3, 60, 60, HISTORY_DONE)};
    skips[0].steps_skipped = 3;
    skips[1].steps_skipped = -1;
    const char *skips_want[] = {"1 done and 3 skipped of 3 steps is not possible",
                                "1 done and -1 skipped of 3 steps"};
    for (int i = 0; i < 2; i++) {
        err[0] = '\0';
        int rc = history_append(path, &skips[i], err, sizeof err);
        CHECK(rc == -1 && strstr(err, skips_want[i]),
              "skipped %d refused with \"%s\": got %d \"%s\"", skips[i].steps_skipped,
              skips_want[i], rc, err);
    }
    for (int i = 0; i < n; i++) {
        err[0] = '\0';
        int rc = history_append(path, &cases[i].r, err, sizeof err);
        CHECK(rc == -1 && strncmp(err, path, strlen(path)) == 0 && strstr(err, cases[i].want),
              "case %d refused with \"%s\": got %d \"%s\"", i, cases[i].want, rc, err);
    }
    CHECK(access(path, F_OK) != 0, "a refused record creates no file");

    char blocker[512], inside[600];
    path_in_tmp(blocker, sizeof blocker, "a-file");
    write_all(blocker, "x", 1);
    snprintf(inside, sizeof inside, "%s/calfpace/history.tsv", blocker);
    struct history_record ok = record(t, "x", 60, 60, 1, 3, 60, 60, HISTORY_DONE);
    CHECK(history_append(inside, &ok, err, sizeof err) == -1 &&
              strstr(err, "cannot create the folder"),
          "a file where a folder should be: %s", err);
    CHECK(history_append(tmp_dir, &ok, err, sizeof err) == -1 && strstr(err, tmp_dir),
          "a folder as the history: %s", err);

    struct history_record *out = (struct history_record *)&ok;
    size_t count = 99;
    CHECK(history_load(path, &out, &count, NULL, NULL, err, sizeof err) == 0 && count == 0 &&
              out == NULL,
          "a missing file is an empty history");
    CHECK(history_load(tmp_dir, &out, &count, NULL, NULL, err, sizeof err) == -1 &&
              strstr(err, "is a folder (allowed: a regular file)"),
          "a folder cannot be loaded: %s", err);
    printf("refused: %d out-of-range records (steps, steps skipped, NaN, negative, huge, bpm, "
           "ended, year "
           "10000) and unwritable paths, each with a reason; a missing file loads empty\n",
           n + 2);
}

/* A history written before steps_skipped (a v1 header, 9 fields a record)
 * still reads, its records with 0 steps skipped; an append to it adds a
 * 10-field record and no second header; a broken steps_skipped is a broken
 * line. */
static void test_old_files(void)
{
    char path[512], err[256] = "";
    path_in_tmp(path, sizeof path, "old.tsv");
    set_tz("UTC");
    const char *old =
        HEADER_V1 "2026-11-24T14:03:12+0000\tcalf-pump\t663.5\t663.5\t12\t12\t60.0\t160.0\tdone\n"
                  "2026-11-25T09:00:00+0000\tquick\t180.0\t42.3\t0\t6\t60.0\t60.0\tquit\n";
    write_all(path, old, strlen(old));
    struct history_record *out = NULL;
    size_t n = 0;
    struct warnings w = {0};
    int rc = history_load(path, &out, &n, collect, &w, err, sizeof err);
    CHECK(rc == 0 && n == 2 && w.n == 0, "a v1 file loads: rc %d, %zu records, %d warnings %s", rc,
          n, w.n, w.n ? w.msg[0] : err);
    CHECK(n == 2 && out[0].steps_done == 12 && out[0].steps_skipped == 0 &&
              out[1].steps_done == 0 && out[1].steps_skipped == 0 && out[1].ended == HISTORY_QUIT,
          "its records read with 0 steps skipped");
    history_free(out);

    struct history_record r =
        record(utc(2026, 11, 25, 12, 0, 0), "quick", 180, 20, 0, 6, 60, 60, HISTORY_DONE);
    r.steps_skipped = 6;
    CHECK(history_append(path, &r, err, sizeof err) == 0, "append to a v1 file: %s", err);
    char *text = read_all(path, NULL);
    char want[1024];
    snprintf(want, sizeof want,
             "%s2026-11-25T12:00:00+0000\tquick\t180.0\t20.0\t0\t6\t60.0\t60.0\t"
             "done\t6\n",
             old);
    CHECK(strcmp(text, want) == 0,
          "the v1 lines and header kept, the new record after them; got:\n%s", text);
    free(text);
    rc = history_load(path, &out, &n, collect, &w, err, sizeof err);
    CHECK(rc == 0 && n == 3 && w.n == 0 && out[2].steps_skipped == 6 && out[2].steps_done == 0 &&
              out[0].steps_skipped == 0,
          "old and new records read together: %zu, %d warnings", n, w.n);
    struct history_stats st;
    CHECK(n == 3 && history_stats_compute(out, n, utc(2026, 11, 25, 15, 0, 0), &st) == 0 &&
              st.sessions == 1 && st.tries == 2 && st.steps_skipped == 6,
          "stats over both: %zu session, %zu tries, %lld steps skipped", st.sessions, st.tries,
          st.steps_skipped);
    history_free(out);

    const char *bad =
        HEADER "2026-11-25T12:00:00+0000\tx\t60.0\t60.0\t1\t3\t60.0\t60.0\tdone\tsome\n"
               "2026-11-25T12:00:00+0000\tx\t60.0\t60.0\t1\t3\t60.0\t60.0\tdone\t3\n"
               "2026-11-25T12:00:00+0000\tx\t60.0\t60.0\t1\t3\t60.0\t60.0\tdone\t\n"
               "2026-11-25T12:00:00+0000\tx\t60.0\t60.0\t1\t3\t60.0\t60.0\tdone\t1\t1\n"
               "2026-11-25T12:00:00+0000\tx\t60.0\t60.0\t1\t3\t60.0\t60.0\tdone\t2\n";
    write_all(path, bad, strlen(bad));
    struct warnings wb = {0};
    rc = history_load(path, &out, &n, collect, &wb, err, sizeof err);
    const char *bad_want[] = {"steps skipped \"some\" is not a whole number",
                              "1 done and 3 skipped of 3 steps is not possible",
                              "steps skipped \"\" is not a whole number",
                              "11 fields (a record has 10"};
    CHECK(rc == 0 && n == 1 && wb.n == 4 && out[0].steps_skipped == 2,
          "4 broken steps_skipped lines skipped, the good one kept: %zu, %d warnings", n, wb.n);
    for (int i = 0; i < 4 && i < wb.n; i++)
        CHECK(strstr(wb.msg[i], bad_want[i]) != NULL, "want \"%s\", got \"%s\"", bad_want[i],
              wb.msg[i]);
    history_free(out);
    printf("old files: a v1 history reads (0 steps skipped), takes a v2 record without a second "
           "header, and stats read both; 4 broken steps_skipped fields skipped with reasons\n");
}

static void test_broken_lines(void)
{
    char path[512], err[256] = "";
    path_in_tmp(path, sizeof path, "broken.tsv");
    set_tz("UTC");
    char long_line[601];
    memset(long_line, 'x', 600);
    long_line[600] = '\0';
    char text[4096];
    int len =
        snprintf(text, sizeof text,
                 HEADER                                                                   /* 1 */
                 "2026-11-25T14:03:12+0100\tA\t663.5\t663.5\t12\t12\t60.0\t160.0\tdone\n" /* 2 */
                 "2026-11-25T14:03:12+0100\tx\t1.0\t1.0\t1\t1\t60.0\t60.0\n"              /* 3 */
                 "2026-11-25T15:00:00+0100\tB\t180.0\t170.5\t5\t6\t60.0\t72.0\tquit\n"    /* 4 */
                 "2026-11-25T14:03:12+0100\tx\t12x\t1.0\t1\t1\t60.0\t60.0\tdone\n"        /* 5 */
                 "2026-02-30T10:00:00+0100\tx\t1.0\t1.0\t1\t1\t60.0\t60.0\tdone\n"        /* 6 */
                 "2026-11-25T14:03:12+0100\tx\t1.0\t1.0\t1\t1\t60.0\t60.0\tmaybe\n"       /* 7 */
                 "\n"                                                                     /* 8 */
                 "# a note\n"                                                             /* 9 */
                 "2026-11-25T14:03:12+0100\tNUL@\t1.0\t1.0\t1\t1\t60.0\t60.0\tdone\n"     /* 10 */
                 "%s\n"                                                                   /* 11 */
                 "2026-11-25T14:03:12+0100\tx\t1.0\t1.0\t5\t3\t60.0\t60.0\tdone\n"        /* 12 */
                 "2026-11-26T09:00:00-0500\tC\t30.0\t0.0\t0\t1\t0.0\t0.0\terror\r\n"      /* 13 */
                 "2026-11-26T09:00:00+0100\tquick\t180.0\t17",                            /* 14 */
                 long_line);
    char *nul = strchr(text, '@');
    *nul = '\0'; /* a NUL byte in line 10, as a power cut can leave */
    write_all(path, text, (size_t)len);

    struct {
        int line;
        const char *want;
    } expect[] = {
        {3, "8 fields (a record has 10, tab-separated; 9 in older files)"},
        {5, "planned seconds \"12x\" is not a number"},
        {6, "start \"2026-02-30T10:00:00+0100\" is not a time like 2026-11-25T14:03:12+0100"},
        {7, "ended \"maybe\" is not done, quit or error"},
        {10, "binary data (a NUL byte)"},
        {11, "the line is 600 bytes (allowed: up to 511)"},
        {12, "5 of 3 steps done is not possible (allowed: 0 <= done <= total)"},
        {14, "4 fields (a record has 10, tab-separated; 9 in older files)"},
    };
    const char *cut = " (the last line, with no newline: cut short?)";
    int ne = (int)(sizeof expect / sizeof expect[0]);

    for (int round = 0; round < 2; round++) {
        struct history_record *out = NULL;
        size_t n = 0;
        struct warnings w = {0};
        int rc = history_load(path, &out, &n, collect, &w, err, sizeof err);
        size_t want_n = round == 0 ? 3 : 4;
        CHECK(rc == 0 && n == want_n, "round %d: %zu good lines load, got %zu (rc %d %s)", round,
              want_n, n, rc, err);
        CHECK(w.n == ne, "round %d: %d warnings, got %d", round, ne, w.n);
        for (int i = 0; i < ne && i < w.n; i++) {
            /* Once D is appended, line 14 has its newline. */
            char want[700];
            snprintf(want, sizeof want, "%s:%d: skipped: %s%s", path, expect[i].line,
                     expect[i].want, expect[i].line == 14 && round == 0 ? cut : "");
            CHECK(strcmp(w.msg[i], want) == 0, "round %d: want \"%s\", got \"%s\"", round, want,
                  w.msg[i]);
        }
        if (n >= 3) {
            CHECK(strcmp(out[0].routine, "A") == 0 && out[0].played == 663.5, "line 2 is A");
            CHECK(strcmp(out[1].routine, "B") == 0 && out[1].steps_done == 5 &&
                      out[1].tempo_max == 72.0 && out[1].ended == HISTORY_QUIT,
                  "line 4 is B");
            CHECK(strcmp(out[2].routine, "C") == 0 && out[2].ended == HISTORY_ERROR &&
                      out[2].start == utc(2026, 11, 26, 14, 0, 0),
                  "line 13 is C, its -0500 offset read, its CRLF forgiven");
        }
        if (round == 1 && n == 4)
            CHECK(strcmp(out[3].routine, "D") == 0, "the appended record is the 4th");
        history_free(out);
        if (round == 0) {
            /* The next append starts a new line rather than joining the broken tail. */
            struct history_record d =
                record(utc(2026, 11, 27, 8, 0, 0), "D", 60, 60, 1, 1, 90, 90, HISTORY_DONE);
            CHECK(history_append(path, &d, err, sizeof err) == 0, "append D: %s", err);
            size_t alen;
            char *after = read_all(path, &alen);
            CHECK(count_in(after, alen, "\t17\n2026-11-27T08:00:00+0000\tD\t") == 1,
                  "D starts on its own line after the cut-short one");
            CHECK(count_in(after, alen, "# calfpace history") == 1,
                  "no second header in a file that has content");
            free(after);
        }
    }

    /* A last line that is whole but for its newline is a record. */
    const char *whole = "2026-11-25T14:03:12+0100\tE\t60.0\t60.0\t1\t1\t80.0\t80.0\tdone";
    write_all(path, whole, strlen(whole));
    struct history_record *out = NULL;
    size_t n = 0;
    struct warnings w = {0};
    struct history_record f =
        record(utc(2026, 11, 27, 8, 0, 0), "F", 60, 60, 1, 1, 90, 90, HISTORY_DONE);
    int rc = history_load(path, &out, &n, collect, &w, err, sizeof err);
    CHECK(rc == 0 && n == 1 && w.n == 0 && strcmp(out[0].routine, "E") == 0,
          "a whole last line without a newline loads, unwarned");
    history_free(out);
    CHECK(history_append(path, &f, err, sizeof err) == 0, "append F: %s", err);
    rc = history_load(path, &out, &n, collect, &w, err, sizeof err);
    CHECK(rc == 0 && n == 2 && w.n == 0 && strcmp(out[1].routine, "F") == 0,
          "then an append after it keeps both");
    history_free(out);
    printf("broken lines: field count, number, date, ended, NUL, 600 bytes, steps, a cut-short "
           "last line: 8 skipped with FILE:LINE, 3 good kept (CRLF forgiven); an append after "
           "a cut-short line starts a new line; a whole last line without newline counts\n");
}

static void test_page_boundary(void)
{
    char path[512], err[256] = "";
    path_in_tmp(path, sizeof path, "boundary.tsv");
    set_tz("UTC");
    struct history_record r = record(utc(2026, 11, 25, 12, 0, 0), "calf-pump", 663.5, 663.5, 12, 12,
                                     60, 160, HISTORY_DONE);
    const char *line = "2026-11-25T12:00:00+0000\tcalf-pump\t663.5\t663.5\t12\t12\t60.0\t160.0\t"
                       "done\t0\n";
    size_t rlen = strlen(line);
    /* End the file 30 bytes, then 1 byte, then exactly rlen bytes before 4096. */
    size_t gaps[] = {30, 1, rlen};
    for (int g = 0; g < 3; g++) {
        char text[4096];
        size_t size = 4096 - gaps[g];
        memset(text, ' ', size);
        for (size_t at = 0; at < size; at += 400) { /* comment lines of up to 400 bytes */
            size_t end = at + 400 < size ? at + 399 : size - 1;
            text[at] = '#';
            text[end] = '\n';
        }
        write_all(path, text, size);
        CHECK(history_append(path, &r, err, sizeof err) == 0, "append: %s", err);
        size_t len;
        char *after = read_all(path, &len);
        if (gaps[g] < rlen) {
            char filler[64];
            memset(filler, ' ', gaps[g]);
            filler[0] = gaps[g] > 1 ? '#' : '\n';
            filler[gaps[g] - 1] = '\n';
            CHECK(len == 4096 + rlen && memcmp(after + size, filler, gaps[g]) == 0 &&
                      memcmp(after + 4096, line, rlen) == 0,
                  "a %zu-byte gap: filled, the record starts at 4096 (size %zu)", gaps[g], len);
        } else {
            CHECK(len == 4096 && memcmp(after + size, line, rlen) == 0,
                  "a record that fits exactly needs no filler (size %zu)", len);
        }
        free(after);
        struct history_record *out = NULL;
        size_t n = 0;
        struct warnings w = {0};
        int rc = history_load(path, &out, &n, collect, &w, err, sizeof err);
        CHECK(rc == 0 && n == 1 && w.n == 0 && same_record(&out[0], &r),
              "gap %zu: the one record loads, the filler is silent (%zu, %d warnings)", gaps[g], n,
              w.n);
        history_free(out);
    }
    printf("page boundary: a record that would cross byte 4096 moves there behind a filler "
           "comment (or a bare newline); one that fits exactly is left alone\n");
}

static void append_loop(const char *path, int child, int count)
{
    char err[256];
    int failed = 0;
    for (int i = 0; count < 0 || i < count; i++) {
        char name[32];
        snprintf(name, sizeof name, "child %d", child);
        struct history_record r = record(1795611792 + i, name, 600.0 + child, (double)i / 10.0,
                                         i % 1000, 1000, 60.0, 160.0, HISTORY_DONE);
        if (history_append(path, &r, err, sizeof err) != 0) {
            fprintf(stderr, "child %d: %s\n", child, err);
            failed = 1;
            break;
        }
    }
    _exit(failed);
}

static void test_concurrent(void)
{
    enum { CHILDREN = 8, EACH = 200 };
    char path[512], err[256] = "";
    path_in_tmp(path, sizeof path, "concurrent/history.tsv");
    int gate[2];
    if (pipe(gate) != 0)
        abort();
    pid_t pid[CHILDREN];
    fflush(NULL);
    for (int c = 0; c < CHILDREN; c++) {
        pid[c] = fork();
        if (pid[c] < 0)
            abort();
        if (pid[c] == 0) {
            char b;
            close(gate[1]);
            if (read(gate[0], &b, 1) < 0) /* all start together when the gate closes */
                _exit(2);
            append_loop(path, c, EACH);
        }
    }
    close(gate[0]);
    close(gate[1]);
    int ok = 0;
    for (int c = 0; c < CHILDREN; c++) {
        int status;
        if (waitpid(pid[c], &status, 0) == pid[c] && WIFEXITED(status) && WEXITSTATUS(status) == 0)
            ok++;
    }
    CHECK(ok == CHILDREN, "every child appended without an error: %d of %d", ok, CHILDREN);

    struct shape s = file_shape(path);
    CHECK(s.records == CHILDREN * EACH && s.bad == 0 && s.headers == 1 && s.ends_with_newline,
          "%d whole lines and no broken one: %d records, %d bad, %d headers", CHILDREN * EACH,
          s.records, s.bad, s.headers);
    CHECK(s.straddles == 0 && s.fillers > 0,
          "no record crosses a 4096-byte boundary: %d do, %d filler lines", s.straddles, s.fillers);
    struct history_record *out = NULL;
    size_t n = 0;
    struct warnings w = {0};
    int rc = history_load(path, &out, &n, collect, &w, err, sizeof err);
    CHECK(rc == 0 && n == CHILDREN * EACH && w.n == 0, "load: %zu records, %d warnings", n, w.n);
    static int seen[CHILDREN][EACH];
    int dupes = 0, strays = 0;
    for (size_t i = 0; i < n; i++) {
        int c = -1;
        if (sscanf(out[i].routine, "child %d", &c) != 1 || c < 0 || c >= CHILDREN ||
            out[i].steps_done >= EACH || out[i].planned != 600.0 + c ||
            out[i].played != out[i].steps_done / 10.0) {
            strays++;
            continue;
        }
        dupes += seen[c][out[i].steps_done]++ > 0;
    }
    int missing = 0;
    for (int c = 0; c < CHILDREN; c++)
        for (int i = 0; i < EACH; i++)
            missing += seen[c][i] == 0;
    CHECK(dupes == 0 && strays == 0 && missing == 0,
          "each child's 200 records once, intact: %d duplicated, %d mixed up, %d missing", dupes,
          strays, missing);
    history_free(out);
    printf("concurrent: %d processes x %d appends at once: exactly %d whole lines, each record "
           "once and intact (%d header line)\n",
           CHILDREN, EACH, CHILDREN * EACH, s.headers);
}

static void test_killed(void)
{
    /* Eight writers, each with its own file so none waits for a lock, are
     * killed at about 50 ms, five times: 40 kills at random points of the
     * append loop, so a record written in more than one write() is caught. */
    enum { ROUNDS = 5, WRITERS = 8 };
    char path[WRITERS][512], err[256] = "";
    for (int k = 0; k < WRITERS; k++) {
        char name[32];
        snprintf(name, sizeof name, "killed-%d.tsv", k);
        path_in_tmp(path[k], sizeof path[k], name);
    }
    int killed = 0;
    fflush(NULL);
    for (int round = 0; round < ROUNDS; round++) {
        pid_t pid[WRITERS];
        for (int k = 0; k < WRITERS; k++) {
            pid[k] = fork();
            if (pid[k] < 0)
                abort();
            if (pid[k] == 0)
                append_loop(path[k], round, 2000000); /* far more than 50 ms of appends */
        }
        struct timespec ts = {0, 50 * 1000 * 1000 + round * 3 * 1000 * 1000};
        nanosleep(&ts, NULL);
        for (int k = 0; k < WRITERS; k++)
            kill(pid[k], SIGKILL);
        for (int k = 0; k < WRITERS; k++) {
            int status;
            if (waitpid(pid[k], &status, 0) == pid[k] && WIFSIGNALED(status) &&
                WTERMSIG(status) == SIGKILL)
                killed++;
        }
    }
    CHECK(killed == ROUNDS * WRITERS, "each writer was killed mid-loop: %d of %d", killed,
          ROUNDS * WRITERS);
    int records = 0;
    for (int k = 0; k < WRITERS; k++) {
        struct shape s = file_shape(path[k]);
        CHECK(s.records > 0 && s.bad == 0 && s.headers == 1 && s.ends_with_newline &&
                  s.straddles == 0,
              "%s: only whole lines after SIGKILL: %d records, %d bad, ends with newline %d, "
              "%d across a page boundary",
              path[k], s.records, s.bad, s.ends_with_newline, s.straddles);
        struct history_record *out = NULL;
        size_t n = 0;
        struct warnings w = {0};
        int rc = history_load(path[k], &out, &n, collect, &w, err, sizeof err);
        CHECK(rc == 0 && (int)n == s.records && w.n == 0, "%s: load: %zu records, %d warnings%s%s",
              path[k], n, w.n, w.n ? ": " : "", w.n ? w.msg[0] : "");
        history_free(out);
        records += s.records;
    }
    printf("kill -9: %d writers killed after ~50 ms of tight appends; %d records, every line "
           "whole\n",
           ROUNDS * WRITERS, records);
}

static char *stats_text(const struct history_record *recs, size_t n, time_t now, int csv)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    int rc = history_print_stats(f, recs, n, now, csv);
    if (fclose(f) != 0 || !buf)
        abort();
    CHECK(rc == 0, "history_print_stats returns 0");
    return buf;
}

static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return 1;
    return 0;
}

static void test_stats(void)
{
    set_tz("UTC");
    time_t now = utc(2026, 11, 25, 15, 0, 0); /* a Wednesday */
    struct history_record recs[] = {
        record(utc(2026, 11, 25, 8, 0, 0), "a", 660, 660, 1, 1, 60, 60, HISTORY_DONE),
        record(utc(2026, 11, 24, 20, 0, 0), "a", 666, 666, 1, 1, 60, 60, HISTORY_DONE),
        record(utc(2026, 11, 25, 14, 30, 0), "a", 660, 210, 1, 4, 60, 60, HISTORY_QUIT),
        record(utc(2026, 11, 23, 10, 0, 0), "a", 180, 180, 1, 1, 60, 60, HISTORY_DONE),
        /* every step skipped with n: a try, not a session */
        record(utc(2026, 11, 25, 9, 0, 0), "a", 660, 12, 0, 4, 60, 60, HISTORY_DONE),
        record(utc(2026, 11, 21, 23, 59, 59), "a", 600, 600, 1, 1, 60, 60, HISTORY_DONE),
        record(utc(2026, 11, 12, 0, 0, 0), "a", 60, 60, 1, 1, 60, 60, HISTORY_DONE),
        record(utc(2026, 11, 11, 23, 59, 59), "a", 120, 120, 1, 1, 60, 60, HISTORY_DONE),
        record(utc(2026, 10, 1, 12, 0, 0), "a", 300, 300, 1, 1, 60, 60, HISTORY_DONE),
        record(utc(2026, 11, 26, 9, 0, 0), "a", 30, 30, 1, 1, 60, 60, HISTORY_DONE), /* future */
    };
    size_t n = sizeof recs / sizeof recs[0];
    recs[2].steps_skipped = 2; /* the quit one: 1 done, 2 skipped of 4 */
    recs[4].steps_skipped = 4; /* the try */

    char *csv = stats_text(recs, n, now, 1);
    const char *want_csv = "date,sessions,minutes,steps_skipped\n"
                           "2026-11-12,1,1.0,0\n"
                           "2026-11-13,0,0.0,0\n"
                           "2026-11-14,0,0.0,0\n"
                           "2026-11-15,0,0.0,0\n"
                           "2026-11-16,0,0.0,0\n"
                           "2026-11-17,0,0.0,0\n"
                           "2026-11-18,0,0.0,0\n"
                           "2026-11-19,0,0.0,0\n"
                           "2026-11-20,0,0.0,0\n"
                           "2026-11-21,1,10.0,0\n"
                           "2026-11-22,0,0.0,0\n"
                           "2026-11-23,1,3.0,0\n"
                           "2026-11-24,1,11.1,0\n"
                           "2026-11-25,2,14.5,6\n";
    CHECK(strcmp(csv, want_csv) == 0, "CSV, exactly; got:\n%s", csv);
    free(csv);

    char *chart = stats_text(recs, n, now, 0);
    const char *lines[] = {
        "2026-11-12 Thu  ##                                1.0 min  1 session",
        "2026-11-13 Fri                                    0.0 min  0 sessions",
        "2026-11-21 Sat  #####################            10.0 min  1 session",
        "2026-11-24 Tue  #######################          11.1 min  1 session",
        "2026-11-25 Wed  ##############################   14.5 min  2 sessions, 6 steps skipped  "
        "(today)",
        "Streak: 3 days in a row, up to today",
        "Total: 9 sessions, 47.1 minutes on 8 days, since 2026-10-01 (1 try with no step "
        "played to its end not counted)",
        "Skipped: 6 steps left early with n (not done, so not counted)",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        CHECK(has_line(chart, lines[i]), "the chart has the line \"%s\"; got:\n%s", lines[i],
              chart);
    int day_lines = 0;
    for (const char *p = chart; (p = strstr(p, " min  ")) != NULL; p++)
        day_lines++;
    CHECK(day_lines == 14, "14 day lines, got %d", day_lines);
    free(chart);

    struct history_stats st;
    CHECK(history_stats_compute(recs, n, now, &st) == 0, "compute");
    CHECK(st.days[0].year == 2026 && st.days[0].month == 11 && st.days[0].day == 12 &&
              st.days[0].weekday == 4 && st.days[13].weekday == 3,
          "the first day shown is Thursday 12th, the last Wednesday 25th");
    CHECK(st.streak == 3 && st.streak_ends_today == 1 && st.sessions == 9 && st.days_active == 8 &&
              fabs(st.minutes - 47.1) < 1e-9,
          "streak %d (today %d), %zu sessions, %d days, %g minutes", st.streak,
          st.streak_ends_today, st.sessions, st.days_active, st.minutes);
    CHECK(st.tries == 1 && st.steps_skipped == 6 && st.days[13].skipped == 6 &&
              st.days[13].sessions == 2,
          "the session of skipped steps is a try (%zu), its 4 skipped steps and the 2 of "
          "another counted (%lld, today %lld)",
          st.tries, st.steps_skipped, st.days[13].skipped);

    /* The next morning, before a session: the streak still stands, up to yesterday. */
    time_t tomorrow = utc(2026, 11, 26, 6, 0, 0);
    char *next = stats_text(recs, n - 1, tomorrow, 0);
    CHECK(has_line(next, "Streak: 3 days in a row, up to yesterday (no session yet today)"),
          "streak up to yesterday; got:\n%s", next);
    CHECK(has_line(next, "2026-11-26 Thu                                    0.0 min  0 "
                         "sessions  (today)"),
          "an empty today");
    free(next);
    /* Two days without: the streak is gone. */
    char *gone = stats_text(recs, n - 1, utc(2026, 11, 27, 6, 0, 0), 0);
    CHECK(has_line(gone, "Streak: none (no session today or yesterday)"), "no streak");
    free(gone);
    /* A streak longer than the chart. */
    struct history_record daily[40];
    for (int i = 0; i < 40; i++)
        daily[i] =
            record(now - i * 86400 - (i % 3) * 3600, "d", 60, 60, 1, 1, 60, 60, HISTORY_DONE);
    daily[39].start = now - 41 * 86400; /* a gap before the last */
    CHECK(history_stats_compute(daily, 40, now, &st) == 0 && st.streak == 39 &&
              st.days_active == 40,
          "a 39-day streak is counted past the 14 days shown: %d", st.streak);

    char *empty = stats_text(NULL, 0, now, 0);
    CHECK(has_line(empty, "Total: no sessions yet") &&
              has_line(empty, "Streak: none (no session today or yesterday)"),
          "no records: got\n%s", empty);
    free(empty);
    char *empty_csv = stats_text(NULL, 0, now, 1);
    CHECK(strncmp(empty_csv, "date,sessions,minutes,steps_skipped\n2026-11-12,0,0.0,0\n", 55) ==
                  0 &&
              strlen(empty_csv) == 36 + 14 * 19,
          "no records: 14 zero lines of CSV");
    free(empty_csv);

    /* Days are local: 23:30 UTC is already tomorrow in Berlin. */
    struct history_record late =
        record(utc(2026, 11, 24, 23, 30, 0), "l", 60, 60, 1, 1, 60, 60, HISTORY_DONE);
    time_t noon = utc(2026, 11, 25, 12, 0, 0);
    CHECK(history_stats_compute(&late, 1, noon, &st) == 0 && st.days[12].sessions == 1 &&
              st.days[13].sessions == 0,
          "in UTC the session is yesterday's");
    set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
    CHECK(history_stats_compute(&late, 1, noon, &st) == 0 && st.days[13].sessions == 1 &&
              st.days[12].sessions == 0 && st.streak_ends_today == 1,
          "in Berlin it is today's");
    /* Across the change to summer time (29 March 2026) each day appears once. */
    char *dst = stats_text(NULL, 0, utc(2026, 3, 31, 0, 30, 0), 1);
    char want_dst[600] = "date,sessions,minutes,steps_skipped\n";
    for (int d = 18; d <= 31; d++)
        snprintf(want_dst + strlen(want_dst), sizeof want_dst - strlen(want_dst),
                 "2026-03-%02d,0,0.0,0\n", d);
    CHECK(strcmp(dst, want_dst) == 0, "14 days across DST; got:\n%s", dst);
    free(dst);
    set_tz("UTC");
    printf("stats: CSV exact for 14 days; chart bars scaled to the busiest day, weekdays, "
           "today marked; streak up to today / yesterday / none / 39 days; totals with "
           "days outside the chart and in the future; days local (UTC vs Berlin, DST)\n");
}

/* What check accepts and a session can play, the history writes and reads
 * back: the longest routine allowed, with its tempo pushed up by the keys. */
static void test_one_validation(void)
{
    char text[8192], err[512], path[600];
    /* 24 steps of an hour less the opening cue's lead-in: just one day. */
    int n =
        snprintf(text, sizeof text, "name = \"day\"; cue = \"x\"; lead_in = 30.0;\nsteps = (\n");
    for (int i = 0; i < 24; i++)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "{ type = \"paced\"; tempo = { from = 10.0; to = 400.0; }; seconds = %s; "
                      "lead_in = 0.0; }%s\n",
                      i == 23 ? "3570.0" : "3600.0", i == 23 ? "" : ",");
    snprintf(text + n, sizeof text - (size_t)n, ");\n");
    struct routine *r = routine_parse(text, "/tmp/day.cfg", err, sizeof err);
    CHECK(r != NULL, "a routine of a day is accepted: %s", err);
    if (!r)
        return;
    time_t t = 1764000000;
    struct history_record rec =
        record(t, r->name, sequencer_session_seconds(r), sequencer_session_seconds(r) * 3.0, 24, 24,
               10.0, 400.0 * 2.0 * pow(1.05, 60.0), HISTORY_DONE);
    snprintf(path, sizeof path, "%s/one-validation.tsv", tmp_dir);
    CHECK(history_append(path, &rec, err, sizeof err) == 0, "the longest session is recorded: %s",
          err);
    struct history_record *out = NULL;
    size_t count = 0;
    CHECK(history_load(path, &out, &count, NULL, NULL, err, sizeof err) == 0 && count == 1 &&
              fabs(out[0].planned - rec.planned) < 0.05 &&
              fabs(out[0].tempo_max - rec.tempo_max) < 0.05,
          "and read back (planned %.1f, bpm up to %.1f)", rec.planned, rec.tempo_max);
    history_free(out);
    routine_destroy(r);
    /* A second more is refused by check, at the line of repeat. */
    r = routine_parse(
        "name = \"long\";\nrepeat = 2;\nsteps = ( { type = \"rest\"; seconds = 43200.5; } );\n",
        "/tmp/long.cfg", err, sizeof err);
    CHECK(!r && strstr(err, "/tmp/long.cfg:2: the session lasts 24.0 hours"),
          "longer than a day: %s", err);
    routine_destroy(r);
    printf("one validation: a day-long routine and a tempo of %.0f bpm recorded and read back; a "
           "longer routine refused at its line\n",
           400.0 * 2.0 * pow(1.05, 60.0));
}

/* The history is never appended through a link to a file of someone
 * else's; a dangling link is not followed to create a file. */
static void test_links(void)
{
    char victim[600], link[600], err[512];
    struct history_record rec = record(1764000000, "x", 60, 60, 1, 1, 0, 0, HISTORY_DONE);
    snprintf(victim, sizeof victim, "%s/victim", tmp_dir);
    snprintf(link, sizeof link, "%s/linked.tsv", tmp_dir);
    FILE *f = fopen(victim, "w");
    fputs("precious\n", f);
    fclose(f);
    if (symlink(victim, link) != 0)
        perror("symlink");
    if (geteuid() == 0) {
        CHECK(chown(victim, 65534, 65534) == 0, "chown");
        CHECK(history_append(link, &rec, err, sizeof err) == -1 &&
                  strstr(err, "belongs to user 65534"),
              "a link to another user's file is refused: %s", err);
        struct stat st;
        CHECK(stat(victim, &st) == 0 && st.st_size == 9, "the file is untouched");
        CHECK(chown(victim, 0, 0) == 0, "chown back");
    }
    CHECK(history_append(link, &rec, err, sizeof err) == 0,
          "a link to a file of one's own is fine: %s", err);
    unlink(link);
    char dangling[600], where[600];
    snprintf(dangling, sizeof dangling, "%s/dangling.tsv", tmp_dir);
    snprintf(where, sizeof where, "%s/created-elsewhere", tmp_dir);
    if (symlink(where, dangling) != 0)
        perror("symlink");
    CHECK(history_append(dangling, &rec, err, sizeof err) == -1 && access(where, F_OK) != 0,
          "a dangling link does not create its target: %s", err);
    printf("links: %sa link to one's own file followed; a dangling one not\n",
           geteuid() == 0 ? "a link to another user's file refused, " : "");
}

/* Every record the reader accepts, the writer writes and the reader reads
 * back: the property of fuzz_history, over each history input the fuzzer
 * keeps (its corpus and what it found), in two time zones. */
static int round_trip_file(const char *in, const char *out_path, char *why, size_t whylen)
{
    struct history_record *recs = NULL, *back = NULL;
    size_t n = 0, n_back = 0;
    char err[512] = "";
    unlink(out_path);
    if (history_load(in, &recs, &n, NULL, NULL, err, sizeof err) != 0) {
        snprintf(why, whylen, "does not load: %s", err);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (history_append(out_path, &recs[i], err, sizeof err) != 0) {
            snprintf(why, whylen, "record %zu (line start %s) read but not written: %s", i + 1,
                     recs[i].start_text, err);
            rc = -1;
        }
    if (rc == 0 &&
        (history_load(out_path, &back, &n_back, NULL, NULL, err, sizeof err) != 0 || n_back != n)) {
        snprintf(why, whylen, "%zu records written, %zu read back %s", n, n_back, err);
        rc = -1;
    }
    for (size_t i = 0; i < n && rc == 0; i++)
        if (back[i].start != recs[i].start || fabs(back[i].planned - recs[i].planned) > 0.051 ||
            back[i].steps_done != recs[i].steps_done || back[i].ended != recs[i].ended ||
            back[i].steps_skipped != recs[i].steps_skipped) {
            snprintf(why, whylen, "record %zu differs after the round trip", i + 1);
            rc = -1;
        }
    if (rc == 0)
        snprintf(why, whylen, "%zu records", n);
    history_free(recs);
    history_free(back);
    return rc;
}

static void test_fuzz_inputs(void)
{
    const char *src = getenv("CALFPACE_SOURCE");
    CHECK(src != NULL, "CALFPACE_SOURCE names the source tree");
    if (!src)
        return;
    const char *files[] = {"crashes/history-roundtrip-open", "corpus/history/reproducers.tsv",
                           "corpus/history/cut-short", "corpus/history/steps-skipped.tsv"};
    const char *zones[] = {"UTC", "CET-1CEST,M3.5.0,M10.5.0/3"};
    char in[1024], out[600], why[700];
    snprintf(out, sizeof out, "%s/fuzz-round-trip.tsv", tmp_dir);
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        set_tz(zones[z]);
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
            snprintf(in, sizeof in, "%s/tests/fuzz/%s", src, files[i]);
            CHECK(round_trip_file(in, out, why, sizeof why) == 0, "%s (TZ %s): %s", files[i],
                  zones[z], why);
        }
    }
    /* What the round-trip failure came down to, each in a line of its own:
     * a lowest bpm that is 0 to a tenth, and a start the writer has no date
     * for in the local time zone (year 999 in UTC).  The reader refuses both,
     * as the writer does. */
    const char *lines[] = {
        "2026-11-25T15:00:00+0100\tfast\t60.0\t60.0\t1\t1\t0.04\t01061.3\tquit\n",
        "1000-01-01T00:30:00+0100\told\t60.0\t60.0\t1\t1\t60.0\t60.0\tdone\n",
    };
    const char *want[] = {"bpm range 0.04 to 1061.3 is out of range",
                          "start 1000-01-01T00:30:00+0100 has no local date"};
    set_tz("UTC");
    char path[600];
    snprintf(path, sizeof path, "%s/fuzz-lines.tsv", tmp_dir);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        write_all(path, lines[i], strlen(lines[i]));
        struct history_record *recs = NULL;
        size_t n = 0;
        struct warnings w = {0};
        char err[256] = "";
        int rc = history_load(path, &recs, &n, collect, &w, err, sizeof err);
        CHECK(rc == 0 && n == 0 && w.n == 1 && strstr(w.msg[0], want[i]),
              "line %zu skipped with \"%s\": %zu records, %d warnings: %s", i + 1, want[i], n, w.n,
              w.n ? w.msg[0] : "");
        history_free(recs);
    }
    set_tz("UTC");
    printf("fuzz inputs: %zu history inputs round-trip in 2 time zones; a lowest bpm of 0 to a "
           "tenth and a start with no local date are refused by the reader as by the writer\n",
           sizeof files / sizeof files[0]);
}

/* 'calfpace stats' keeps sums, not records: its peak memory on a history of
 * 200,000 lines (13 MB) is that on 2,000 lines, give or take 2 MB.  Held in
 * memory, the records alone would take 200,000 x sizeof (struct
 * history_record), about 38 MB. */
static long stats_peak_kb(const char *bin, const char *state)
{
    pid_t pid = fork();
    if (pid == 0) {
        setenv("XDG_STATE_HOME", state, 1);
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(126);
        execl(bin, "calfpace", "stats", (char *)NULL);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        return -1;
    return ru.ru_maxrss;
}

static void test_stats_memory(void)
{
    const char *bin = getenv("CALFPACE");
    CHECK(bin != NULL, "CALFPACE names the calfpace binary");
    if (!bin)
        return;
    set_tz("UTC");
    const int lines[] = {2000, 200000};
    long peak[2];
    time_t now = time(NULL);
    for (int k = 0; k < 2; k++) {
        char state[600], dir[700], path[800];
        snprintf(state, sizeof state, "%s/state-%d", tmp_dir, lines[k]);
        snprintf(dir, sizeof dir, "%s/calfpace", state);
        snprintf(path, sizeof path, "%s/history.tsv", dir);
        if (mkdir(state, 0700) != 0 || mkdir(dir, 0700) != 0)
            perror("mkdir");
        FILE *f = fopen(path, "w");
        CHECK(f != NULL, "write %s", path);
        if (!f)
            return;
        fputs(HEADER, f);
        char when[40];
        for (int i = lines[k] - 1; i >= 0; i--)
            if (history_format_time(now - (time_t)i * 1200, when, sizeof when) == 0)
                fprintf(f, "%s\tcalf-pump\t663.5\t%d.5\t12\t12\t60.0\t160.0\tdone\n", when,
                        300 + i % 360);
        fclose(f);
        peak[k] = stats_peak_kb(bin, state);
        unlink(path);
    }
    CHECK(peak[0] > 0 && peak[1] > 0, "stats runs on both histories");
    CHECK(peak[1] - peak[0] <= 2048,
          "peak RSS of stats: %ld kB for %d lines, %ld kB for %d lines (allowed: 2048 kB more)",
          peak[0], lines[0], peak[1], lines[1]);
    printf("stats memory: peak RSS %ld kB for %d lines, %ld kB for %d lines\n", peak[0], lines[0],
           peak[1], lines[1]);
}

int main(void)
{
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_time_format();
    test_path();
    test_round_trip();
    test_refused();
    test_old_files();
    test_broken_lines();
    test_page_boundary();
    test_concurrent();
    test_killed();
    test_stats();
    test_one_validation();
    test_links();
    test_fuzz_inputs();
    test_stats_memory();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    if (check_failures == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp_dir);
    else if (check_failures)
        fprintf(stderr, "files kept in %s\n", tmp_dir);
    return CHECK_DONE("test_history");
}
