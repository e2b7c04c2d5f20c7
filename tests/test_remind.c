/* remind: a key press postpones, never brings forward; times of reminders
 * say "tomorrow" when they are; a running reminder can be told apart from
 * none. */
#include "check.h"
#include "remind.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static time_t local(int year, int mon, int day, int h, int m)
{
    struct tm tm = {.tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day, .tm_hour = h,
                    .tm_min = m, .tm_isdst = -1};
    return mktime(&tm);
}

int main(void)
{
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    /* After --snooze 1h30m, a key press: 15 minutes after what was due, not
     * 15 minutes from now (75 minutes earlier). */
    double now = 1000000.0, due = now + 90 * 60;
    double got = remind_postponed(due, now, 15 * 60);
    printf("postponed: due in 90 min, a key: due in %.0f min\n", (got - now) / 60);
    CHECK(got == due + 15 * 60, "postponed to %.0f, want %.0f", got, due + 15 * 60);
    CHECK(remind_postponed(now - 5, now, 900) == now + 900, "an overdue one: from now");
    for (int i = 0; i < 1000; i++) {
        double d = now + (i - 500) * 37.0;
        CHECK(remind_postponed(d, now, 900) > d, "earlier than due at %d", i);
    }

    char when[64];
    time_t base = local(2026, 11, 26, 22, 30);
    remind_format_when(local(2026, 11, 26, 23, 15), base, when, sizeof when);
    CHECK(strcmp(when, "23:15:00") == 0, "today: %s", when);
    remind_format_when(local(2026, 11, 27, 1, 0), base, when, sizeof when);
    printf("01:00 seen at 22:30 the day before: %s\n", when);
    CHECK(strcmp(when, "01:00:00 tomorrow") == 0, "tomorrow: %s", when);
    remind_format_when(local(2026, 11, 29, 8, 0), base, when, sizeof when);
    CHECK(strncmp(when, "08:00:00 on ", 12) == 0, "later: %s", when);
    /* Across the change to summer time, tomorrow is still tomorrow. */
    remind_format_when(local(2027, 3, 28, 8, 0), local(2027, 3, 27, 23, 0), when, sizeof when);
    CHECK(strcmp(when, "08:00:00 tomorrow") == 0, "across DST: %s", when);

    char dir[] = "/tmp/calfpace-remind-XXXXXX", path[256];
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(path, sizeof path, "%s/remind.lock", dir);
    CHECK(!remind_is_running(path), "no lock file: none running");
    int fd = remind_hold_running(path);
    CHECK(fd >= 0, "a reminder holds the lock");
    CHECK(remind_is_running(path), "one running is seen");
    int fd2 = remind_hold_running(path);
    CHECK(fd2 >= 0, "a second reminder holds it too");
    close(fd);
    CHECK(remind_is_running(path), "still one running");
    close(fd2);
    CHECK(!remind_is_running(path), "none after both stopped");
    unlink(path);
    rmdir(dir);
    return CHECK_DONE("test_remind");
}
