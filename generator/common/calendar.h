/*
 * calendar.h - the English names of months and weekdays, and the
 * "YYYY-MM-DD" dates of the report, as every document shows them (HTML,
 * SVG charts, PDF, XLSX, mail headers). Dates are proleptic Gregorian,
 * UTC; day numbers are days since 1970-01-01 (timeutil_days_from_civil).
 */
#ifndef AID_CALENDAR_H
#define AID_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

/* "Jan" .. "Dec" and "January" .. "December", index month - 1. */
extern const char *const calendar_month_abbr[12];
extern const char *const calendar_month_name[12];
/* "Mon" .. "Sun", index calendar_weekday(). */
extern const char *const calendar_weekday_abbr[7];

/* A date and a time of day. */
typedef struct calendar_date {
    int year, month, day;      /* month 1..12, day 1..31 */
    int hour, min, sec;        /* 0 for a parsed date */
    int weekday;               /* 0 = Monday .. 6 = Sunday */
    int64_t days;              /* days since 1970-01-01 */
} calendar_date;

/* What calendar_parse_date accepts. */
enum {
    CALENDAR_WHOLE = 1,        /* s is the date and nothing else (else a prefix: "2026-11-16T...") */
    CALENDAR_REAL = 2,         /* the day exists in its month (else any day 1..31) */
};

/* Parse "YYYY-MM-DD" (four digits, '-', two digits, '-', two digits; month
 * 1..12, day 1..31) at the start of s. flags: CALENDAR_* or'ed. False when
 * s is NULL or does not match; *out is set only on success. */
bool calendar_parse_date(const char *s, unsigned flags, calendar_date *out);

/* The date and time of day ms falls in (UTC, rounded down to the second). */
calendar_date calendar_of_ms(int64_t ms);

/* The weekday of a day number: 0 = Monday .. 6 = Sunday. */
int calendar_weekday(int64_t days);

#endif
