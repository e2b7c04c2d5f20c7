/* history: the record of live sessions, and 'calfpace stats'.
 *
 * Every live session appends one line to a tab-separated file, by default
 * $XDG_STATE_HOME/calfpace/history.tsv (~/.local/state/calfpace/history.tsv).
 * The first line of a new file is a comment naming the fields:
 *
 *   # calfpace history v2: start routine planned_seconds played_seconds
 *     steps_done steps_total bpm_min bpm_max ended steps_skipped  (tab-separated)
 *
 * then one record a line, e.g.
 *
 *   2026-11-25T14:03:12+0100  calf-pump  663.5  663.5  10  12  60.0  160.0  done  2
 *
 * Files of v1 (no steps_skipped, 9 fields) are read as they are, their
 * records with 0 steps skipped; a v1 file keeps its header and takes v2
 * records after its v1 ones.
 * Seconds and bpm are written to a tenth, with a '.' whatever the locale.
 *
 * Promises: history_append writes a record with a single write() to a file
 * opened O_APPEND, under a brief flock, so concurrent sessions never
 * interleave; and it never lets a record cross a 4096-byte boundary of the
 * file (a comment line fills up to it), because Linux may cut a write short
 * at a page boundary when SIGKILL arrives mid-write.  So a crash, even
 * SIGKILL, leaves no half record on the usual local file systems.  A reader
 * still copes with broken lines from elsewhere (a full disk, a power cut, a
 * hand edit): history_load skips each with a warning and never fails because
 * of one.  A missing file is an empty history.
 * No global state; not for the audio thread (it does file I/O).
 */
#ifndef CALFPACE_HISTORY_H
#define CALFPACE_HISTORY_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#define HISTORY_ROUTINE_MAX 96  /* bytes with the NUL; the same as ROUTINE_NAME_MAX */
#define HISTORY_LINE_MAX 512    /* a longer line is broken; well under PIPE_BUF */
#define HISTORY_SECONDS_MAX 1e9 /* planned and played; more is not a record */
#define HISTORY_BPM_MAX 1e6 /* far past any tempo a session can reach with the tempo keys */
#define HISTORY_STATS_DAYS 14
/* A record counts as a session in the stats (days, streak, totals) when it
 * played at least this many steps to their end; skipped steps do not count. */
#define HISTORY_SESSION_MIN_STEPS 1
#define HISTORY_FILE_MAX (1024LL * 1024LL * 1024LL) /* a read refuses a bigger file */

enum history_end { HISTORY_DONE, HISTORY_QUIT, HISTORY_ERROR };

struct history_record {
    time_t start;
    char start_text[40]; /* as read from the file; history_append ignores it and formats start */
    char routine[HISTORY_ROUTINE_MAX]; /* tabs and other control characters become spaces */
    double planned;                    /* seconds the routine lasts */
    double played;                     /* seconds actually played */
    int steps_done, steps_total; /* 0 <= steps_done <= steps_total; done: played to its end,
                                    not skipped with the n key */
    int steps_skipped;           /* left early with n (or Next); done + skipped <= total */
    double tempo_min, tempo_max;       /* bpm actually played; both 0 if no paced beat played */
    enum history_end ended;
};

/* "done", "quit" or "error". */
const char *history_end_name(enum history_end e);

/* The history file: $XDG_STATE_HOME/calfpace/history.tsv if XDG_STATE_HOME is
 * an absolute path, else $HOME/.local/state/calfpace/history.tsv.  0, or -1
 * with a message when neither is set or the path does not fit. */
int history_path(char *out, size_t outlen, char *err, size_t errlen);

/* T as ISO 8601 local time with its UTC offset: "2026-11-25T14:03:12+0100".
 * 0, or -1 if T has no such form (a year outside 1000..9999). */
int history_format_time(time_t t, char *out, size_t outlen);

/* Append R to PATH as one line, creating the missing folders (mode 0700) and
 * the file (mode 0600, with the header line).  If the file does not end with
 * a newline (a broken line from elsewhere), the record starts on a new line
 * so it does not join the broken one.  Numbers are rounded to a tenth first.
 * Not fsync'ed: a power cut may lose the newest record, never older ones.
 * 0, or -1 with "PATH: what is wrong" when R is out of range or the file
 * cannot be written.  Exactly the records history_scan accepts can be
 * written (one check for both: the numbers to a tenth, the start as a local
 * date of years 1000 to 9999 in the TZ in effect). */
int history_append(const char *path, const struct history_record *r, char *err, size_t errlen);

/* Read PATH a line at a time and call EACH(CTX, R) for every record, in file
 * order; R lives only for the call.  The memory used does not grow with the
 * file.  A broken line is skipped and, if WARN is not NULL, reported as
 * WARN(WCTX, "PATH:LINE: skipped: what is wrong"), one call per line.  The
 * reader accepts exactly the records history_append writes: the same check,
 * on the numbers to a tenth and the start as a local date of years 1000 to
 * 9999 (the TZ in effect).  A missing file is empty: 0.  EACH returns 0 to
 * go on; anything else stops the scan and is returned.  -1 with a message
 * when the file exists but cannot be read (a folder, no permission). */
int history_scan(const char *path, int (*each)(void *ctx, const struct history_record *r),
                 void *ctx, void (*warn)(void *wctx, const char *msg), void *wctx, char *err,
                 size_t errlen);

/* history_scan into an array that holds every record (for tests and tools;
 * 'calfpace stats' scans): *OUT in file order, *N records; the caller frees
 * *OUT with history_free.  Broken lines go to WARN as with history_scan; the
 * caller decides how many to show.  A missing file gives 0 with *N = 0 and
 * *OUT = NULL.  -1 with a message only when the file exists but cannot be
 * read (a folder, no permission, out of memory). */
int history_load(const char *path, struct history_record **out, size_t *n,
                 void (*warn)(void *ctx, const char *msg), void *ctx, char *err, size_t errlen);

void history_free(struct history_record *recs);

/* One local calendar day of the stats. */
struct history_day {
    int year, month, day; /* month 1..12 */
    int weekday;          /* 0 Sunday .. 6 Saturday */
    int sessions;
    double minutes; /* played */
    long long skipped; /* steps skipped, in sessions and tries alike */
};

struct history_stats {
    struct history_day days[HISTORY_STATS_DAYS]; /* oldest first; the last is today */
    int streak;            /* consecutive days with a session, ending today or yesterday */
    int streak_ends_today; /* 1 if it ends today, 0 if yesterday (none yet today) */
    size_t sessions;       /* totals over every record that counts as a session */
    size_t tries;          /* records that do not: no step played to its end */
    long long steps_skipped; /* over every record, sessions and tries */
    double minutes;
    int days_active;
    int first_year, first_month, first_day; /* the earliest record's day; 0 with no record */
};

/* The stats gathered a record at a time, in memory that does not grow with
 * the history (a bit a day for the days active, 411 KB of address space of
 * which only the touched pages are resident).  Days are local days (the TZ
 * in effect; create calls tzset).  Records after today count only in the
 * totals; a record whose local day is outside years 1000 to 9999 (never one
 * the reader accepts) counts in the sessions and minutes but not as a day.
 * create gives NULL when out of memory or NOW has no local day. */
struct history_tally;
struct history_tally *history_tally_create(time_t now);
void history_tally_add(struct history_tally *t, const struct history_record *r);
void history_tally_result(const struct history_tally *t, struct history_stats *st);
void history_tally_destroy(struct history_tally *t);

/* The stats of RECS as of NOW, through a tally.  0, or -1 when out of
 * memory. */
int history_stats_compute(const struct history_record *recs, size_t n, time_t now,
                          struct history_stats *st);

/* 'calfpace stats': the last 14 days as a bar chart of minutes (one line a
 * day: date, weekday, bar, minutes, sessions, steps skipped if any), the
 * streak and the totals (and the steps skipped, if any); or with CSV, the
 * header "date,sessions,minutes,steps_skipped" and one line a day, oldest
 * first, and nothing else.  0, or -1 when out of memory or TO fails. */
int history_print_stats(FILE *to, const struct history_record *recs, size_t n, time_t now, int csv);

/* The same from stats already gathered (history_tally_result). */
int history_stats_print(FILE *to, const struct history_stats *st, int csv);

#endif
