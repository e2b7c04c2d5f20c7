#include "history.h"

#include "paths.h"

#include "safefile.h"

#include "routine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(HISTORY_ROUTINE_MAX >= ROUTINE_NAME_MAX, "a routine's name must fit a record");
/* A header or a newline after a broken tail, a filler line and a record go
 * out in one write(), which must stay atomic for O_APPEND, even on a pipe. */
_Static_assert(2 * HISTORY_LINE_MAX + 256 <= PIPE_BUF, "one append must fit PIPE_BUF");

/* Linux copies a write() into the page cache a page at a time and stops
 * between pages when SIGKILL arrives, so a write that crosses a page boundary
 * can end half done.  A record never does: one that would is moved to the
 * next boundary behind a filler comment.  Larger pages are multiples of 4096. */
#define PAGE_BOUNDARY 4096

#define HISTORY_FIELDS 10
#define HISTORY_FIELDS_V1 9 /* files written before steps_skipped: read as 0 skipped */
#define BAR_WIDTH 30

static const char header_line[] =
    "# calfpace history v2: start\troutine\tplanned_seconds\tplayed_seconds\tsteps_done\t"
    "steps_total\tbpm_min\tbpm_max\tended\tsteps_skipped\n";

static const char *const end_names[] = {"done", "quit", "error"};

static const char *const field_names[HISTORY_FIELDS] = {
    "start",       "routine",    "planned seconds", "played seconds", "steps done",
    "steps total", "lowest bpm", "highest bpm",     "ended",          "steps skipped"};

static const char *const weekday_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

const char *history_end_name(enum history_end e)
{
    if ((unsigned)e < sizeof end_names / sizeof end_names[0])
        return end_names[e];
    return "?";
}

/* Calendar arithmetic on day numbers (days since 1970-01-01), so days never
 * depend on mktime, DST or the time of day (H. Hinnant's algorithms). */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *year, int *month, int *day)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
}

static int weekday_of(long z)
{
    return (int)(((z % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
}

static int days_in_month(long y, long m)
{
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : len[m - 1];
}

/* The local calendar day of T; -1 if the C library cannot say. */
static int local_day(time_t t, long *day)
{
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return -1;
    *day = days_from_civil((long)tm.tm_year + 1900, (long)tm.tm_mon + 1, (long)tm.tm_mday);
    return 0;
}

/* N digits at S as a number, or -1. */
static long digits(const char *s, int n)
{
    long v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "YYYY-MM-DDTHH:MM:SS+HHMM", exactly; its own offset says which instant. */
static int parse_time(const char *s, size_t len, time_t *t)
{
    if (len != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
        (s[19] != '+' && s[19] != '-'))
        return -1;
    long y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    long h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
    long oh = digits(s + 20, 2), om = digits(s + 22, 2);
    /* The writer writes years 1000 to 9999 only (history_format_time). */
    if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || se < 0 || se > 60 || oh < 0 || oh > 23 || om < 0 || om > 59)
        return -1;
    long long offset = (s[19] == '-' ? -1 : 1) * (oh * 3600LL + om * 60LL);
    long long secs = days_from_civil(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + se - offset;
    *t = (time_t)secs;
    return (long long)*t == secs ? 0 : -1;
}

/* history_format_time without its tzset(): the reader checks every record
 * with it and calls tzset() once for the file (glibc's tzset() looks at
 * /etc/localtime again on every call). */
static int format_time(time_t t, char *out, size_t outlen)
{
    struct tm tm;
    char text[64];
    if (!localtime_r(&t, &tm) || tm.tm_year + 1900 < 1000 || tm.tm_year + 1900 > 9999)
        return -1;
    size_t len = strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S%z", &tm);
    time_t back;
    if (len == 0 || parse_time(text, len, &back) != 0 || back != t || len >= outlen)
        return -1;
    memcpy(out, text, len + 1);
    return 0;
}

int history_format_time(time_t t, char *out, size_t outlen)
{
    tzset();
    return format_time(t, out, outlen);
}

int history_path(char *out, size_t outlen, char *err, size_t errlen)
{
    int rc = paths_xdg(out, outlen, "XDG_STATE_HOME", ".local/state", "history.tsv");
    if (rc == -1)
        snprintf(err, errlen,
                 "cannot find the history file: neither XDG_STATE_HOME nor HOME "
                 "is set");
    else if (rc == -2)
        snprintf(err, errlen, "cannot find the history file: the path is longer than %zu bytes",
                 outlen - 1);
    return rc == 0 ? 0 : -1;
}

/* To a tenth, as the file keeps it; what is not a number stays so, for
 * record_problem to reject. */
static double to_tenths(double x)
{
    if (!isfinite(x) || fabs(x) > 1e15)
        return x;
    return (double)llround(x * 10.0) / 10.0;
}

/* "663.5": a non-negative number already to a tenth, locale-free. */
static void format_tenths(double x, char *out, size_t outlen)
{
    long long t = llround(x * 10.0);
    snprintf(out, outlen, "%lld.%lld", t / 10, t % 10);
}

/* The one validation of a record, for the writer and the reader alike: R as
 * the file keeps it (numbers to a tenth, the start as a local date of years
 * 1000 to 9999 in the time zone in effect) must be in range, so every record
 * the reader accepts the writer writes again, and the other way round.
 * 0, or -1 with what is wrong in MSG (R's own values, before rounding; the
 * start as START_TEXT, the file's text, when there is one). */
static int record_problem(const struct history_record *r, const char *start_text, char *msg,
                          size_t msglen)
{
    const double secs[] = {to_tenths(r->planned), to_tenths(r->played)};
    const double raw[] = {r->planned, r->played};
    for (int i = 0; i < 2; i++)
        if (!(secs[i] >= 0.0 && secs[i] <= HISTORY_SECONDS_MAX)) {
            snprintf(msg, msglen, "%s %g is out of range (allowed: 0 to %g)", field_names[2 + i],
                     raw[i], HISTORY_SECONDS_MAX);
            return -1;
        }
    if (r->steps_done < 0 || r->steps_total < 0 || r->steps_done > r->steps_total) {
        snprintf(msg, msglen, "%d of %d steps done is not possible (allowed: 0 <= done <= total)",
                 r->steps_done, r->steps_total);
        return -1;
    }
    if (r->steps_skipped < 0 ||
        (long long)r->steps_done + r->steps_skipped > (long long)r->steps_total) {
        snprintf(msg, msglen,
                 "%d done and %d skipped of %d steps is not possible (allowed: 0 <= done + "
                 "skipped <= total)",
                 r->steps_done, r->steps_skipped, r->steps_total);
        return -1;
    }
    double lo = to_tenths(r->tempo_min), hi = to_tenths(r->tempo_max);
    int none = lo == 0.0 && hi == 0.0;
    if (!none && !(lo > 0.0 && lo <= hi && hi <= HISTORY_BPM_MAX)) {
        snprintf(msg, msglen,
                 "bpm range %g to %g is out of range (allowed: 0 0 for none, or 0 < lowest <= "
                 "highest <= %g, each to a tenth)",
                 r->tempo_min, r->tempo_max, HISTORY_BPM_MAX);
        return -1;
    }
    if ((unsigned)r->ended > HISTORY_ERROR) {
        snprintf(msg, msglen, "ended %d is not done, quit or error", (int)r->ended);
        return -1;
    }
    char when[40];
    if (format_time(r->start, when, sizeof when) != 0) {
        if (start_text)
            snprintf(msg, msglen,
                     "start %.30s has no local date to write (allowed: years 1000 to 9999 in "
                     "the local time zone)",
                     start_text);
        else
            snprintf(msg, msglen,
                     "start time %lld has no local date to write (allowed: years 1000 to 9999 "
                     "in the local time zone)",
                     (long long)r->start);
        return -1;
    }
    return 0;
}

/* Appenders hold an exclusive flock while they look at the end of the file
 * and write, readers a shared one: a write that crosses a page boundary
 * becomes visible in two steps, and without the lock a second appender could
 * take the first half for a broken line, or a reader report it.  The lock is
 * only for that; if it cannot be had within about a second (a stopped process
 * holding it, a file system without locks), go on without it: a single
 * O_APPEND write still never interleaves with another. */
static void lock_briefly(int fd, int how)
{
    for (int i = 0; i < 1000; i++) {
        if (flock(fd, how | LOCK_NB) == 0 || (errno != EWOULDBLOCK && errno != EINTR))
            return;
        struct timespec pause = {0, 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

/* R as one line of the file (a checked record: numbers to a tenth, control
 * characters in the name as spaces) into RECORD: its length, or -1 with
 * what is wrong in ERR. */
static int format_record(const char *path, const struct history_record *r,
                         char record[HISTORY_LINE_MAX], char *err, size_t errlen)
{
    struct history_record c = *r;
    c.planned = to_tenths(c.planned);
    c.played = to_tenths(c.played);
    c.tempo_min = to_tenths(c.tempo_min);
    c.tempo_max = to_tenths(c.tempo_max);
    char when[40];
    if (format_time(c.start, when, sizeof when) != 0) { /* checked before */
        snprintf(err, errlen, "%s: not a session record: start time %lld has no date to write",
                 path, (long long)c.start);
        return -1;
    }
    char name[HISTORY_ROUTINE_MAX];
    size_t name_len = strnlen(c.routine, sizeof c.routine - 1);
    for (size_t i = 0; i < name_len; i++) {
        unsigned char ch = (unsigned char)c.routine[i];
        name[i] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
    }
    name[name_len] = '\0';
    char num[4][32];
    format_tenths(c.planned, num[0], sizeof num[0]);
    format_tenths(c.played, num[1], sizeof num[1]);
    format_tenths(c.tempo_min, num[2], sizeof num[2]);
    format_tenths(c.tempo_max, num[3], sizeof num[3]);
    int rlen = snprintf(record, HISTORY_LINE_MAX, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%d\n", when,
                        name, num[0], num[1], c.steps_done, c.steps_total, num[2], num[3],
                        history_end_name(c.ended), c.steps_skipped);
    if (rlen < 0 || rlen >= HISTORY_LINE_MAX) { /* cannot happen with the limits checked */
        snprintf(err, errlen, "%s: the record is too long", path);
        return -1;
    }
    return rlen;
}

/* Appends RECORD (RLEN bytes, one line) to PATH in one write, with the
 * header first in a new file, a newline first after a cut-short last line,
 * and padding up to the page boundary it would cross: 0, or -1 with what
 * is wrong in ERR. */
static int write_record(const char *path, const char *record, size_t rlen, char *err, size_t errlen)
{
    if (paths_make_parents(path, 0700) != 0) {
        snprintf(err, errlen, "%s: cannot create the folder for it: %s", path,
                 errno == EEXIST ? "a file is in the way" : strerror(errno));
        return -1;
    }
    /* Never through a dangling link, never into a file of another user's;
     * O_RDWR only to look at the last byte, O_APPEND puts every write() at
     * the end. */
    int fd = safefile_open_append(path, 0600, "history", err, errlen);
    if (fd < 0)
        return -1;
    lock_briefly(fd, LOCK_EX); /* released by close */
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: cannot write the history: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    char buf[sizeof header_line + 1 + 2 * HISTORY_LINE_MAX];
    size_t len = 0;
    if (st.st_size == 0) {
        memcpy(buf, header_line, sizeof header_line - 1);
        len = sizeof header_line - 1;
    } else {
        char last;
        if (pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
            buf[len++] = '\n';
    }
    size_t room = PAGE_BOUNDARY - (size_t)((st.st_size + (off_t)len) % PAGE_BOUNDARY);
    if (rlen > room) { /* "#   ...\n" (or a bare "\n") up to the boundary */
        memset(buf + len, ' ', room);
        buf[len] = room > 1 ? '#' : '\n';
        buf[len + room - 1] = '\n';
        len += room;
    }
    memcpy(buf + len, record, rlen);
    len += rlen;
    ssize_t wrote = write(fd, buf, len); /* one write: all or (disk full) a cut-short tail */
    int write_errno = errno;
    int close_failed = close(fd) != 0;
    if (wrote < 0) {
        snprintf(err, errlen, "%s: cannot write the history: %s", path, strerror(write_errno));
        return -1;
    }
    if ((size_t)wrote != len) {
        snprintf(err, errlen, "%s: wrote only %zd of %zu bytes of the record (is the disk full?)",
                 path, wrote, len);
        return -1;
    }
    if (close_failed) {
        snprintf(err, errlen, "%s: cannot write the history: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int history_append(const char *path, const struct history_record *r, char *err, size_t errlen)
{
    char problem[256];
    tzset();
    if (record_problem(r, NULL, problem, sizeof problem) != 0) {
        snprintf(err, errlen, "%s: not a session record: %s", path, problem);
        return -1;
    }
    char record[HISTORY_LINE_MAX];
    int rlen = format_record(path, r, record, err, errlen);
    if (rlen < 0)
        return -1;
    return write_record(path, record, (size_t)rlen, err, errlen);
}

/* "663.5", "12", "0.25": digits with at most 6 after a '.'; locale-free. */
static int parse_decimal(const char *s, double *out)
{
    long long whole = 0, frac = 0, scale = 1;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (whole > 1000000000000LL)
            return -1;
        whole = whole * 10 + (*p - '0');
    }
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (scale >= 1000000)
                return -1;
            frac = frac * 10 + (*p - '0');
            scale *= 10;
        }
    }
    if (*p != '\0')
        return -1;
    /* One correctly rounded division: "12.3" reads as the double 12.3. */
    *out = (double)(whole * scale + frac) / (double)scale;
    return 0;
}

static int parse_count(const char *s, int *out)
{
    long v = 0;
    const char *p = s;
    if (*p == '\0')
        return -1;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > INT_MAX / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    if (v > INT_MAX)
        return -1;
    *out = (int)v;
    return 0;
}

/* LINE (NUL-terminated, no newline) into R, or -1 with what is wrong. */
static int parse_record(char *line, struct history_record *r, char *msg, size_t msglen)
{
    char *field[HISTORY_FIELDS];
    int nf = 0;
    for (char *p = line;; p++) {
        if (nf < HISTORY_FIELDS)
            field[nf] = p;
        nf++;
        p = strchr(p, '\t');
        if (!p)
            break;
        *p = '\0';
    }
    if (nf != HISTORY_FIELDS && nf != HISTORY_FIELDS_V1) {
        snprintf(msg, msglen, "%d field%s (a record has %d, tab-separated; %d in older files)", nf,
                 nf == 1 ? "" : "s", HISTORY_FIELDS, HISTORY_FIELDS_V1);
        return -1;
    }
    memset(r, 0, sizeof *r);
    size_t tlen = strlen(field[0]);
    if (parse_time(field[0], tlen, &r->start) != 0) {
        snprintf(msg, msglen, "start \"%.40s\" is not a time like 2026-11-25T14:03:12+0100",
                 field[0]);
        return -1;
    }
    memcpy(r->start_text, field[0], tlen + 1);
    size_t nlen = strlen(field[1]);
    if (nlen >= sizeof r->routine) {
        snprintf(msg, msglen, "routine name is %zu bytes (allowed: up to %zu)", nlen,
                 sizeof r->routine - 1);
        return -1;
    }
    memcpy(r->routine, field[1], nlen + 1);
    double *num[] = {&r->planned, &r->played, NULL, NULL, &r->tempo_min, &r->tempo_max};
    int *count[] = {NULL, NULL, &r->steps_done, &r->steps_total, NULL, NULL};
    for (int i = 0; i < 6; i++) {
        const char *f = field[2 + i];
        if (num[i] ? parse_decimal(f, num[i]) != 0 : parse_count(f, count[i]) != 0) {
            snprintf(msg, msglen, "%s \"%.20s\" is not a %s", field_names[2 + i], f,
                     num[i] ? "number" : "whole number");
            return -1;
        }
    }
    int e;
    for (e = 0; e <= HISTORY_ERROR; e++)
        if (strcmp(field[8], end_names[e]) == 0)
            break;
    if (e > HISTORY_ERROR) {
        snprintf(msg, msglen, "ended \"%.20s\" is not done, quit or error", field[8]);
        return -1;
    }
    r->ended = (enum history_end)e;
    if (nf == HISTORY_FIELDS && parse_count(field[9], &r->steps_skipped) != 0) {
        snprintf(msg, msglen, "%s \"%.20s\" is not a whole number", field_names[9], field[9]);
        return -1;
    }
    return record_problem(r, r->start_text, msg, msglen);
}

static void report(void (*warn)(void *, const char *), void *ctx, const char *path, long line,
                   const char *what, int cut)
{
    if (!warn)
        return;
    char msg[PATH_MAX + 512];
    snprintf(msg, sizeof msg, "%s:%ld: skipped: %s%s", path, line, what,
             cut ? " (the last line, with no newline: cut short?)" : "");
    warn(ctx, msg);
}

int history_scan(const char *path, int (*each)(void *ctx, const struct history_record *r),
                 void *ctx, void (*warn)(void *wctx, const char *msg), void *wctx, char *err,
                 size_t errlen)
{
    int missing;
    int fd = safefile_open_read(path, HISTORY_FILE_MAX, "history", NULL, &missing, err, errlen);
    if (fd < 0)
        return missing ? 0 : -1;
    lock_briefly(fd, LOCK_SH); /* released by fclose */
    FILE *f = fdopen(fd, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read the history: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    tzset(); /* once: record_problem checks each start in local time */
    int stopped = 0;
    char line[HISTORY_LINE_MAX];
    for (long lineno = 1;; lineno++) {
        size_t len = 0, total = 0;
        int c, nul = 0;
        while ((c = getc_unlocked(f)) != EOF && c != '\n') {
            if (len < sizeof line - 1)
                line[len++] = (char)c;
            total++;
            nul |= c == '\0';
        }
        if (c == EOF && total == 0)
            break;
        int cut = c == EOF; /* a last line without its newline */
        line[len] = '\0';
        if (len > 0 && line[len - 1] == '\r') /* a hand edit on another system */
            line[--len] = '\0';
        char what[256];
        struct history_record r;
        if (nul) {
            report(warn, wctx, path, lineno, "binary data (a NUL byte)", cut);
            continue;
        }
        if (total >= sizeof line) {
            snprintf(what, sizeof what, "the line is %zu bytes (allowed: up to %zu)", total,
                     sizeof line - 1);
            report(warn, wctx, path, lineno, what, cut);
            continue;
        }
        if (len == 0 || line[0] == '#')
            continue;
        if (parse_record(line, &r, what, sizeof what) != 0) {
            report(warn, wctx, path, lineno, what, cut);
            continue;
        }
        if ((stopped = each(ctx, &r)) != 0)
            break;
    }
    int failed = !stopped && ferror(f);
    int read_errno = errno;
    fclose(f);
    if (failed) {
        snprintf(err, errlen, "%s: cannot read the history: %s", path, strerror(read_errno));
        return -1;
    }
    return stopped;
}

struct record_list {
    struct history_record *recs;
    size_t count, cap;
};

static int keep_record(void *ctx, const struct history_record *r)
{
    struct record_list *l = ctx;
    if (l->count == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 64;
        struct history_record *grown = realloc(l->recs, ncap * sizeof *l->recs);
        if (!grown)
            return 1;
        l->recs = grown;
        l->cap = ncap;
    }
    l->recs[l->count++] = *r;
    return 0;
}

int history_load(const char *path, struct history_record **out, size_t *n,
                 void (*warn)(void *ctx, const char *msg), void *ctx, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct record_list l = {NULL, 0, 0};
    int rc = history_scan(path, keep_record, &l, warn, ctx, err, errlen);
    if (rc != 0) {
        if (rc > 0)
            snprintf(err, errlen, "%s: out of memory reading the history", path);
        free(l.recs);
        return -1;
    }
    *out = l.recs;
    *n = l.count;
    return 0;
}

void history_free(struct history_record *recs)
{
    free(recs);
}

/* Which days of years 1000 to 9999 had a session, one bit a day (411 KB of
 * address space; calloc maps it untouched, so only the pages of the years
 * in the history are ever resident). */
#define FIRST_DAY_KEPT (-354285L) /* days_from_civil(1000, 1, 1) */
#define DAYS_KEPT 3287182L        /* to days_from_civil(10000, 1, 1) */

struct history_tally {
    struct history_stats st;
    long today, first_shown, first_day;
    unsigned char *seen; /* DAYS_KEPT bits */
};

static int day_seen(const struct history_tally *t, long day)
{
    long i = day - FIRST_DAY_KEPT;
    return i >= 0 && i < DAYS_KEPT && (t->seen[i / 8] >> (i % 8)) & 1;
}

struct history_tally *history_tally_create(time_t now)
{
    struct history_tally *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->seen = calloc((size_t)(DAYS_KEPT + 7) / 8, 1);
    tzset();
    if (!t->seen || local_day(now, &t->today) != 0) {
        history_tally_destroy(t);
        return NULL;
    }
    t->first_shown = t->today - (HISTORY_STATS_DAYS - 1);
    for (int i = 0; i < HISTORY_STATS_DAYS; i++) {
        struct history_day *d = &t->st.days[i];
        civil_from_days(t->first_shown + i, &d->year, &d->month, &d->day);
        d->weekday = weekday_of(t->first_shown + i);
    }
    return t;
}

void history_tally_add(struct history_tally *t, const struct history_record *r)
{
    long day;
    if (local_day(r->start, &day) != 0)
        return;
    double minutes = r->played / 60.0;
    struct history_stats *st = &t->st;
    int shown = day >= t->first_shown && day <= t->today;
    st->steps_skipped += r->steps_skipped;
    if (shown)
        st->days[day - t->first_shown].skipped += r->steps_skipped;
    /* A try that played no step to its end (a start and a stop, or every
     * step skipped) is not a session. */
    if (r->steps_done < HISTORY_SESSION_MIN_STEPS) {
        st->tries++;
        return;
    }
    if (st->sessions == 0 || day < t->first_day)
        t->first_day = day;
    st->sessions++;
    st->minutes += minutes;
    if (shown) {
        st->days[day - t->first_shown].sessions++;
        st->days[day - t->first_shown].minutes += minutes;
    }
    long i = day - FIRST_DAY_KEPT;
    if (i >= 0 && i < DAYS_KEPT && !day_seen(t, day)) {
        t->seen[i / 8] |= (unsigned char)(1u << (i % 8));
        st->days_active++;
    }
}

void history_tally_result(const struct history_tally *t, struct history_stats *st)
{
    *st = t->st;
    if (st->sessions > 0)
        civil_from_days(t->first_day, &st->first_year, &st->first_month, &st->first_day);
    /* Back from today, or from yesterday when today has none yet. */
    long want = day_seen(t, t->today) ? t->today : t->today - 1;
    st->streak_ends_today = want == t->today;
    while (day_seen(t, want)) {
        st->streak++;
        want--;
    }
    if (st->streak == 0)
        st->streak_ends_today = 0;
}

void history_tally_destroy(struct history_tally *t)
{
    if (!t)
        return;
    free(t->seen);
    free(t);
}

int history_stats_compute(const struct history_record *recs, size_t n, time_t now,
                          struct history_stats *st)
{
    memset(st, 0, sizeof *st);
    struct history_tally *t = history_tally_create(now);
    if (!t)
        return -1;
    for (size_t i = 0; i < n; i++)
        history_tally_add(t, &recs[i]);
    history_tally_result(t, st);
    history_tally_destroy(t);
    return 0;
}

static const char *plural(long k)
{
    return k == 1 ? "" : "s";
}

int history_print_stats(FILE *to, const struct history_record *recs, size_t n, time_t now, int csv)
{
    struct history_stats st;
    if (history_stats_compute(recs, n, now, &st) != 0)
        return -1;
    return history_stats_print(to, &st, csv);
}

int history_stats_print(FILE *to, const struct history_stats *stats, int csv)
{
    const struct history_stats st = *stats;
    char minutes[32];
    if (csv) {
        fprintf(to, "date,sessions,minutes,steps_skipped\n");
        for (int i = 0; i < HISTORY_STATS_DAYS; i++) {
            const struct history_day *d = &st.days[i];
            format_tenths(d->minutes, minutes, sizeof minutes);
            fprintf(to, "%04d-%02d-%02d,%d,%s,%lld\n", d->year, d->month, d->day, d->sessions,
                    minutes, d->skipped);
        }
        return ferror(to) ? -1 : 0;
    }
    double most = 0.0;
    for (int i = 0; i < HISTORY_STATS_DAYS; i++)
        if (st.days[i].minutes > most)
            most = st.days[i].minutes;
    fprintf(to, "Minutes played, the last %d days:\n", HISTORY_STATS_DAYS);
    for (int i = 0; i < HISTORY_STATS_DAYS; i++) {
        const struct history_day *d = &st.days[i];
        char bar[BAR_WIDTH + 1];
        int len = most > 0.0 ? (int)lround(d->minutes / most * BAR_WIDTH) : 0;
        if (d->sessions > 0 && len == 0)
            len = 1; /* a short session still shows */
        memset(bar, '#', (size_t)len);
        bar[len] = '\0';
        format_tenths(d->minutes, minutes, sizeof minutes);
        char skipped[48] = "";
        if (d->skipped > 0)
            snprintf(skipped, sizeof skipped, ", %lld step%s skipped", d->skipped,
                     d->skipped == 1 ? "" : "s");
        fprintf(to, "%04d-%02d-%02d %s  %-*s %6s min  %d session%s%s%s\n", d->year, d->month,
                d->day, weekday_names[d->weekday], BAR_WIDTH, bar, minutes, d->sessions,
                plural(d->sessions), skipped, i == HISTORY_STATS_DAYS - 1 ? "  (today)" : "");
    }
    fprintf(to, "\n");
    if (st.streak == 0)
        fprintf(to, "Streak: none (no session today or yesterday)\n");
    else if (st.streak_ends_today)
        fprintf(to, "Streak: %d day%s in a row, up to today\n", st.streak, plural(st.streak));
    else
        fprintf(to, "Streak: %d day%s in a row, up to yesterday (no session yet today)\n",
                st.streak, plural(st.streak));
    char tries[96] = "";
    if (st.tries > 0)
        snprintf(tries, sizeof tries, " (%zu tr%s with no step played to its end not counted)",
                 st.tries, st.tries == 1 ? "y" : "ies");
    if (st.sessions == 0) {
        fprintf(to, "Total: no sessions yet%s\n", tries);
    } else {
        format_tenths(st.minutes, minutes, sizeof minutes);
        fprintf(to, "Total: %zu session%s, %s minutes on %d day%s, since %04d-%02d-%02d%s\n",
                st.sessions, plural((long)st.sessions), minutes, st.days_active,
                plural(st.days_active), st.first_year, st.first_month, st.first_day, tries);
    }
    if (st.steps_skipped > 0)
        fprintf(to, "Skipped: %lld step%s left early with n (not done, so not counted)\n",
                st.steps_skipped, st.steps_skipped == 1 ? "" : "s");
    return ferror(to) ? -1 : 0;
}
