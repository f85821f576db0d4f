#include "common/calendar.h"

#include <ctype.h>
#include <stddef.h>

#include "common/timeutil.h"

const char *const calendar_month_abbr[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
const char *const calendar_month_name[12] = { "January", "February", "March", "April",
                                              "May", "June", "July", "August",
                                              "September", "October", "November", "December" };
const char *const calendar_weekday_abbr[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

int calendar_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (3) */
    return (int)(((days % 7) + 7 + 3) % 7);
}

static int calendar_digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

bool calendar_parse_date(const char *s, unsigned flags, calendar_date *out)
{
    if (!s)
        return false;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;   /* also stops at the terminating NUL */
    }
    if ((flags & CALENDAR_WHOLE) && s[10])
        return false;
    calendar_date d = { 0 };
    d.year = calendar_digits(s, 4);
    d.month = calendar_digits(s + 5, 2);
    d.day = calendar_digits(s + 8, 2);
    if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31)
        return false;
    if ((flags & CALENDAR_REAL) && d.day > timeutil_days_in_month(d.year, d.month))
        return false;
    d.days = timeutil_days_from_civil(d.year, d.month, d.day);
    d.weekday = calendar_weekday(d.days);
    *out = d;
    return true;
}

calendar_date calendar_of_ms(int64_t ms)
{
    calendar_date d;
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    d.days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t sod = secs - d.days * 86400;
    timeutil_civil_from_days(d.days, &d.year, &d.month, &d.day);
    d.hour = (int)(sod / 3600);
    d.min = (int)(sod / 60 % 60);
    d.sec = (int)(sod % 60);
    d.weekday = calendar_weekday(d.days);
    return d;
}
