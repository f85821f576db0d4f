#include "read/logread.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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

#define LOGREAD_ZIN (128 * 1024)

struct logread_file {
    int fd;
    /* gzip: the members one after the other (like gzip -d); plain: as it is */
    bool gzip, zinit, member_done;
    z_stream zs;
    unsigned char *zin;
    bool zin_eof;
    uint64_t raw_read;   /* bytes read from fd so far */
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

/* The kind of a file that is not a regular one, for its error. */
static const char *logread_kind(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

/* Open path for reading only if it is a regular file (a symlink is
 * followed): a FIFO, a device or a socket is never opened, and
 * O_NONBLOCK keeps one swapped in between stat and open from blocking. */
static aid_err logread_open_regular(const char *path, int *fd, aid_errbuf *eb)
{
    struct stat st, fst;
    if (stat(path, &st) < 0)
        return aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return aid_errbuf_set(eb, AID_ERR_IO, "%s: not a regular file (%s)", path, logread_kind(st.st_mode));
    *fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (*fd < 0)
        return aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    int serr = fstat(*fd, &fst) < 0 ? errno : 0;
    if (serr || !S_ISREG(fst.st_mode)) {
        aid_err e = serr ? aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot open: %s", path, strerror(serr))
                         : aid_errbuf_set(eb, AID_ERR_IO, "%s: not a regular file (%s)", path,
                                          logread_kind(fst.st_mode));
        close(*fd);
        *fd = -1;
        return e;
    }
    int fl = fcntl(*fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(*fd, F_SETFL, fl & ~O_NONBLOCK);
    return AID_OK;
}

/* read(2) whole, EINTR retried: bytes read, 0 at the end, -1 on error. */
static ssize_t logread_raw(logread_file *r, void *dst, size_t n)
{
    ssize_t got;
    do
        got = read(r->fd, dst, n);
    while (got < 0 && errno == EINTR);
    if (got > 0)
        r->raw_read += (uint64_t)got;
    return got;
}

/* Refill the compressed input after what is left of it. -1 on error. */
static int logread_zin_fill(logread_file *r)
{
    if (r->zs.avail_in && r->zs.next_in != r->zin)
        memmove(r->zin, r->zs.next_in, r->zs.avail_in);
    r->zs.next_in = r->zin;
    ssize_t got = logread_raw(r, r->zin + r->zs.avail_in, LOGREAD_ZIN - r->zs.avail_in);
    if (got < 0)
        return -1;
    if (got == 0)
        r->zin_eof = true;
    r->zs.avail_in += (uInt)got;
    return 0;
}

aid_err logread_open(logread_file **out, const logread_files *files, uint32_t idx,
                     size_t max_line, aid_errbuf *eb)
{
    logread_file *r = calloc(1, sizeof *r);
    if (!r)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    r->fd = -1;
    r->path = files->paths[idx];
    r->idx = idx;
    r->max_line = max_line;
    r->cap = LOGREAD_CHUNK * 2;
    r->buf = malloc(r->cap);
    r->zin = malloc(LOGREAD_ZIN);
    if (!r->buf || !r->zin) {
        logread_close(r);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    aid_err e = logread_open_regular(r->path, &r->fd, eb);
    if (e) {
        logread_close(r);
        return e;
    }
    /* gzip is told by its magic bytes, whatever the name */
    while (r->zs.avail_in < 2 && !r->zin_eof)
        if (logread_zin_fill(r) < 0) {
            e = aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot read: %s", r->path, strerror(errno));
            logread_close(r);
            return e;
        }
    r->gzip = r->zs.avail_in >= 2 && r->zin[0] == 0x1f && r->zin[1] == 0x8b;
    if (r->gzip) {
        int zrc = inflateInit2(&r->zs, 16 + MAX_WBITS);
        if (zrc != Z_OK) {
            logread_close(r);
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        }
        r->zinit = true;
    }
    *out = r;
    return AID_OK;
}

void logread_close(logread_file *r)
{
    if (!r)
        return;
    if (r->zinit)
        inflateEnd(&r->zs);
    if (r->fd >= 0)
        close(r->fd);
    free(r->zin);
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

/* Up to n bytes of the file's text into dst: bytes, 0 at the end, -1 with
 * *why set on an error (errno's text, or zlib's). Bytes after a gzip
 * member are another member or an error, never dropped. */
static ssize_t logread_text(logread_file *r, char *dst, size_t n, char *why, size_t whylen)
{
    if (!r->gzip) {
        /* plain: what the magic-byte probe read first, then the file */
        if (r->zs.avail_in) {
            size_t k = r->zs.avail_in < n ? r->zs.avail_in : n;
            memcpy(dst, r->zs.next_in, k);
            r->zs.next_in += k;
            r->zs.avail_in -= (uInt)k;
            return (ssize_t)k;
        }
        if (r->zin_eof)
            return 0;
        ssize_t got = logread_raw(r, dst, n);
        if (got < 0)
            snprintf(why, whylen, "%s", strerror(errno));
        return got;
    }
    r->zs.next_out = (unsigned char *)dst;
    r->zs.avail_out = (uInt)n;
    while (r->zs.avail_out == n) {
        if (r->zs.avail_in < 2 && !r->zin_eof && logread_zin_fill(r) < 0) {
            snprintf(why, whylen, "%s", strerror(errno));
            return -1;
        }
        if (r->member_done) {
            if (!r->zs.avail_in)
                return 0;
            if (r->zs.avail_in >= 2 && r->zs.next_in[0] == 0x1f && r->zs.next_in[1] == 0x8b) {
                inflateReset(&r->zs);
                r->member_done = false;
                continue;
            }
            snprintf(why, whylen, "trailing data after the gzip stream at byte %llu",
                     (unsigned long long)(r->raw_read - r->zs.avail_in));
            return -1;
        }
        if (!r->zs.avail_in) {
            snprintf(why, whylen, "unexpected end of file");
            return -1;
        }
        int zrc = inflate(&r->zs, Z_NO_FLUSH);
        if (zrc == Z_STREAM_END)
            r->member_done = true;
        else if (zrc == Z_MEM_ERROR) {
            snprintf(why, whylen, "out of memory");
            return -1;
        } else if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            snprintf(why, whylen, "%s", r->zs.msg ? r->zs.msg : "corrupt gzip stream");
            return -1;
        }
    }
    return (ssize_t)(n - r->zs.avail_out);
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
    char why[128];
    ssize_t n = logread_text(r, r->buf + r->end, LOGREAD_CHUNK, why, sizeof why);
    if (n < 0) {
        aid_errbuf_set(eb, AID_ERR_IO, "%s: after line %llu: %s", r->path,
                       (unsigned long long)r->lineno, why);
        return -1;
    }
    r->end += (size_t)n;
    return (int)n;
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

uint64_t logread_raw_bytes(const logread_file *r)
{
    return r ? r->raw_read : 0;
}
