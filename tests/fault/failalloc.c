/*
 * failalloc.c - fail the Nth allocation of a run (make test-faults).
 *
 * Linked into build/fault/aidigest only, next to AddressSanitizer. The
 * functions below are defined in the executable, so the dynamic linker
 * binds every malloc/calloc/realloc/strdup/... of the program and of the
 * shared libraries it uses (json-c, libcurl, libgit2, zlib, libharu,
 * libxlsxwriter, glibc's own internal calls) to them first; they count the
 * call and hand it on to ASan's allocator (__interceptor_*), which keeps
 * leak checking and use-after-free detection working.
 *
 *   AIDIGEST_FAIL_ALLOC=N    the Nth allocation (1-based) returns NULL,
 *                            every other one succeeds
 *   AIDIGEST_FAIL_ALLOC=N+   the Nth and every later allocation fail
 *   AIDIGEST_FAIL_ALLOC=0    count only
 *   AIDIGEST_ALLOC_COUNT=F   at exit, write the number of allocations to F
 *   AIDIGEST_FAIL_TRACE=1    print ASan's stack of the allocation that fails
 *   AIDIGEST_FAIL_OURS=1     count (and fail) only the allocations called
 *                            directly from aidigest's own code, not those
 *                            made inside a shared library (json-c, glibc's
 *                            fopen, ...)
 *
 * Counting starts when this file's constructor runs (after the shared
 * libraries' constructors), so the dynamic loader's and the libraries' own
 * start-up allocations are never failed.
 */

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__interceptor_malloc(size_t);
void *__interceptor_calloc(size_t, size_t);
void *__interceptor_realloc(void *, size_t);
void *__interceptor_reallocarray(void *, size_t, size_t);
char *__interceptor_strdup(const char *);
char *__interceptor_strndup(const char *, size_t);
int __interceptor_posix_memalign(void **, size_t, size_t);
void *__interceptor_aligned_alloc(size_t, size_t);
void *__interceptor_memalign(size_t, size_t);
void *__interceptor_valloc(size_t);

static atomic_int fa_on;
static atomic_ulong fa_count;
static unsigned long fa_target;
static int fa_sticky;
static const char *fa_report;
static int fa_ours;
static int fa_trace;
void __sanitizer_print_stack_trace(void);
extern char __executable_start[], etext[];

static void fa_write_count(void)
{
    if (!fa_report)
        return;
    atomic_store(&fa_on, 0);
    FILE *f = fopen(fa_report, "w");
    if (f) {
        fprintf(f, "%lu\n", atomic_load(&fa_count));
        fclose(f);
    }
}

__attribute__((constructor)) static void fa_init(void)
{
    const char *n = getenv("AIDIGEST_FAIL_ALLOC");
    if (!n)
        return;
    char *end;
    fa_target = strtoul(n, &end, 10);
    fa_sticky = *end == '+';
    fa_report = getenv("AIDIGEST_ALLOC_COUNT");
    fa_trace = getenv("AIDIGEST_FAIL_TRACE") && *getenv("AIDIGEST_FAIL_TRACE") == '1';
    fa_ours = getenv("AIDIGEST_FAIL_OURS") && *getenv("AIDIGEST_FAIL_OURS") == '1';
    if (fa_report)
        atexit(fa_write_count);
    atomic_store(&fa_on, 1);
}

/* 1 when this call is the one (or one of those) to fail; `from` is the
 * caller's address. */
static int fa_fail_from(const void *from)
{
    if (!atomic_load_explicit(&fa_on, memory_order_relaxed))
        return 0;
    if (fa_ours && ((const char *)from < __executable_start || (const char *)from >= etext))
        return 0;
    unsigned long n = atomic_fetch_add(&fa_count, 1) + 1;
    if (!fa_target)
        return 0;
    if (n == fa_target || (fa_sticky && n > fa_target)) {
        if (fa_trace) {
            atomic_store(&fa_on, 0); /* the trace allocates too */
            fprintf(stderr, "failalloc: allocation %lu fails here:\n", n);
            __sanitizer_print_stack_trace();
            atomic_store(&fa_on, 1);
        }
        errno = ENOMEM;
        return 1;
    }
    return 0;
}
#define fa_fail() fa_fail_from(__builtin_return_address(0))

void *malloc(size_t n) { return fa_fail() ? NULL : __interceptor_malloc(n); }
void *calloc(size_t a, size_t b) { return fa_fail() ? NULL : __interceptor_calloc(a, b); }
void *realloc(void *p, size_t n) { return fa_fail() ? NULL : __interceptor_realloc(p, n); }
void *reallocarray(void *p, size_t a, size_t b)
{
    return fa_fail() ? NULL : __interceptor_reallocarray(p, a, b);
}
char *strdup(const char *s) { return fa_fail() ? NULL : __interceptor_strdup(s); }
char *strndup(const char *s, size_t n) { return fa_fail() ? NULL : __interceptor_strndup(s, n); }
int posix_memalign(void **p, size_t a, size_t n)
{
    return fa_fail() ? ENOMEM : __interceptor_posix_memalign(p, a, n);
}
void *aligned_alloc(size_t a, size_t n) { return fa_fail() ? NULL : __interceptor_aligned_alloc(a, n); }
void *memalign(size_t a, size_t n) { return fa_fail() ? NULL : __interceptor_memalign(a, n); }
void *valloc(size_t n) { return fa_fail() ? NULL : __interceptor_valloc(n); }
