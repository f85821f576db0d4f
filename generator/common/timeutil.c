#include "common/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Howard Hinnant's civil-date algorithms. */
int64_t timeutil_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (unsigned)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (unsigned)d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void timeutil_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

int timeutil_days_in_month(int y, int m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool timeutil_parse_rfc3339(const char *s, size_t len, int64_t *ms)
{
    int Y, M, D, h, mi, sec;
    if (len < 20)
        return false;
    if (!digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) || s[7] != '-' ||
        !digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return false;
    if (M < 1 || M > 12 || D < 1 || D > timeutil_days_in_month(Y, M) || h > 23 || mi > 59 || sec > 60)
        return false;
    size_t i = 19;
    int frac_ms = 0;
    if (i < len && s[i] == '.') {
        i++;
        size_t start = i;
        int scale = 100;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            frac_ms += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (i == start)
            return false;
    }
    if (i >= len)
        return false;
    int off = 0;
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
        off = 0;
    } else if ((s[i] == '+' || s[i] == '-') && i + 6 == len) {
        int oh, om;
        if (!digits(s + i + 1, 2, &oh) || s[i + 3] != ':' || !digits(s + i + 4, 2, &om) ||
            oh > 23 || om > 59)
            return false;
        off = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
    } else {
        return false;
    }
    if (sec == 60)
        sec = 59; /* leap second: clamp into the same minute */
    int64_t days = timeutil_days_from_civil(Y, M, D);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - (int64_t)off * 60;
    *ms = secs * 1000 + frac_ms;
    return true;
}

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

void timeutil_format_rfc3339(int64_t ms, char *buf, size_t n)
{
    int64_t secs = floordiv(ms, 1000);
    int64_t days = floordiv(secs, 86400);
    int64_t rem = secs - days * 86400;
    int y, m, d;
    timeutil_civil_from_days(days, &y, &m, &d);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
}

void timeutil_format_date(int64_t ms, char *buf, size_t n)
{
    int y, m, d;
    timeutil_civil_from_days(floordiv(ms, TIMEUTIL_DAY_MS), &y, &m, &d);
    snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
}

/* Monday of ISO week 1 of year y, as days since the epoch. */
static int64_t week1_monday(int y)
{
    int64_t jan4 = timeutil_days_from_civil(y, 1, 4);
    int64_t wd = floordiv(jan4 + 3, 7) * 7; /* 1970-01-01 was a Thursday */
    int dow = (int)(jan4 + 3 - wd);         /* 0 = Monday */
    return jan4 - dow;
}

static int weeks_in_year(int y)
{
    return (int)((week1_monday(y + 1) - week1_monday(y)) / 7);
}

timeutil_week timeutil_week_of(int64_t ms)
{
    int64_t days = floordiv(ms, TIMEUTIL_DAY_MS);
    int y, m, d;
    timeutil_civil_from_days(days, &y, &m, &d);
    timeutil_week w;
    int64_t start = week1_monday(y + 1);
    if (days >= start) {
        w.year = y + 1;
    } else {
        start = week1_monday(y);
        if (days >= start) {
            w.year = y;
        } else {
            w.year = y - 1;
            start = week1_monday(y - 1);
        }
    }
    w.week = (int)((days - start) / 7) + 1;
    return w;
}

int64_t timeutil_week_start(timeutil_week w)
{
    return (week1_monday(w.year) + (int64_t)(w.week - 1) * 7) * TIMEUTIL_DAY_MS;
}

timeutil_week timeutil_week_add(timeutil_week w, int delta)
{
    return timeutil_week_of(timeutil_week_start(w) + delta * TIMEUTIL_WEEK_MS);
}

bool timeutil_parse_week(const char *s, timeutil_week *w)
{
    int y, n;
    if (strlen(s) != 8 || !digits(s, 4, &y) || s[4] != '-' || s[5] != 'W' || !digits(s + 6, 2, &n))
        return false;
    if (y < 1970 || n < 1 || n > weeks_in_year(y))
        return false;
    w->year = y;
    w->week = n;
    return true;
}

void timeutil_format_week(timeutil_week w, char *buf, size_t n)
{
    snprintf(buf, n, "%04d-W%02d", w.year, w.week);
}

timeutil_week timeutil_last_complete_week(int64_t now_ms)
{
    return timeutil_week_add(timeutil_week_of(now_ms), -1);
}

/* The latest SOURCE_DATE_EPOCH accepted: 9999-12-31T23:59:59Z. */
#define TIMEUTIL_MAX_EPOCH 253402300799LL

/* 1 set and valid, 0 unset, -1 set but not a whole number of seconds in
 * [0, TIMEUTIL_MAX_EPOCH]. */
static int source_date(int64_t *ms)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s)
        return 0;
    long long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
        if (v > TIMEUTIL_MAX_EPOCH)
            return -1;
    }
    *ms = (int64_t)v * 1000;
    return 1;
}

bool timeutil_source_date_ok(void)
{
    int64_t ms;
    return source_date(&ms) >= 0;
}

bool timeutil_have_source_date(void)
{
    int64_t ms;
    return source_date(&ms) > 0;
}

int64_t timeutil_now_ms(void)
{
    int64_t ms;
    if (source_date(&ms) > 0)
        return ms;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
