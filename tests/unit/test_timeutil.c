/* test_timeutil.c - RFC 3339 parsing edge cases and ISO weeks; the calendar
 * names and dates of common/calendar.h. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "common/calendar.h"
#include "common/timeutil.h"

static int64_t ms_of(int y, int mo, int d, int h, int mi, int s)
{
    return ((timeutil_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000LL + s * 1000LL;
}

static int parses(const char *s, int64_t *ms)
{
    return timeutil_parse_rfc3339(s, strlen(s), ms);
}

static void week_is(int64_t ms, const char *want, const char *what)
{
    char buf[16];
    timeutil_format_week(timeutil_week_of(ms), buf, sizeof buf);
    is_str(buf, want, "week of %s", what);
}

int main(void)
{
    int64_t ms = 0;
    int64_t base = ms_of(2026, 11, 17, 9, 30, 0);
    ok(parses("2026-11-17T09:30:00Z", &ms) && ms == base, "plain Z");
    ok(parses("2026-11-17T10:30:00+01:00", &ms) && ms == base, "+01:00 offset");
    ok(parses("2026-11-17T04:00:00-05:30", &ms) && ms == base, "-05:30 offset");
    ok(parses("2026-11-17t09:30:00.250z", &ms) && ms == base + 250, "lower-case t/z, .250");
    ok(parses("2026-11-17 09:30:00Z", &ms) && ms == base, "space separator");
    ok(parses("2026-11-17T09:30:00.5Z", &ms) && ms == base + 500, ".5 is 500 ms");
    ok(parses("2026-11-17T09:30:00.123456Z", &ms) && ms == base + 123, "microseconds");
    ok(parses("2026-12-31T23:59:60Z", &ms) && ms == ms_of(2026, 12, 31, 23, 59, 59), "leap second :60 counts as :59");
    ok(parses("2024-02-29T00:00:00Z", &ms) && ms == ms_of(2024, 2, 29, 0, 0, 0), "29 February of a leap year");
    ok(parses("2026-11-23T01:18:00+05:30", &ms) && ms == ms_of(2026, 11, 22, 19, 48, 0), "+05:30 crosses the date");
    ok(parses("1970-01-01T00:00:00Z", &ms) && ms == 0, "the epoch");
    const char *bad[] = { "2025-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
                          "2026-00-10T00:00:00Z", "2026-11-17T24:00:00Z", "2026-11-17T09:60:00Z",
                          "2026-11-17T09:30:61Z", "2026-11-17T09:30:00", "2026-11-17T09:30Z",
                          "2026-11-17", "2026-11-17T09:30:00Zjunk", " 2026-11-17T09:30:00Z",
                          "2026-11-17T09:30:00+0100", "2026-11-17T09:30:00.Z", "26-11-17T09:30:00Z",
                          "2026-1-17T09:30:00Z", "", "2026-11-17T09:30:00+25:00" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ok(!parses(bad[i], &ms), "rejects \"%s\"", bad[i]);
    ok(!timeutil_parse_rfc3339("2026-11-17T09:30:00Z", 19, &ms), "length is respected (no offset within len)");

    char buf[32];
    timeutil_format_rfc3339(base + 999, buf, sizeof buf);
    is_str(buf, "2026-11-17T09:30:00Z", "format, seconds precision");
    timeutil_format_date(base, buf, sizeof buf);
    is_str(buf, "2026-11-17", "format date");

    timeutil_week w;
    ok(timeutil_parse_week("2020-W53", &w) && w.year == 2020 && w.week == 53, "2020-W53 exists");
    ok(!timeutil_parse_week("2021-W53", &w), "2021-W53 does not");
    ok(timeutil_parse_week("2026-W53", &w), "2026-W53 exists (2026 starts on a Thursday)");
    ok(!timeutil_parse_week("2025-W53", &w), "2025-W53 does not");
    ok(!timeutil_parse_week("2026-W00", &w) && !timeutil_parse_week("2026-W1", &w) &&
       !timeutil_parse_week("2026W47", &w) && !timeutil_parse_week("2026-W47x", &w) &&
       !timeutil_parse_week("2026-w47x", &w), "strict week syntax");
    ok(timeutil_parse_week("2026-W01", &w), "2026-W01 parses");
    is_int(timeutil_week_start(w), ms_of(2025, 12, 29, 0, 0, 0), "2026-W01 starts Monday 2025-12-29");
    ok(timeutil_parse_week("2026-W47", &w), "2026-W47 parses");
    is_int(timeutil_week_start(w), ms_of(2026, 11, 16, 0, 0, 0), "2026-W47 starts 2026-11-16");
    ok(timeutil_parse_week("2020-W53", &w), "2020-W53");
    is_int(timeutil_week_start(w), ms_of(2020, 12, 28, 0, 0, 0), "2020-W53 starts 2020-12-28");
    timeutil_format_week(timeutil_week_add(w, 1), buf, sizeof buf);
    is_str(buf, "2021-W01", "2020-W53 + 1");
    ok(timeutil_parse_week("2026-W01", &w), "2026-W01");
    timeutil_format_week(timeutil_week_add(w, -1), buf, sizeof buf);
    is_str(buf, "2025-W52", "2026-W01 - 1");
    week_is(ms_of(2021, 1, 3, 23, 59, 59), "2020-W53", "2021-01-03 (Sunday)");
    week_is(ms_of(2021, 1, 4, 0, 0, 0), "2021-W01", "2021-01-04 (Monday)");
    week_is(ms_of(2025, 12, 29, 0, 0, 0), "2026-W01", "2025-12-29");
    week_is(ms_of(2025, 12, 28, 23, 59, 59), "2025-W52", "2025-12-28");
    week_is(ms_of(2024, 12, 30, 12, 0, 0), "2025-W01", "2024-12-30");
    week_is(ms_of(2027, 1, 1, 0, 0, 0), "2026-W53", "2027-01-01 (2026 has 53 weeks)");
    week_is(ms_of(2026, 11, 22, 23, 59, 59) + 999, "2026-W47", "the last ms of W47");
    week_is(ms_of(2026, 11, 23, 0, 0, 0), "2026-W48", "Monday 2026-11-23");
    week_is(ms_of(1969, 12, 31, 12, 0, 0), "1970-W01", "before the epoch");
    timeutil_format_week(timeutil_last_complete_week(ms_of(2026, 11, 25, 12, 0, 0)), buf, sizeof buf);
    is_str(buf, "2026-W47", "last complete week on Wednesday 2026-11-25");
    int y, m, d;
    timeutil_civil_from_days(timeutil_days_from_civil(2000, 2, 29), &y, &m, &d);
    ok(y == 2000 && m == 2 && d == 29, "civil round trip 2000-02-29");
    is_int(timeutil_days_from_civil(1970, 1, 1), 0, "day 0");

    /* SOURCE_DATE_EPOCH: valid, unset, or refused (never silently the clock) */
    setenv("SOURCE_DATE_EPOCH", "1764547200", 1);
    ok(timeutil_source_date_ok() && timeutil_have_source_date(), "SOURCE_DATE_EPOCH=1764547200");
    ok(timeutil_now_ms() == 1764547200000LL, "now is it");
    setenv("SOURCE_DATE_EPOCH", "253402300799", 1);
    ok(timeutil_source_date_ok() && timeutil_now_ms() == 253402300799000LL, "9999-12-31T23:59:59Z is the last");
    const char *refused[] = { "abc", "-5", "1e9", " 1", "12x", "253402300800", "99999999999999999",
                          "9223372036854775807", "99999999999999999999999" };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        setenv("SOURCE_DATE_EPOCH", refused[i], 1);
        ok(!timeutil_source_date_ok() && !timeutil_have_source_date(), "SOURCE_DATE_EPOCH='%s' refused", refused[i]);
    }
    unsetenv("SOURCE_DATE_EPOCH");
    ok(timeutil_source_date_ok() && !timeutil_have_source_date(), "unset: ok, the clock");
    /* calendar.h */
    calendar_date cd;
    ok(calendar_parse_date("2026-11-16", CALENDAR_WHOLE | CALENDAR_REAL, &cd) && cd.year == 2026
       && cd.month == 11 && cd.day == 16 && cd.weekday == 0
       && !strcmp(calendar_weekday_abbr[cd.weekday], "Mon"), "2026-11-16 is a Monday");
    ok(calendar_parse_date("2026-11-22T10:00:00Z", 0, &cd) && cd.weekday == 6, "a prefix date: Sunday");
    ok(!calendar_parse_date("2026-11-22T10:00:00Z", CALENDAR_WHOLE, &cd), "WHOLE refuses a trailing time");
    ok(calendar_parse_date("2026-02-31", 0, &cd) && !calendar_parse_date("2026-02-31", CALENDAR_REAL, &cd),
       "31 Feb: a date by shape, not a real one");
    ok(calendar_parse_date("2028-02-29", CALENDAR_REAL, &cd), "29 Feb 2028 exists");
    const char *notdates[] = { "", "2026-1-16", "2026-13-01", "2026-00-10", "2026-11-00", "2026-11-32",
                               "+026-11-16", "2026/11/16", "2026-11-1" };
    for (size_t i = 0; i < sizeof notdates / sizeof notdates[0]; i++)
        ok(!calendar_parse_date(notdates[i], 0, &cd), "'%s' is not a date", notdates[i]);
    ok(!calendar_parse_date(NULL, 0, &cd), "NULL is not a date");
    cd = calendar_of_ms(ms_of(2026, 11, 23, 7, 8, 9) + 999);
    ok(cd.year == 2026 && cd.month == 11 && cd.day == 23 && cd.hour == 7 && cd.min == 8 && cd.sec == 9
       && cd.weekday == 0, "calendar_of_ms: Mon 23 Nov 2026 07:08:09");
    cd = calendar_of_ms(-1);
    ok(cd.year == 1969 && cd.month == 12 && cd.day == 31 && cd.hour == 23 && cd.sec == 59 && cd.weekday == 2,
       "calendar_of_ms(-1): Wed 31 Dec 1969 23:59:59");
    ok(!strcmp(calendar_month_abbr[10], "Nov") && !strcmp(calendar_month_name[8], "September"),
       "month names");
    return tap_done();
}
