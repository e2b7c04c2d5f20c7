/* remind: when the next reminder to move is due.  Pure time arithmetic,
 * apart from the snooze file that another calfpace process writes.
 *
 * A reminder fires every interval, only inside the active hours (which may
 * wrap past midnight, 22:00-06:00), and never before a snooze ends.  Times
 * of day are local.
 */
#ifndef CALFPACE_REMIND_H
#define CALFPACE_REMIND_H

#include <stddef.h>
#include <time.h>

#define REMIND_SNOOZE_MAX (7 * 86400) /* seconds: the longest snooze and --every */

/* "45m", "2s", "1h30m", "1.5h" -> seconds; 0, or -1 with a message. */
int remind_parse_duration(const char *text, double *seconds, char *err, size_t errlen);

/* "08:00-18:00" -> minutes after midnight; 0, or -1 with a message. */
int remind_parse_between(const char *text, int *from, int *to, char *err, size_t errlen);

/* Is T inside the active hours [from, to)?  from == to means all day. */
int remind_in_hours(time_t t, int from, int to);

/* The first time at or after T inside the active hours. */
time_t remind_next_open(time_t t, int from, int to);

/* The snooze file: $XDG_RUNTIME_DIR/calfpace/snooze (or the state folder). */
void remind_snooze_path(char *out, size_t outlen);

/* Writes "until" (seconds since the epoch) atomically, in a folder that
 * must be the user's own and closed to others; 0 or -1 with a message. */
int remind_snooze_write(const char *path, time_t until, char *err, size_t errlen);

/* The snooze end in the file, or 0 when there is none, the file is not a
 * small regular file holding one number, or the end lies more than
 * REMIND_SNOOZE_MAX after NOW. */
time_t remind_snooze_read(const char *path, time_t now);

/* Where a key press meant to postpone puts the reminder due at DUE, at NOW:
 * BY seconds after what was due (or after now, if that has passed), never
 * earlier than what was due. */
double remind_postponed(double due, double now, double by);

/* "13:05:00", "01:00:00 tomorrow" or "09:00:00 on Mon 30 Nov", for T seen at
 * NOW (local time). */
void remind_format_when(time_t t, time_t now, char *out, size_t outlen);

/* A running reminder holds a shared lock on PATH (beside the snooze file);
 * remind_hold_running returns its descriptor (or -1), and
 * remind_is_running says whether any process holds one. */
void remind_running_path(char *out, size_t outlen);
int remind_hold_running(const char *path);
int remind_is_running(const char *path);

#endif
