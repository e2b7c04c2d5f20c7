#include "remind.h"

#include "paths.h"
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int remind_parse_duration(const char *text, double *seconds, char *err, size_t errlen)
{
    const char *p = text;
    double total = 0.0;
    int parts = 0;
    while (*p) {
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno || !isfinite(v) || v < 0.0)
            goto bad;
        double unit;
        switch (*end) {
        case 'h':
            unit = 3600.0;
            break;
        case 'm':
            unit = 60.0;
            break;
        case 's':
            unit = 1.0;
            break;
        default:
            goto bad;
        }
        total += v * unit;
        parts++;
        p = end + 1;
    }
    if (parts == 0 || total < 1.0 || total > REMIND_SNOOZE_MAX)
        goto bad;
    *seconds = total;
    return 0;
bad:
    snprintf(err, errlen,
             "\"%s\" is not a duration (write 45m, 2s, 1h or 1h30m; from 1 s to 7 days)", text);
    return -1;
}

static int clock_time(const char *s, int *minutes)
{
    int h, m;
    char tail;
    if (sscanf(s, "%d:%d%c", &h, &m, &tail) != 2 || h < 0 || h > 24 || m < 0 || m > 59 ||
        (h == 24 && m != 0))
        return -1;
    *minutes = h * 60 + m;
    return 0;
}

int remind_parse_between(const char *text, int *from, int *to, char *err, size_t errlen)
{
    char a[16], b[16];
    const char *dash = strchr(text, '-');
    if (!dash || (size_t)(dash - text) >= sizeof a || strlen(dash + 1) >= sizeof b)
        goto bad;
    snprintf(a, sizeof a, "%.*s", (int)(dash - text), text);
    snprintf(b, sizeof b, "%s", dash + 1);
    if (clock_time(a, from) || clock_time(b, to))
        goto bad;
    return 0;
bad:
    snprintf(err, errlen,
             "\"%s\" is not a span of the day (write 08:00-18:00, or 22:00-06:00 "
             "across midnight)",
             text);
    return -1;
}

static int minute_of_day(time_t t)
{
    struct tm tm;
    localtime_r(&t, &tm);
    return tm.tm_hour * 60 + tm.tm_min;
}

int remind_in_hours(time_t t, int from, int to)
{
    if (from == to)
        return 1;
    int m = minute_of_day(t);
    if (from < to)
        return m >= from && m < to;
    return m >= from || m < to; /* across midnight */
}

time_t remind_next_open(time_t t, int from, int to)
{
    if (remind_in_hours(t, from, to))
        return t;
    /* Walk to the start of the next open minute: at most a day away. */
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_sec = 0;
    for (int i = 0; i < 2 * 1440; i++) {
        tm.tm_min++;
        tm.tm_isdst = -1;
        time_t c = mktime(&tm);
        if (remind_in_hours(c, from, to))
            return c;
        localtime_r(&c, &tm);
    }
    return t;
}

void remind_snooze_path(char *out, size_t outlen)
{
    paths_xdg(out, outlen, "XDG_RUNTIME_DIR", ".local/state", "snooze");
}

int remind_snooze_write(const char *path, time_t until, char *err, size_t errlen)
{
    /* The folder must be ours and closed to others: no one else can plant a
     * link or a file in it.  The file itself is made with mkstemp and
     * renamed, never written through a link. */
    char dir[4096];
    paths_dir_of(path, dir, sizeof dir);
    paths_make_parents(dir, 0700);
    if (safefile_own_dir(dir, err, errlen) != 0)
        return -1;
    char text[32];
    int n = snprintf(text, sizeof text, "%lld\n", (long long)until);
    return safefile_replace(path, text, (size_t)n, 0600, 0, err, errlen);
}

time_t remind_snooze_read(const char *path, time_t now)
{
    char *text, err[512];
    size_t len;
    if (safefile_read(path, 64, "snooze file", &text, &len, NULL, err, sizeof err) != 0)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    int ok = end != text && errno == 0 && (*end == '\n' || *end == '\0');
    free(text);
    /* A snooze is at most REMIND_SNOOZE_MAX long: anything later is not one
     * this program wrote, and would silence the reminders for good. */
    if (!ok || v <= 0 || v > (long long)now + REMIND_SNOOZE_MAX)
        return 0;
    return (time_t)v;
}

double remind_postponed(double due, double now, double by)
{
    return (due > now ? due : now) + by;
}

void remind_format_when(time_t t, time_t now, char *out, size_t outlen)
{
    struct tm at, today;
    localtime_r(&t, &at);
    localtime_r(&now, &today);
    char clock[16];
    strftime(clock, sizeof clock, "%H:%M:%S", &at);
    /* Whole days between the two dates, by their local noons (DST-proof). */
    struct tm a = at, b = today;
    a.tm_hour = b.tm_hour = 12;
    a.tm_min = b.tm_min = a.tm_sec = b.tm_sec = 0;
    a.tm_isdst = b.tm_isdst = -1;
    double days = floor(difftime(mktime(&a), mktime(&b)) / 86400.0 + 0.5);
    if (days <= 0.0) {
        snprintf(out, outlen, "%s", clock);
    } else if (days == 1.0) {
        snprintf(out, outlen, "%s tomorrow", clock);
    } else {
        char date[32];
        strftime(date, sizeof date, "%a %d %b", &at);
        snprintf(out, outlen, "%s on %s", clock, date);
    }
}

void remind_running_path(char *out, size_t outlen)
{
    char snooze[4096];
    remind_snooze_path(snooze, sizeof snooze);
    char *slash = strrchr(snooze, '/');
    if (slash)
        *slash = '\0';
    snprintf(out, outlen, "%s/remind.lock", snooze);
}

int remind_hold_running(const char *path)
{
    paths_make_parents(path, 0700);
    int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

int remind_is_running(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0;
    int free_now = flock(fd, LOCK_EX | LOCK_NB) == 0;
    close(fd); /* releases the lock if it was taken */
    return !free_now;
}
