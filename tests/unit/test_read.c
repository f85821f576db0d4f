/* The reader (read/read.h): blank lines, byte order marks, bad lines,
 * last occurrence wins, reading only some positions, unreadable files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "read/read.h"
#include "tap.h"

static char dir[] = "/tmp/aidigest-read.XXXXXX";

static char *put(const char *name, const char *data)
{
    static char path[4][256];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    fputs(data, f);
    fclose(f);
    return p;
}

#define SUG(id, reply) "{\"type\":\"suggestion\",\"id\":\"" id "\",\"ts\":\"2026-11-17T09:30:00Z\",\"ai_reply\":\"" reply "\",\"action\":\"accepted\"}"
#define COR(id) "{\"type\":\"correction\",\"suggestion_id\":\"" id "\",\"ts\":\"2026-11-17T10:00:00Z\",\"corrected_reply\":\"x\"}"

/* What the sink saw. */
typedef struct seen {
    char log[4096];   /* "<file>:<line>:<type>:<id or reply>;" per event */
    char bad[1024];   /* "<file>:<line>:<reason>;" per bad line */
    int losers, file_errors;
    uint64_t loser[8];
    int stop_after;   /* > 0: the n-th event fails with AID_ERR_IO */
    int events;
} seen;

static aid_err on_event(void *ctx, const event *ev, uint64_t pos, aid_errbuf *eb)
{
    seen *s = ctx;
    size_t n = strlen(s->log);
    const event_str *what = ev->type == EVENT_SUGGESTION ? &ev->ai_reply : &ev->suggestion_id;
    snprintf(s->log + n, sizeof s->log - n, "%u:%llu:%d:%.*s;", IDINDEX_POS_FILE(pos),
             (unsigned long long)IDINDEX_POS_LINE(pos), (int)ev->type, (int)what->len, what->s);
    if (++s->events == s->stop_after)
        return aid_errbuf_set(eb, AID_ERR_IO, "stop here");
    return AID_OK;
}

static aid_err on_bad(void *ctx, const read_bad_line *b, aid_errbuf *eb)
{
    seen *s = ctx;
    size_t n = strlen(s->bad);
    snprintf(s->bad + n, sizeof s->bad - n, "%u:%llu:%s;", b->file, (unsigned long long)b->lineno,
             event_bad_name(b->reason));
    return AID_OK;
}

static aid_err on_loser(void *ctx, uint64_t pos, aid_errbuf *eb)
{
    seen *s = ctx;
    if (s->losers < 8)
        s->loser[s->losers] = pos;
    s->losers++;
    return AID_OK;
}

static void on_file_error(void *ctx, uint32_t file, const char *msg)
{
    ((seen *)ctx)->file_errors++;
}

static const read_sink SINK = { on_event, on_bad, on_loser, on_file_error, NULL };

static aid_err run(const logread_files *f, const read_opts *o, seen *s, read_counts *n)
{
    read_sink sink = SINK;
    sink.ctx = s;
    return read_events(f, o, &sink, n, NULL);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    /* file 0: blank lines (with and without a BOM), a BOM before an event,
     * a bad line, s1 twice; file 1: s1 a third time, a correction */
    const char *p0 = put("a.jsonl", "\n"
                                    "   \t\r\n"
                                    "\xef\xbb\xbf\n"
                                    "\xef\xbb\xbf" SUG("s1", "first") "\n"
                                    "{not json\n"
                                    SUG("s2", "two") "\n"
                                    SUG("s1", "second") "\n"
                                    "{\"type\":\"suggestion\"}\n");
    const char *p1 = put("b.jsonl", SUG("s1", "third") "\n" COR("s2") "\n");
    const char *paths[] = { p0, p1 };
    logread_files f;
    ok(logread_files_expand(&f, paths, 2, NULL) == AID_OK && f.n == 2, "two files");

    /* every line, recording the ids */
    idindex *ids = NULL;
    ok(idindex_new(&ids, NULL) == AID_OK, "an id index");
    seen s = { 0 };
    read_counts n;
    read_opts first = { .record_ids = ids };
    is_int(run(&f, &first, &s, &n), AID_OK, "first read");
    is_int(n.lines, 10, "ten lines");
    is_int(n.blank_lines, 3, "three blank lines: empty, white space, a lone byte order mark");
    is_int(n.events, 5, "five events (a byte order mark before one is ignored)");
    is_int(n.bad_lines, 2, "two bad lines");
    is_int(n.bad_by_reason[EVENT_BAD_INVALID_JSON], 1, "one not JSON");
    is_int(n.bad_by_reason[EVENT_BAD_MISSING_FIELD], 1, "one missing a field");
    is_int(n.unreadable_files, 0, "no unreadable file");
    is_str(s.log, "0:4:0:first;0:6:0:two;0:7:0:second;1:1:0:third;1:2:1:s2;", "the events, in order, with positions");
    is_str(s.bad, "0:5:invalid_json;0:8:missing_field;", "the bad lines, with their reasons");
    is_int(s.losers, 2, "s1 repeated twice: two losers");
    ok(s.loser[0] == IDINDEX_POS(0, 4) && s.loser[1] == IDINDEX_POS(0, 7), "the earlier occurrences lose");

    /* last occurrence wins: only s1's last one is passed on */
    memset(&s, 0, sizeof s);
    read_opts second = { .last_only = ids };
    is_int(run(&f, &second, &s, NULL), AID_OK, "second read");
    is_str(s.log, "0:6:0:two;1:1:0:third;1:2:1:s2;", "last occurrence wins: one s1, the last");
    is_int(s.losers, 0, "no losers without record_ids");

    /* only some positions (repeats allowed), nothing else parsed */
    uint64_t only[] = { IDINDEX_POS(0, 5), IDINDEX_POS(0, 6), IDINDEX_POS(0, 6), IDINDEX_POS(1, 2),
                        IDINDEX_POS(1, 99) };
    memset(&s, 0, sizeof s);
    read_opts some = { .only = only, .nonly = 5 };
    is_int(run(&f, &some, &s, &n), AID_OK, "read some positions");
    is_str(s.log, "0:6:0:two;1:2:1:s2;", "just those events, once each");
    is_str(s.bad, "0:5:invalid_json;", "a bad line among them is still bad");
    is_int(n.lines, 3, "three lines looked at");

    /* a line longer than the limit is bad whatever it holds, even blanks */
    char *longl = malloc(3000);
    memset(longl, ' ', 2998);
    longl[2998] = '\n';
    longl[2999] = '\0';
    const char *p2 = put("c.jsonl", longl);
    free(longl);
    logread_files f2;
    const char *paths2[] = { p2, dir };
    ok(logread_files_expand(&f2, paths2, 2, NULL) == AID_OK && f2.n == 4, "a file and a directory");
    memset(&s, 0, sizeof s);
    read_opts small = { .max_line = 2000 };
    is_int(run(&f2, &small, &s, &n), AID_OK, "read with a small limit");
    is_int(n.bad_by_reason[EVENT_BAD_LINE_TOO_LONG], 2, "the long line (given, and again in the directory) is too long, not blank");

    /* a file gone: counted, reported, the others read */
    unlink(p1);
    memset(&s, 0, sizeof s);
    is_int(run(&f, &(read_opts){ 0 }, &s, &n), AID_OK, "a file missing is no error");
    is_int(n.unreadable_files, 1, "one unreadable file");
    is_int(s.file_errors, 1, "given to file_error");
    is_int(n.events, 3, "file 0 still read");

    /* a callback's error stops the reader and is its result */
    memset(&s, 0, sizeof s);
    s.stop_after = 2;
    aid_errbuf eb = { { 0 } };
    read_sink sink = SINK;
    sink.ctx = &s;
    is_int(read_events(&f, &(read_opts){ 0 }, &sink, &n, &eb), AID_ERR_IO, "the sink's error");
    is_str(eb.msg, "stop here", "with its message");
    is_int(n.events, 2, "no event after it");

    /* the batch walker, as ingest's workers use it */
    read_walker *w = NULL;
    ok(read_walker_new(&w, &(read_opts){ 0 }, &sink, NULL) == AID_OK, "a walker");
    logread_batch b;
    logread_batch_init(&b);
    logread_file *r = NULL;
    memset(&s, 0, sizeof s);
    ok(logread_open(&r, &f, 0, READ_DEFAULT_MAX_LINE, NULL) == AID_OK &&
           logread_next(r, &b, READ_BATCH_BYTES, NULL) == AID_OK && read_walker_batch(w, &b, NULL) == AID_OK,
       "a batch walked");
    is_int(read_walker_counts(w)->blank_lines, 3, "the walker counts blank lines");
    is_int(read_walker_counts(w)->bad_lines, 2, "and bad lines");
    logread_close(r);
    logread_batch_release(&b);
    read_walker_free(w);
    read_walker_free(NULL);

    ok(read_is_blank("\xef\xbb\xbf \t\r", 6) && !read_is_blank("\xef\xbb", 2) && read_is_blank("", 0),
       "read_is_blank");

    idindex_free(ids);
    logread_files_release(&f);
    logread_files_release(&f2);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return tap_done();
}
