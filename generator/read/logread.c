#include "read/logread.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "common/fsutil.h"
#include "common/strbuf.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n > m && !strcmp(s + n - m, suf);
}

static int files_push(logread_files *f, char *path)
{
    char **np = realloc(f->paths, (f->n + 1) * sizeof *np);
    if (!np) {
        free(path);
        return -1;
    }
    f->paths = np;
    f->paths[f->n++] = path;
    return 0;
}

aid_err logread_files_expand(logread_files *f, const char *const *paths, size_t npaths,
                             aid_errbuf *eb)
{
    f->paths = NULL;
    f->n = 0;
    strbuf sb = STRBUF_INIT;
    aid_err err = AID_OK;
    for (size_t i = 0; i < npaths; i++) {
        struct stat st;
        if (stat(paths[i], &st) < 0) {
            err = aid_errbuf_set(eb, AID_ERR_USAGE, "--logs %s: %s", paths[i], strerror(errno));
            goto fail;
        }
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
            /* a pipe or a device cannot be read a second time (pass 2) */
            err = aid_errbuf_set(eb, AID_ERR_USAGE, "--logs %s: not a regular file or directory", paths[i]);
            goto fail;
        }
        if (!S_ISDIR(st.st_mode)) {
            char *p = strdup(paths[i]);
            if (!p || files_push(f, p) < 0)
                goto nomem;
            continue;
        }
        DIR *d = opendir(paths[i]);
        if (!d) {
            err = aid_errbuf_set(eb, AID_ERR_USAGE, "--logs %s: %s", paths[i], strerror(errno));
            goto fail;
        }
        size_t first = f->n;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.' ||
                !(has_suffix(de->d_name, ".jsonl") || has_suffix(de->d_name, ".jsonl.gz")))
                continue;
            if (fsutil_join(&sb, paths[i], de->d_name) < 0) {
                closedir(d);
                goto nomem;
            }
            char *p = strbuf_detach(&sb, NULL);
            if (!p || files_push(f, p) < 0) {
                closedir(d);
                goto nomem;
            }
        }
        closedir(d);
        if (f->n == first) {
            /* Nothing to read is a wrong path, not an empty week. */
            err = aid_errbuf_set(eb, AID_ERR_USAGE, "--logs %s: no .jsonl or .jsonl.gz files in it",
                                 paths[i]);
            goto fail;
        }
        qsort(f->paths + first, f->n - first, sizeof *f->paths, cmp_str);
    }
    strbuf_release(&sb);
    if (f->n > UINT32_MAX / 2) {
        err = aid_errbuf_set(eb, AID_ERR_LIMIT, "too many log files");
        goto fail;
    }
    return AID_OK;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
fail:
    strbuf_release(&sb);
    logread_files_release(f);
    return err;
}

void logread_files_release(logread_files *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->paths[i]);
    free(f->paths);
    f->paths = NULL;
    f->n = 0;
}

void logread_batch_init(logread_batch *b)
{
    memset(b, 0, sizeof *b);
}

void logread_batch_release(logread_batch *b)
{
    free(b->data);
    free(b->lines);
    logread_batch_init(b);
}

#define LOGREAD_CHUNK (256 * 1024)

struct logread_file {
    gzFile gz;
    const char *path;
    uint32_t idx;
    size_t max_line;
    uint64_t lineno;
    /* read buffer */
    char *buf;
    size_t start, end, cap;
    /* the line being cut (longer than the limit) */
    bool cutting;
    size_t cut_len;
    bool eof, failed;
    uint64_t seq;
};

aid_err logread_open(logread_file **out, const logread_files *files, uint32_t idx,
                     size_t max_line, aid_errbuf *eb)
{
    logread_file *r = calloc(1, sizeof *r);
    if (!r)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    r->path = files->paths[idx];
    r->idx = idx;
    r->max_line = max_line;
    r->cap = LOGREAD_CHUNK * 2;
    r->buf = malloc(r->cap);
    if (!r->buf) {
        free(r);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    errno = 0;
    r->gz = gzopen(r->path, "rb");
    if (!r->gz) {
        /* errno 0: zlib's own allocation failed; ENOMEM: fopen's. */
        aid_err e = errno == 0 || errno == ENOMEM
                        ? aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", r->path)
                        : aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot open: %s", r->path,
                                         strerror(errno));
        free(r->buf);
        free(r);
        return e;
    }
    gzbuffer(r->gz, 128 * 1024);
    *out = r;
    return AID_OK;
}

void logread_close(logread_file *r)
{
    if (!r)
        return;
    if (r->gz)
        gzclose(r->gz);
    free(r->buf);
    free(r);
}

static size_t keep_prefix(size_t len)
{
    return len < LOGREAD_KEEP_PREFIX ? len : LOGREAD_KEEP_PREFIX;
}

static int batch_add_line(logread_batch *b, const char *s, size_t len, size_t full_len,
                          uint64_t lineno)
{
    if (len && s[len - 1] == '\r' && len == full_len) {
        len--;
        full_len--;
    }
    if (b->nlines == b->lines_cap) {
        size_t n = b->lines_cap ? b->lines_cap * 2 : 1024;
        logread_line *nl = realloc(b->lines, n * sizeof *nl);
        if (!nl)
            return -1;
        b->lines = nl;
        b->lines_cap = n;
    }
    if (b->data_len + len + 1 > b->data_cap) {
        size_t n = b->data_cap ? b->data_cap : 64 * 1024;
        while (n < b->data_len + len + 1)
            n *= 2;
        char *nd = realloc(b->data, n);
        if (!nd)
            return -1;
        b->data = nd;
        b->data_cap = n;
    }
    memcpy(b->data + b->data_len, s, len);
    b->data[b->data_len + len] = '\0';
    b->lines[b->nlines++] = (logread_line){ b->data_len, len, full_len, lineno };
    b->data_len += len + 1;
    return 0;
}

/* zlib's message names the file itself ("PATH: unexpected end of file"):
 * the caller names it already. */
static const char *logread_gz_msg(const logread_file *r, const char *msg)
{
    size_t n = strlen(r->path);
    if (msg && !strncmp(msg, r->path, n) && !strncmp(msg + n, ": ", 2))
        return msg + n + 2;
    return msg ? msg : "read error";
}

/* Read more bytes; returns bytes read, 0 at end, -1 on error. */
static int logread_fill(logread_file *r, aid_errbuf *eb)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->cap - r->end < LOGREAD_CHUNK) {
        size_t ncap = r->cap * 2;
        char *nb = realloc(r->buf, ncap);
        if (!nb) {
            aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
            return -1;
        }
        r->buf = nb;
        r->cap = ncap;
    }
    int n = gzread(r->gz, r->buf + r->end, LOGREAD_CHUNK);
    if (n < 0) {
        int zerr;
        const char *msg = gzerror(r->gz, &zerr);
        aid_errbuf_set(eb, AID_ERR_IO, "%s: after line %llu: %s", r->path,
                       (unsigned long long)r->lineno,
                       zerr == Z_ERRNO ? strerror(errno) : logread_gz_msg(r, msg));
        return -1;
    }
    if (n == 0) {
        /* gzread reports a truncated stream at its end through gzerror. */
        int zerr;
        const char *msg = gzerror(r->gz, &zerr);
        if (zerr != Z_OK && zerr != Z_STREAM_END) {
            aid_errbuf_set(eb, AID_ERR_IO, "%s: after line %llu: %s", r->path,
                           (unsigned long long)r->lineno, logread_gz_msg(r, msg));
            return -1;
        }
    }
    r->end += (size_t)n;
    return n;
}

aid_err logread_next(logread_file *r, logread_batch *b, size_t target, aid_errbuf *eb)
{
    b->file = r->idx;
    b->seq = 0;
    b->data_len = 0;
    b->nlines = 0;
    if (r->failed)
        return AID_OK;
    while (b->data_len < target) {
        char *nl = r->start < r->end ? memchr(r->buf + r->start, '\n', r->end - r->start) : NULL;
        if (!nl) {
            size_t have = r->end - r->start;
            if (!r->cutting && have > r->max_line) {
                /* Too long: keep a prefix, then skip to the line's end. */
                r->cutting = true;
                r->cut_len = 0;
                if (batch_add_line(b, r->buf + r->start, keep_prefix(have), 0, r->lineno + 1) < 0)
                    return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
            }
            if (r->cutting) {
                r->cut_len += have;
                r->start = r->end = 0;
            }
            if (r->eof)
                break;
            int n = logread_fill(r, eb);
            if (n < 0) {
                r->failed = true;
                /* Hand out a partial last line before reporting. */
                if (r->end > r->start || r->cutting)
                    goto last_line;
                return AID_ERR_IO;
            }
            if (n == 0)
                r->eof = true;
            continue;
        }
        size_t len = (size_t)(nl - (r->buf + r->start));
        if (r->cutting) {
            b->lines[b->nlines - 1].full_len = r->cut_len + len;
            r->cutting = false;
            r->lineno++;
        } else if (len > r->max_line) {
            r->lineno++;
            if (batch_add_line(b, r->buf + r->start, keep_prefix(len), len, r->lineno) < 0)
                return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        } else {
            r->lineno++;
            if (batch_add_line(b, r->buf + r->start, len, len, r->lineno) < 0)
                return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        }
        r->start += len + 1;
    }
    if (b->data_len >= target || !r->eof)
        return AID_OK;
last_line:
    /* End of file (or of what could be read): a last line without '\n'. */
    if (r->cutting) {
        b->lines[b->nlines - 1].full_len = r->cut_len + (r->end - r->start);
        r->cutting = false;
        r->lineno++;
        r->start = r->end;
    } else if (r->end > r->start) {
        size_t len = r->end - r->start;
        r->lineno++;
        if (batch_add_line(b, r->buf + r->start, len > r->max_line ? keep_prefix(len) : len, len,
                           r->lineno) < 0)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        r->start = r->end;
    }
    return r->failed ? AID_ERR_IO : AID_OK;
}
