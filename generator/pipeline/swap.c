#include "pipeline/swap.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strbuf.h"

/* One file to move: stage path, target, backup (when the target existed). */
typedef struct move {
    char *from, *to, *backup;
    bool done;
} move;

typedef struct moves {
    move *m;
    size_t n, cap;
} moves;

static void moves_release(moves *ms)
{
    for (size_t i = 0; i < ms->n; i++) {
        free(ms->m[i].from);
        free(ms->m[i].to);
        free(ms->m[i].backup);
    }
    free(ms->m);
}

static int cmp_move(const void *a, const void *b)
{
    return strcmp(((const move *)a)->to, ((const move *)b)->to);
}

/* The files of STAGE/<sub> into ms, in name order. */
static aid_err list_dir(const char *stage, const char *out, const char *sub, moves *ms, aid_errbuf *eb)
{
    strbuf dir = STRBUF_INIT, sb = STRBUF_INIT;
    aid_err err = AID_OK;
    size_t first = ms->n;
    if (strbuf_addf(&dir, "%s/%s", stage, sub) < 0)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    DIR *d = opendir(dir.buf);
    if (!d) {
        strbuf_release(&dir);
        return errno == ENOENT ? AID_OK : aid_errbuf_set(eb, AID_ERR_IO, "%s: %s", stage, strerror(errno));
    }
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.')
            continue;
        if (ms->n == ms->cap) {
            size_t cap = ms->cap ? 2 * ms->cap : 16;
            move *nm = realloc(ms->m, cap * sizeof *nm);
            if (!nm)
                goto nomem;
            ms->m = nm;
            ms->cap = cap;
        }
        move *m = &ms->m[ms->n];
        memset(m, 0, sizeof *m);
        ms->n++;
        strbuf_reset(&sb);
        if (strbuf_addf(&sb, "%s/%s", dir.buf, de->d_name) < 0 || !(m->from = strdup(sb.buf)))
            goto nomem;
        strbuf_reset(&sb);
        if (strbuf_addf(&sb, "%s/%s/%s", out, sub, de->d_name) < 0 || !(m->to = strdup(sb.buf)))
            goto nomem;
        strbuf_reset(&sb);
        if (strbuf_addf(&sb, "%s/.old/%s/%s", stage, sub, de->d_name) < 0 || !(m->backup = strdup(sb.buf)))
            goto nomem;
    }
    if (ms->n > first)
        qsort(ms->m + first, ms->n - first, sizeof *ms->m, cmp_move);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    closedir(d);
    strbuf_release(&dir);
    strbuf_release(&sb);
    return err;
}

/* Undo the moves made, newest first (best effort: the first error wins). */
static void roll_back(moves *ms)
{
    for (size_t i = ms->n; i-- > 0;) {
        move *m = &ms->m[i];
        if (!m->done)
            continue;
        if (m->backup)
            (void)rename(m->backup, m->to);
        else
            (void)unlink(m->to);
    }
}

/* OUT/prompts and OUT/training made; each existing target linked into
 * STAGE/.old/ (NULL backup when there is none). */
static aid_err back_up(const char *stage, const char *out, moves *ms, aid_errbuf *eb)
{
    strbuf dir = STRBUF_INIT;
    aid_err err = AID_OK;
    const char *subs[] = { "prompts", "training" };
    for (size_t i = 0; i < 2 && !err; i++) {
        strbuf_reset(&dir);
        if (strbuf_addf(&dir, "%s/.old/%s", stage, subs[i]) < 0)
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        else
            err = fsutil_mkdirs(dir.buf, eb);
        strbuf_reset(&dir);
        if (!err && strbuf_addf(&dir, "%s/%s", out, subs[i]) < 0)
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        else if (!err)
            err = fsutil_mkdirs(dir.buf, eb);
    }
    for (size_t i = 0; i < ms->n && !err; i++) {
        move *m = &ms->m[i];
        if (link(m->to, m->backup) == 0)
            continue;
        if (errno == ENOENT) {
            free(m->backup);
            m->backup = NULL;
            continue;
        }
        err = aid_errbuf_set(eb, AID_ERR_IO, "%s: %s", m->to, strerror(errno));
    }
    strbuf_release(&dir);
    return err;
}

aid_err swap_in(const char *stage, const char *out, aid_errbuf *eb)
{
    moves ms = { 0 };
    aid_err err;
    size_t nprompts;
    if ((err = list_dir(stage, out, "prompts", &ms, eb)))
        goto cleanup;
    nprompts = ms.n;
    if ((err = list_dir(stage, out, "training", &ms, eb)) || (err = back_up(stage, out, &ms, eb)))
        goto cleanup;
    const char *fault = getenv("AIDIGEST_RETRAIN_FAULT");
    for (size_t i = 0; i < ms.n && !err; i++) {
        if (i == nprompts && fault && !strcmp(fault, "after-prompts")) {
            err = aid_errbuf_set(eb, AID_ERR_IO, "retrain: %s: fault injected after the prompts "
                                                 "(AIDIGEST_RETRAIN_FAULT)", out);
            break;
        }
        if (rename(ms.m[i].from, ms.m[i].to) < 0)
            err = aid_errbuf_set(eb, AID_ERR_IO, "%s: %s", ms.m[i].to, strerror(errno));
        else
            ms.m[i].done = true;
    }
    if (err)
        roll_back(&ms);
cleanup:
    moves_release(&ms);
    return err;
}
