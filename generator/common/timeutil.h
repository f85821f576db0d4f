/*
 * timeutil.h - RFC 3339 times, ISO-8601 weeks, and "now".
 *
 * Times are held as milliseconds since the Unix epoch, UTC (int64_t).
 */
#ifndef AID_TIMEUTIL_H
#define AID_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TIMEUTIL_DAY_MS  86400000LL
#define TIMEUTIL_WEEK_MS (7 * TIMEUTIL_DAY_MS)

/* Parse an RFC 3339 date-time ("2026-11-17T09:30:00Z",
 * "2026-11-17T10:30:00.250+01:00"; 't', 'z' and a space separator are
 * accepted too). The whole string must match. Returns false when it does
 * not or the fields are out of range. */
bool timeutil_parse_rfc3339(const char *s, size_t len, int64_t *ms);

/* Format as "YYYY-MM-DDTHH:MM:SSZ" (seconds precision); buf >= 21 bytes. */
void timeutil_format_rfc3339(int64_t ms, char *buf, size_t n);

/* Format the date part "YYYY-MM-DD"; buf >= 11 bytes. */
void timeutil_format_date(int64_t ms, char *buf, size_t n);

/* An ISO week: year and week number 1..53. */
typedef struct timeutil_week {
    int year;
    int week;
} timeutil_week;

/* Parse "YYYY-Www" (strictly: 4 digits, -W, 2 digits, week exists). */
bool timeutil_parse_week(const char *s, timeutil_week *w);
/* Format "YYYY-Www"; buf >= 9 bytes. */
void timeutil_format_week(timeutil_week w, char *buf, size_t n);
/* The week a time falls in (UTC). */
timeutil_week timeutil_week_of(int64_t ms);
/* Monday 00:00:00 UTC of the week. */
int64_t timeutil_week_start(timeutil_week w);
/* The week before / after. */
timeutil_week timeutil_week_add(timeutil_week w, int delta);
/* The last complete ISO week before `now_ms`. */
timeutil_week timeutil_last_complete_week(int64_t now_ms);

/* Now, in ms: SOURCE_DATE_EPOCH (seconds) when set and valid, else the
 * clock. */
int64_t timeutil_now_ms(void);
/* True when SOURCE_DATE_EPOCH is set and valid. */
bool timeutil_have_source_date(void);
/* False when SOURCE_DATE_EPOCH is set but is not a whole number of seconds
 * from 0 to 253402300799 (9999-12-31T23:59:59Z); the command line refuses
 * to run then rather than silently using the clock. */
bool timeutil_source_date_ok(void);

/* Days since 1970-01-01 for a civil date, and back (proleptic Gregorian). */
int64_t timeutil_days_from_civil(int y, int m, int d);
void timeutil_civil_from_days(int64_t days, int *y, int *m, int *d);
/* Days in a month (m 1..12) of the proleptic Gregorian calendar. */
int timeutil_days_in_month(int y, int m);

#endif
