/*
 * read/read.h - the read stage's public header: what later stages may use
 * of it. The stage turns log files (plain or gzip, files or directories)
 * into validated events folded into mergeable aggregates, with bad lines
 * quarantined.
 *
 * Public: the reader below (every event of a set of files, in order),
 * ingest (both passes, on all cores), the event type, the aggregates it
 * fills (with their topics' samples of reply groups, answers, and their
 * conversations and outcomes, convlog), the id index and the file list.
 * Nothing outside read/ includes another read/ header (make check-layers).
 *
 * The reader is the one place where a line becomes an event or a bad
 * line:
 *   - a line longer than max_line is bad (line_too_long), whatever it holds;
 *   - a line of nothing but spaces, tabs and '\r', after an optional UTF-8
 *     byte order mark, is blank: counted, never an event, never bad;
 *   - any other line is parsed and validated (event_parse): an event, or a
 *     bad line with its reason.
 * "Last occurrence wins" for suggestion ids: with read_opts.record_ids the
 * reader records where each suggestion id occurs (a repeat passes the
 * earlier, losing position to sink->loser); with read_opts.last_only it
 * passes on a suggestion only at its id's last occurrence (an index a
 * first read recorded).
 *
 *   read_sink s = { .event = on_event, .ctx = &mine };
 *   read_counts n;
 *   aid_err err = read_events(&files, &(read_opts){ 0 }, &s, &n, eb);
 */
#ifndef AID_READ_H
#define AID_READ_H

#include "read/agg.h"
#include "read/answers.h"
#include "read/convlog.h"
#include "read/event.h"
#include "read/idindex.h"
#include "read/ingest.h"
#include "read/logread.h"

#define READ_DEFAULT_MAX_LINE (1024 * 1024)
#define READ_BATCH_BYTES (1024 * 1024)

/* What the reader saw. */
typedef struct read_counts {
    int64_t lines;            /* lines looked at (blank and bad ones included) */
    int64_t blank_lines;
    int64_t events;           /* valid events (suggestions skipped by last_only included) */
    int64_t bad_lines, bad_by_reason[EVENT_BAD__COUNT];
    int64_t unreadable_files; /* files that could not be opened or read to the end */
} read_counts;

/* A bad line, as sink->bad gets it (borrowed for the call). */
typedef struct read_bad_line {
    uint32_t file;            /* index into the files */
    uint64_t lineno;          /* 1-based */
    const char *text;         /* the bytes kept (at most LOGREAD_KEEP_PREFIX of a cut line) */
    size_t len, full_len;     /* kept, and the line's real length */
    event_bad reason;
    const char *detail;       /* one human-readable line */
} read_bad_line;

/* Where the reader's findings go. Only event is required. A callback
 * returns AID_OK, or an error (with eb filled) that stops the reader and
 * is its result. */
typedef struct read_sink {
    aid_err (*event)(void *ctx, const event *ev, uint64_t pos, aid_errbuf *eb);
    aid_err (*bad)(void *ctx, const read_bad_line *bad, aid_errbuf *eb);
    aid_err (*loser)(void *ctx, uint64_t pos, aid_errbuf *eb);        /* with record_ids */
    void (*file_error)(void *ctx, uint32_t file, const char *msg);   /* msg names the file */
    void *ctx;
} read_sink;

typedef struct read_opts {
    size_t max_line;          /* 0 = READ_DEFAULT_MAX_LINE */
    const uint64_t *only;     /* read just these positions (IDINDEX_POS, sorted ascending,
                                 repeats allowed), nothing else; NULL = every line */
    size_t nonly;
    idindex *record_ids;      /* NULL, or where every suggestion's position is recorded */
    const idindex *last_only; /* NULL, or: suggestions not at their id's last occurrence
                                 there are not passed on */
} read_opts;

/* Read every line of every file, in order, and pass each valid event to
 * sink->event with its position (IDINDEX_POS(file index, line number)).
 * A file that cannot be opened, or stops being readable, is counted and
 * given to sink->file_error (when set); the reader goes on with the next
 * (running out of memory is an error, not an unreadable file).
 * counts (may be NULL) is filled even when an error stops the reader.
 * AID_ERR_NOMEM, or the first error a callback returned. */
AID_MUST_CHECK aid_err read_events(const logread_files *files, const read_opts *o,
                                   const read_sink *sink, read_counts *counts, aid_errbuf *eb);

/* The same, one batch at a time, for callers that read the files
 * themselves (ingest's worker threads): a walker keeps the parser, the
 * options and the counts. */
typedef struct read_walker read_walker;
AID_MUST_CHECK aid_err read_walker_new(read_walker **out, const read_opts *o, const read_sink *sink,
                                       aid_errbuf *eb);
/* Every line of b (or those of o->only). */
AID_MUST_CHECK aid_err read_walker_batch(read_walker *w, const logread_batch *b, aid_errbuf *eb);
const read_counts *read_walker_counts(const read_walker *w);
void read_walker_free(read_walker *w);

/* True for a blank line (see above). */
bool read_is_blank(const char *s, size_t len);

#endif
