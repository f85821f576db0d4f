/*
 * read.c - the reader (read/read.h): the one loop that turns lines into
 * events, blank lines or bad lines, for ingest's two passes and retrain.
 */
#include "read/read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct read_walker {
    read_opts o;
    read_sink sink;
    event_parser *p;
    size_t next;       /* into o.only: the first position not yet passed */
    read_counts counts;
};

bool read_is_blank(const char *s, size_t len)
{
    size_t i = 0;
    if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) /* a byte order mark is ignored */
        i = 3;
    for (; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

aid_err read_walker_new(read_walker **out, const read_opts *o, const read_sink *sink, aid_errbuf *eb)
{
    *out = NULL;
    read_walker *w = calloc(1, sizeof *w);
    if (!w)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    w->o = *o;
    if (!w->o.max_line)
        w->o.max_line = READ_DEFAULT_MAX_LINE;
    w->sink = *sink;
    aid_err err = event_parser_new(&w->p, w->o.max_line, eb);
    if (err) {
        free(w);
        return err;
    }
    *out = w;
    return AID_OK;
}

void read_walker_free(read_walker *w)
{
    if (!w)
        return;
    event_parser_free(w->p);
    free(w);
}

const read_counts *read_walker_counts(const read_walker *w)
{
    return &w->counts;
}

/* A valid event: the id index, then the sink. */
static aid_err walker_event(read_walker *w, const event *ev, uint64_t pos, aid_errbuf *eb)
{
    if (ev->type == EVENT_SUGGESTION && w->o.record_ids) {
        uint64_t loser;
        int dup = idindex_put(w->o.record_ids, ev->id.s, ev->id.len, pos, &loser);
        if (dup < 0)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        aid_err err;
        if (dup == 1 && w->sink.loser && (err = w->sink.loser(w->sink.ctx, loser, eb)))
            return err;
    }
    if (ev->type == EVENT_SUGGESTION && w->o.last_only) {
        uint64_t win;
        if (!idindex_get(w->o.last_only, ev->id.s, ev->id.len, &win) || win != pos)
            return AID_OK;
    }
    return w->sink.event(w->sink.ctx, ev, pos, eb);
}

static aid_err walker_line(read_walker *w, const logread_batch *b, const logread_line *ln, aid_errbuf *eb)
{
    const char *line = b->data + ln->off;
    char detail[256];
    event ev;
    event_bad r;
    w->counts.lines++;
    if (ln->full_len > w->o.max_line) {
        snprintf(detail, sizeof detail, "line of %zu bytes is longer than the limit of %zu bytes",
                 ln->full_len, w->o.max_line);
        r = EVENT_BAD_LINE_TOO_LONG;
    } else if (read_is_blank(line, ln->len)) {
        w->counts.blank_lines++;
        return AID_OK;
    } else if ((r = event_parse(w->p, line, ln->len, &ev, detail, sizeof detail)) == EVENT_OK) {
        w->counts.events++;
        return walker_event(w, &ev, IDINDEX_POS(b->file, ln->lineno), eb);
    } else if (r == EVENT_NOMEM) {
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    w->counts.bad_lines++;
    w->counts.bad_by_reason[r]++;
    if (!w->sink.bad)
        return AID_OK;
    read_bad_line bad = { b->file, ln->lineno, line, ln->len, ln->full_len, r, detail };
    return w->sink.bad(w->sink.ctx, &bad, eb);
}

/* Is the line at pos to be read? With o.only, when it is one of them,
 * the cursor moves past it (and its repeats). */
static bool walker_takes(read_walker *w, uint64_t pos)
{
    if (!w->o.only)
        return true;
    while (w->next < w->o.nonly && w->o.only[w->next] < pos)
        w->next++;
    if (w->next >= w->o.nonly || w->o.only[w->next] != pos)
        return false;
    while (w->next < w->o.nonly && w->o.only[w->next] == pos)
        w->next++;
    return true;
}

aid_err read_walker_batch(read_walker *w, const logread_batch *b, aid_errbuf *eb)
{
    aid_err err = AID_OK;
    for (size_t i = 0; i < b->nlines && !err; i++)
        if (walker_takes(w, IDINDEX_POS(b->file, b->lines[i].lineno)))
            err = walker_line(w, b, &b->lines[i], eb);
    return err;
}

/* With o.only: does file f hold a position still to be read? */
static bool walker_wants_file(read_walker *w, uint32_t f)
{
    if (!w->o.only)
        return true;
    while (w->next < w->o.nonly && IDINDEX_POS_FILE(w->o.only[w->next]) < f)
        w->next++;
    return w->next < w->o.nonly && IDINDEX_POS_FILE(w->o.only[w->next]) == f;
}

static void walker_file_error(read_walker *w, uint32_t f, const aid_errbuf *rb)
{
    w->counts.unreadable_files++;
    if (w->sink.file_error)
        w->sink.file_error(w->sink.ctx, f, rb->msg);
}

/* One file, batch by batch (with o.only, up to its last position). */
static aid_err walker_file(read_walker *w, const logread_files *files, uint32_t f, logread_batch *b,
                           aid_errbuf *eb)
{
    logread_file *r = NULL;
    aid_errbuf rb = { { 0 } };
    aid_err err = AID_OK;
    aid_err oerr = logread_open(&r, files, f, w->o.max_line, &rb);
    if (oerr == AID_ERR_NOMEM)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    if (oerr != AID_OK) {
        walker_file_error(w, f, &rb);
        return AID_OK;
    }
    for (;;) {
        aid_err rerr = logread_next(r, b, READ_BATCH_BYTES, &rb);
        if (rerr == AID_ERR_NOMEM) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
            break;
        }
        if ((err = read_walker_batch(w, b, eb)))
            break;
        if (rerr != AID_OK) {
            walker_file_error(w, f, &rb);
            break;
        }
        if (!b->nlines || !walker_wants_file(w, f))
            break;
    }
    logread_close(r);
    return err;
}

aid_err read_events(const logread_files *files, const read_opts *o, const read_sink *sink,
                    read_counts *counts, aid_errbuf *eb)
{
    read_walker *w = NULL;
    logread_batch b;
    logread_batch_init(&b);
    aid_err err = read_walker_new(&w, o, sink, eb);
    for (uint32_t f = 0; !err && w && f < files->n; f++)
        if (walker_wants_file(w, f))
            err = walker_file(w, files, f, &b, eb);
    if (counts) {
        if (w)
            *counts = w->counts;
        else
            memset(counts, 0, sizeof *counts);
    }
    logread_batch_release(&b);
    read_walker_free(w);
    return err;
}
