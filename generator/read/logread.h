/*
 * logread.h - finding the log files and reading them as lines, streaming.
 *
 * A PATH is a file (read whatever its name; gzip is detected by its magic
 * bytes) or a directory (its *.jsonl and *.jsonl.gz files, in name order,
 * not recursive). A gzip file may hold several members one after the
 * other (cat a.gz b.gz): each is read; bytes after a member that are not
 * another member are a read error ("trailing data after the gzip stream
 * at byte N"), never dropped. A file that is not a regular one once
 * symlinks are followed (a FIFO, a socket, a device, a directory) is never
 * opened: logread_open reports it, so a FIFO cannot block the run. Lines are handed out in batches of whole lines with
 * their line numbers; memory is bounded by the batch size plus one line
 * (lines longer than the limit are cut: only their first
 * LOGREAD_KEEP_PREFIX bytes are kept and the batch entry says how long the
 * line really was).
 */
#ifndef AID_LOGREAD_H
#define AID_LOGREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define LOGREAD_KEEP_PREFIX 1024

/* The ordered list of input files. */
typedef struct logread_files {
    char **paths;
    size_t n;
} logread_files;

/* Expand paths (files or directories) into files, in order: arguments in
 * the order given, each directory's entries sorted by name. A path that
 * does not exist, or a directory without a .jsonl/.jsonl.gz file, is
 * AID_ERR_USAGE. */
AID_MUST_CHECK aid_err logread_files_expand(logread_files *f, const char *const *paths, size_t npaths,
                             aid_errbuf *eb);
void logread_files_release(logread_files *f);

typedef struct logread_line {
    size_t off;       /* into batch->data */
    size_t len;       /* bytes kept (without the line end) */
    size_t full_len;  /* the line's real length (> len when cut) */
    uint64_t lineno;  /* 1-based */
} logread_line;

typedef struct logread_batch {
    uint32_t file;    /* index into logread_files */
    uint64_t seq;     /* batch number, increasing over the whole input */
    char *data;
    size_t data_len, data_cap;
    logread_line *lines;
    size_t nlines, lines_cap;
} logread_batch;

void logread_batch_init(logread_batch *b);
void logread_batch_release(logread_batch *b);

/* A reader over one file. */
typedef struct logread_file logread_file;

/* Open files->paths[idx]. max_line: the line-length limit. A file that
 * does not exist, cannot be opened or is not a regular file is
 * AID_ERR_IO with eb naming it ("PATH: not a regular file (a FIFO)"). */
AID_MUST_CHECK aid_err logread_open(logread_file **out, const logread_files *files, uint32_t idx,
                     size_t max_line, aid_errbuf *eb);
/* Fill b (reset first) with up to about `target` bytes of whole lines.
 * Returns AID_OK with b->nlines == 0 at the end of the file. A read error
 * or a truncated/corrupt gzip stream is reported once, as AID_ERR_IO with
 * eb naming the file and the last good line; b still holds the lines read
 * up to it (a partial last line included), which the caller processes;
 * the next call then returns the end. */
AID_MUST_CHECK aid_err logread_next(logread_file *r, logread_batch *b, size_t target, aid_errbuf *eb);
void logread_close(logread_file *r);
/* The bytes read from the file so far (compressed ones for gzip): for a
 * progress display against the files' sizes. */
uint64_t logread_raw_bytes(const logread_file *r);

#endif
