/* What 'calfpace remind' reads from its command line and from pactl:
 * durations and spans of the day taken or refused with the message that
 * says what to write; active hours with and across midnight; the next open
 * minute; and a call told from a monitor recording. */
#include "check.h"
#include "presence.h"
#include "remind.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static time_t local(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_isdst = -1;
    return mktime(&tm);
}

static void duration(const char *text, double want)
{
    double s = -1;
    char err[256] = "";
    int r = remind_parse_duration(text, &s, err, sizeof err);
    if (want < 0) {
        CHECK(r == -1, "\"%s\" refused (got %g)", text, s);
        char need[128];
        snprintf(need, sizeof need, "\"%s\" is not a duration (write 45m", text);
        CHECK(strncmp(err, need, strlen(need)) == 0, "message: %s", err);
    } else {
        CHECK(r == 0 && s == want, "\"%s\" is %g s (got %g, %s)", text, want, s, err);
    }
}

static void between(const char *text, int from, int to)
{
    int f = -1, t = -1;
    char err[256] = "";
    int r = remind_parse_between(text, &f, &t, err, sizeof err);
    if (from < 0) {
        CHECK(r == -1, "\"%s\" refused", text);
        CHECK(strstr(err, "is not a span of the day (write 08:00-18:00") != NULL, "message: %s",
              err);
    } else {
        CHECK(r == 0 && f == from && t == to, "\"%s\" is %d-%d (got %d-%d, %s)", text, from, to,
              f, t, err);
    }
}

static void test_durations(void)
{
    duration("45m", 2700);
    duration("2s", 2);
    duration("1h", 3600);
    duration("1h30m", 5400);
    duration("1.5h", 5400);
    duration("7d", -1);
    duration("", -1);
    duration("45", -1);
    duration("m", -1);
    duration("-5m", -1);
    duration("0.5s", -1);
    duration("169h", -1); /* past seven days */
    duration("168h", 7 * 86400);
    duration("1e400s", -1);
}

static void test_between(void)
{
    between("08:00-18:00", 480, 1080);
    between("22:00-06:00", 1320, 360);
    between("00:00-24:00", 0, 1440);
    between("9:5-17:45", 545, 1065);
    between("08:00", -1, -1);
    between("08:00-18", -1, -1);
    between("25:00-18:00", -1, -1);
    between("08:60-18:00", -1, -1);
    between("24:01-18:00", -1, -1);
    between("08:00x-18:00", -1, -1);
    between("0000000000000008:00-18:00", -1, -1);
}

static void test_hours(void)
{
    time_t noon = local(2026, 11, 26, 12, 0), night = local(2026, 11, 26, 23, 30);
    time_t early = local(2026, 11, 26, 5, 59), six = local(2026, 11, 26, 6, 0);
    CHECK(remind_in_hours(noon, 480, 1080), "noon inside 08-18");
    CHECK(!remind_in_hours(night, 480, 1080), "23:30 outside 08-18");
    CHECK(remind_in_hours(local(2026, 11, 26, 8, 0), 480, 1080), "08:00 is inside");
    CHECK(!remind_in_hours(local(2026, 11, 26, 18, 0), 480, 1080), "18:00 is not");
    CHECK(remind_in_hours(night, 1320, 360), "23:30 inside 22-06");
    CHECK(remind_in_hours(early, 1320, 360), "05:59 inside 22-06");
    CHECK(!remind_in_hours(six, 1320, 360), "06:00 outside 22-06");
    CHECK(!remind_in_hours(noon, 1320, 360), "noon outside 22-06");
    CHECK(remind_in_hours(noon, 600, 600), "equal: all day");

    CHECK(remind_next_open(noon, 480, 1080) == noon, "open now: now");
    CHECK(remind_next_open(night, 480, 1080) == local(2026, 11, 27, 8, 0),
          "after hours: 08:00 the next day");
    CHECK(remind_next_open(local(2026, 11, 26, 7, 59) + 30, 480, 1080) ==
              local(2026, 11, 26, 8, 0),
          "07:59:30: 08:00 the same day");
    CHECK(remind_next_open(noon, 1320, 360) == local(2026, 11, 26, 22, 0), "22:00 the same day");
}

static void test_on_call(void)
{
    const char *sources = "52\talsa_output.pci.analog-stereo.monitor\tPipeWire\ts32le 2ch "
                          "48000Hz\tSUSPENDED\n"
                          "53\talsa_input.pci.analog-stereo\tPipeWire\ts32le 2ch 48000Hz\tRUNNING\n";
    CHECK(presence_on_call_parse(sources, "") == 0, "no source-outputs: no call");
    CHECK(presence_on_call_parse(sources, "90\t52\t77\tfloat32le 2ch 48000Hz\n") == 0,
          "recording a monitor is not a call");
    CHECK(presence_on_call_parse(sources, "90\t52\t77\tf\n91\t53\t78\tf\n") == 1,
          "recording the microphone is a call");
    CHECK(presence_on_call_parse(sources, "91\t53\t78\tfloat32le 1ch 16000Hz") == 1,
          "without a final newline too");
    CHECK(presence_on_call_parse("", "91\t53\t78\tf\n") == 1, "no sources known: a call");
    CHECK(presence_on_call_parse(sources, "garbage line\n91\tx\n") == 0,
          "lines without a source number are none");
    CHECK(presence_on_call_parse(NULL, NULL) == 0, "nothing at all");
}

int main(void)
{
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    test_durations();
    test_between();
    test_hours();
    test_on_call();
    return CHECK_DONE("test_remind_parse");
}
