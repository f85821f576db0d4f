#include "common/progress.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/numfmt.h"

struct progress {
    FILE *fp;
    char stage[32];
    uint64_t total;
    int64_t start_ms;
    _Atomic uint64_t bytes, lines;
    _Atomic int64_t next_draw_ms;
    atomic_flag drawing;   /* one drawer at a time */
    _Atomic bool shown;    /* a line is on the terminal */
    _Atomic bool counted;  /* the stage's counts have been drawn once */
};

static int64_t progress_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

aid_err progress_new(progress **out, FILE *fp, aid_errbuf *eb)
{
    *out = NULL;
    progress *p = calloc(1, sizeof *p);
    if (!p)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    p->fp = fp;
    atomic_flag_clear(&p->drawing);
    *out = p;
    return AID_OK;
}

void progress_free(progress *p)
{
    if (!p)
        return;
    progress_clear(p);
    free(p);
}

void progress_format(char *buf, size_t n, const char *stage, uint64_t done, uint64_t total, uint64_t lines,
                     int64_t elapsed_ms)
{
    char lbuf[32];
    size_t k = (size_t)snprintf(buf, n, "%s", stage);
    if (k >= n)
        return;
    if (!total && !done && !lines) {
        snprintf(buf + k, n - k, "...");
        return;
    }
    double mb = (double)done / 1e6;
    if (total)
        k += (size_t)snprintf(buf + k, n - k, ": %.1f of %.1f MB", mb, (double)total / 1e6);
    else
        k += (size_t)snprintf(buf + k, n - k, ": %.1f MB", mb);
    if (k < n)
        k += (size_t)snprintf(buf + k, n - k, ", %s lines", numfmt_group(lbuf, sizeof lbuf, (int64_t)lines));
    if (k >= n || elapsed_ms < 200)
        return;
    double rate = (double)done / ((double)elapsed_ms / 1000.0); /* bytes per second */
    k += (size_t)snprintf(buf + k, n - k, ", %.1f MB/s", rate / 1e6);
    if (k < n && total && rate > 0 && done < total) {
        double eta = (double)(total - done) / rate;
        snprintf(buf + k, n - k, ", ETA %.0f s", eta < 1 ? 1 : eta);
    }
}

static void progress_draw(progress *p, int64_t now)
{
    char line[160];
    progress_format(line, sizeof line, p->stage, atomic_load(&p->bytes), p->total, atomic_load(&p->lines),
                    now - p->start_ms);
    /* the cursor is left at the start of the line: a message some module
     * prints meanwhile (without clearing first) starts there, over the
     * progress text, rather than after it */
    fprintf(p->fp, "\r\033[K%s\r", line);
    fflush(p->fp);
    atomic_store(&p->shown, true);
    atomic_store(&p->next_draw_ms, now + PROGRESS_REDRAW_MS);
}

void progress_stage(progress *p, const char *name, uint64_t total_bytes)
{
    if (!p)
        return;
    snprintf(p->stage, sizeof p->stage, "%s", name);
    p->total = total_bytes;
    atomic_store(&p->bytes, 0);
    atomic_store(&p->lines, 0);
    atomic_store(&p->counted, false);
    p->start_ms = progress_now_ms();
    while (atomic_flag_test_and_set(&p->drawing))
        ;
    progress_draw(p, p->start_ms);
    atomic_flag_clear(&p->drawing);
}

void progress_add(progress *p, uint64_t bytes, uint64_t lines)
{
    if (!p)
        return;
    atomic_fetch_add(&p->bytes, bytes);
    atomic_fetch_add(&p->lines, lines);
    int64_t now = progress_now_ms();
    /* the first counts of a stage are drawn at once, then at most every
     * PROGRESS_REDRAW_MS */
    if ((atomic_load(&p->counted) && now < atomic_load(&p->next_draw_ms)) || atomic_flag_test_and_set(&p->drawing))
        return;
    atomic_store(&p->counted, true);
    progress_draw(p, now);
    atomic_flag_clear(&p->drawing);
}

void progress_clear(progress *p)
{
    if (!p || !atomic_load(&p->shown))
        return;
    while (atomic_flag_test_and_set(&p->drawing))
        ;
    fputs("\r\033[K", p->fp);
    fflush(p->fp);
    atomic_store(&p->shown, false);
    /* the next add draws again at once */
    atomic_store(&p->next_draw_ms, 0);
    atomic_flag_clear(&p->drawing);
}
