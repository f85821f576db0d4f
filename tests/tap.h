/*
 * tap.h - a minimal TAP producer for the C unit tests (run by prove).
 *
 *   int main(void) {
 *       ok(1 + 1 == 2, "addition");
 *       is_int(f(), 3, "f gives 3");
 *       is_str(s, "x", "s is x");
 *       return tap_done();
 *   }
 */
#ifndef AID_TAP_H
#define AID_TAP_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#include <stdarg.h>
static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    tap_n++;
    printf("%s %d - ", cond ? "ok" : "not ok", tap_n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!cond) {
        tap_failed++;
        printf("#   Failed test at %s line %d\n", file, line);
    }
    fflush(stdout);
    return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...) do { \
    long long tap_g_ = (long long)(got), tap_w_ = (long long)(want); \
    if (!tap_ok(tap_g_ == tap_w_, __FILE__, __LINE__, __VA_ARGS__)) \
        printf("#          got: %lld\n#     expected: %lld\n", tap_g_, tap_w_); \
} while (0)

#define is_str(got, want, ...) do { \
    const char *tap_g_ = (got), *tap_w_ = (want); \
    int tap_c_ = (tap_g_ && tap_w_) ? strcmp(tap_g_, tap_w_) == 0 : tap_g_ == tap_w_; \
    if (!tap_ok(tap_c_, __FILE__, __LINE__, __VA_ARGS__)) \
        printf("#          got: '%s'\n#     expected: '%s'\n", tap_g_ ? tap_g_ : "(null)", \
               tap_w_ ? tap_w_ : "(null)"); \
} while (0)

#define is_double(got, want, eps, ...) do { \
    double tap_g_ = (got), tap_w_ = (want); \
    if (!tap_ok(fabs(tap_g_ - tap_w_) <= (eps), __FILE__, __LINE__, __VA_ARGS__)) \
        printf("#          got: %.12g\n#     expected: %.12g\n", tap_g_, tap_w_); \
} while (0)

static inline int tap_done(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
