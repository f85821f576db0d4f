#include "render/xlsxquote.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unzip.h>
#include <zip.h>
#include <zlib.h>

#define XQ_STYLES "xl/styles.xml"
#define XQ_HIDE_ATTR " applyProtection=\"1\""
#define XQ_HIDE_ELEM "<protection hidden=\"1\"/>"
/* A workbook part is far smaller; a bigger one is not ours. */
#define XQ_STYLES_MAX (64u << 20)

bool xlsxquote_needed(const char *s)
{
    if (!s || !*s)
        return false;
    if (*s == '\t' || *s == '\r')
        return true;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return *s == '=' || *s == '+' || *s == '-' || *s == '@';
}

static bool xq_wanted(const int32_t *xf, size_t nxf, int32_t k)
{
    for (size_t i = 0; i < nxf; i++)
        if (xf[i] == k)
            return true;
    return false;
}

/* Copy the xf element p[0..n) (from "<xf" to after its end) with the
 * quote prefix added to its start tag and the hidden marker left out. */
static int xq_patch_xf(const char *p, size_t n, strbuf *out)
{
    const char *gt = memchr(p, '>', n);
    if (!gt)
        return 0;   /* not reached: the caller found the end */
    size_t tag_end = (size_t)(gt - p);
    if (tag_end > 0 && p[tag_end - 1] == '/')
        tag_end--;
    for (size_t i = 0; i < n;) {
        if (i == tag_end && strbuf_adds(out, " quotePrefix=\"1\"") < 0)
            return -1;
        if (i < tag_end && tag_end - i >= strlen(XQ_HIDE_ATTR) &&
            !memcmp(p + i, XQ_HIDE_ATTR, strlen(XQ_HIDE_ATTR))) {
            i += strlen(XQ_HIDE_ATTR);
            continue;
        }
        if (i > tag_end && n - i >= strlen(XQ_HIDE_ELEM) &&
            !memcmp(p + i, XQ_HIDE_ELEM, strlen(XQ_HIDE_ELEM))) {
            i += strlen(XQ_HIDE_ELEM);
            continue;
        }
        if (strbuf_addc(out, p[i]) < 0)
            return -1;
        i++;
    }
    return 0;
}

/* The length of the xf element at p (p starts with "<xf"), 0 when it does
 * not end before `end`. */
static size_t xq_xf_len(const char *p, const char *end)
{
    const char *gt = memchr(p, '>', (size_t)(end - p));
    if (!gt)
        return 0;
    if (gt[-1] == '/')
        return (size_t)(gt + 1 - p);
    for (const char *q = gt; q + 5 <= end; q++)
        if (!memcmp(q, "</xf>", 5))
            return (size_t)(q + 5 - p);
    return 0;
}

static bool xq_is_xf(const char *p, const char *end)
{
    return end - p > 3 && !memcmp(p, "<xf", 3) && (p[3] == ' ' || p[3] == '>' || p[3] == '/');
}

aid_err xlsxquote_styles(const char *xml, size_t len, const int32_t *xf, size_t nxf, strbuf *out,
                         aid_errbuf *eb)
{
    const char *end = xml + len;
    strbuf_reset(out);
    const char *open = memmem(xml, len, "<cellXfs", 8);
    const char *close = open ? memmem(open, (size_t)(end - open), "</cellXfs>", 10) : NULL;
    if (!close)
        return aid_errbuf_set(eb, AID_ERR_XLSX, XQ_STYLES ": no <cellXfs> list");
    int32_t k = 0;
    const char *done = xml;   /* copied up to here */
    for (const char *p = open; p < close; p++) {
        if (!xq_is_xf(p, close))
            continue;
        size_t n = xq_xf_len(p, close);
        if (!n)
            return aid_errbuf_set(eb, AID_ERR_XLSX, XQ_STYLES ": cell format %d does not end", k);
        if (xq_wanted(xf, nxf, k)) {
            if (strbuf_add(out, done, (size_t)(p - done)) < 0 || xq_patch_xf(p, n, out) < 0)
                goto nomem;
            done = p + n;
        }
        k++;
        p += n - 1;
    }
    for (size_t i = 0; i < nxf; i++)
        if (xf[i] < 0 || xf[i] >= k)
            return aid_errbuf_set(eb, AID_ERR_XLSX, XQ_STYLES ": no cell format %d (of %d)",
                                  (int)xf[i], (int)k);
    if (strbuf_add(out, done, (size_t)(end - done)) < 0)
        goto nomem;
    return AID_OK;
nomem:
    return aid_errbuf_set(eb, AID_ERR_NOMEM, XQ_STYLES ": out of memory");
}

/* A minizip call failed: errno (cleared before it) says whether it was
 * out of memory (minizip has no error code of its own for that). An I/O
 * failure names errno's reason when there is one. */
static aid_err xq_zfail(aid_errbuf *eb, aid_err kind, const char *name, const char *action,
                        const char *entry)
{
    int e = errno;
    if (e == ENOMEM)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: %s: out of memory", name, entry);
    if (kind == AID_ERR_IO && e)
        return aid_errbuf_set(eb, kind, "%s: cannot %s %s: %s", name, action, entry, strerror(e));
    return aid_errbuf_set(eb, kind, "%s: cannot %s %s", name, action, entry);
}

/* Read the current entry as stored (raw: compressed), at most
 * XQ_STYLES_MAX bytes; *method is its compression (0 or Z_DEFLATED). */
static aid_err xq_read_raw(unzFile uz, const unz_file_info *fi, const char *name, strbuf *buf,
                           int *method, aid_errbuf *eb)
{
    if (fi->uncompressed_size > XQ_STYLES_MAX || fi->compressed_size > XQ_STYLES_MAX)
        return aid_errbuf_set(eb, AID_ERR_XLSX, "%s: " XQ_STYLES " is too big", name);
    int level = 0;
    errno = 0;
    if (unzOpenCurrentFile2(uz, method, &level, 1) != UNZ_OK)
        return xq_zfail(eb, AID_ERR_XLSX, name, "read", XQ_STYLES);
    aid_err err = AID_OK;
    char chunk[16384];
    int n;
    while ((n = unzReadCurrentFile(uz, chunk, sizeof chunk)) > 0) {
        if (buf->len + (size_t)n > XQ_STYLES_MAX) {
            err = aid_errbuf_set(eb, AID_ERR_XLSX, "%s: " XQ_STYLES " is too big", name);
            break;
        }
        if (strbuf_add(buf, chunk, (size_t)n) < 0) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", name);
            break;
        }
    }
    if (!err && n < 0)
        err = xq_zfail(eb, AID_ERR_XLSX, name, "read", XQ_STYLES);
    unzCloseCurrentFile(uz);
    if (!err && *method != 0 && *method != Z_DEFLATED)
        err = aid_errbuf_set(eb, AID_ERR_XLSX, "%s: " XQ_STYLES " has compression method %d",
                             name, *method);
    return err;
}

/* Inflate (or copy, method 0) comp into out, which must come to `size`
 * bytes with CRC `crc`. zlib, not minizip's reader: minizip 1.1 leaks its
 * read buffer when its inflateInit fails. */
static aid_err xq_inflate(const strbuf *comp, int method, const unz_file_info *fi,
                          const char *name, strbuf *out, aid_errbuf *eb)
{
    size_t size = fi->uncompressed_size;
    if (strbuf_grow(out, size + 1) < 0)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", name);
    if (method == 0) {
        if (comp->len != size)
            return aid_errbuf_set(eb, AID_ERR_XLSX, "%s: " XQ_STYLES " is damaged", name);
        if (strbuf_add(out, comp->buf ? comp->buf : "", comp->len) < 0)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", name);
    } else {
        z_stream z;
        memset(&z, 0, sizeof z);
        int zr = inflateInit2(&z, -MAX_WBITS);
        if (zr != Z_OK)
            return aid_errbuf_set(eb, zr == Z_MEM_ERROR ? AID_ERR_NOMEM : AID_ERR_XLSX,
                                  "%s: " XQ_STYLES ": %s", name,
                                  zr == Z_MEM_ERROR ? "out of memory" : "zlib refuses");
        z.next_in = (Bytef *)comp->buf;
        z.avail_in = (uInt)comp->len;
        z.next_out = (Bytef *)out->buf;
        z.avail_out = (uInt)(size + 1);
        zr = inflate(&z, Z_FINISH);
        size_t got = (size_t)z.total_out;
        inflateEnd(&z);
        if (zr == Z_MEM_ERROR)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: " XQ_STYLES ": out of memory", name);
        if (zr != Z_STREAM_END || got != size)
            return aid_errbuf_set(eb, AID_ERR_XLSX, "%s: " XQ_STYLES " is damaged", name);
        out->len = size;   /* written in place, within the room grown above */
        out->buf[size] = '\0';
    }
    if (crc32(0L, (const Bytef *)out->buf, (uInt)out->len) != fi->crc)
        return aid_errbuf_set(eb, AID_ERR_XLSX, "%s: " XQ_STYLES " is damaged (CRC)", name);
    return AID_OK;
}

/* Deflate data into comp (raw deflate, as minizip writes it). */
static aid_err xq_deflate(const strbuf *data, const char *name, strbuf *comp, aid_errbuf *eb)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    int zr = deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, DEF_MEM_LEVEL,
                          Z_DEFAULT_STRATEGY);
    if (zr != Z_OK)
        return aid_errbuf_set(eb, zr == Z_MEM_ERROR ? AID_ERR_NOMEM : AID_ERR_XLSX,
                              "%s: " XQ_STYLES ": %s", name,
                              zr == Z_MEM_ERROR ? "out of memory" : "zlib refuses");
    uLong bound = deflateBound(&z, (uLong)data->len);
    if (strbuf_grow(comp, (size_t)bound + 1) < 0) {
        deflateEnd(&z);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", name);
    }
    z.next_in = (Bytef *)data->buf;
    z.avail_in = (uInt)data->len;
    z.next_out = (Bytef *)comp->buf;
    z.avail_out = (uInt)bound;
    zr = deflate(&z, Z_FINISH);
    size_t got = (size_t)z.total_out;
    deflateEnd(&z);
    if (zr != Z_STREAM_END)
        return aid_errbuf_set(eb, zr == Z_MEM_ERROR ? AID_ERR_NOMEM : AID_ERR_XLSX,
                              "%s: " XQ_STYLES ": %s", name,
                              zr == Z_MEM_ERROR ? "out of memory" : "cannot compress");
    comp->len = got;   /* written in place, within the room grown above */
    comp->buf[got] = '\0';
    return AID_OK;
}

static void xq_fileinfo(const unz_file_info *fi, zip_fileinfo *zi)
{
    memset(zi, 0, sizeof *zi);
    zi->tmz_date.tm_sec = fi->tmu_date.tm_sec;
    zi->tmz_date.tm_min = fi->tmu_date.tm_min;
    zi->tmz_date.tm_hour = fi->tmu_date.tm_hour;
    zi->tmz_date.tm_mday = fi->tmu_date.tm_mday;
    zi->tmz_date.tm_mon = fi->tmu_date.tm_mon;
    zi->tmz_date.tm_year = fi->tmu_date.tm_year;
    zi->dosDate = fi->dosDate;
    zi->internal_fa = fi->internal_fa;
    zi->external_fa = fi->external_fa;
}

/* Copy the current entry as it is stored (raw: no inflating). */
static aid_err xq_copy_raw(unzFile uz, zipFile zf, const unz_file_info *fi, const char *entry,
                           const char *name, aid_errbuf *eb)
{
    int method = 0, level = 0;
    errno = 0;
    if (unzOpenCurrentFile2(uz, &method, &level, 1) != UNZ_OK)
        return xq_zfail(eb, AID_ERR_XLSX, name, "read", entry);
    aid_err err = AID_OK;
    zip_fileinfo zi;
    xq_fileinfo(fi, &zi);
    errno = 0;
    if (zipOpenNewFileInZip4(zf, entry, &zi, NULL, 0, NULL, 0, NULL, method, level, 1, -MAX_WBITS,
                             DEF_MEM_LEVEL, Z_DEFAULT_STRATEGY, NULL, 0, fi->version,
                             fi->flag) != ZIP_OK) {
        err = xq_zfail(eb, AID_ERR_IO, name, "write", entry);
        unzCloseCurrentFile(uz);
        return err;
    }
    char chunk[16384];
    int n;
    while ((n = unzReadCurrentFile(uz, chunk, sizeof chunk)) > 0)
        if (zipWriteInFileInZip(zf, chunk, (unsigned)n) != ZIP_OK) {
            err = xq_zfail(eb, AID_ERR_IO, name, "write", entry);
            break;
        }
    if (!err && n < 0)
        err = xq_zfail(eb, AID_ERR_XLSX, name, "read", entry);
    unzCloseCurrentFile(uz);   /* raw: no CRC to check here */
    if (zipCloseFileInZipRaw(zf, fi->uncompressed_size, fi->crc) != ZIP_OK && !err)
        err = xq_zfail(eb, AID_ERR_IO, name, "write", entry);
    return err;
}

/* Write styles.xml, patched, compressed as libxlsxwriter does (zlib's
 * raw deflate at the default level; written raw, since minizip 1.1 leaks
 * its central header when its own deflateInit fails). */
static aid_err xq_copy_styles(unzFile uz, zipFile zf, const unz_file_info *fi, const char *name,
                              const int32_t *xf, size_t nxf, aid_errbuf *eb)
{
    strbuf comp = STRBUF_INIT, raw = STRBUF_INIT, patched = STRBUF_INIT;
    int method = 0;
    aid_err err = xq_read_raw(uz, fi, name, &comp, &method, eb);
    if (!err)
        err = xq_inflate(&comp, method, fi, name, &raw, eb);
    if (err)
        goto cleanup;
    err = xlsxquote_styles(raw.buf ? raw.buf : "", raw.len, xf, nxf, &patched, eb);
    if (err) {
        if (eb && err != AID_ERR_NOMEM) {
            char msg[sizeof eb->msg];
            snprintf(msg, sizeof msg, "%s", eb->msg);
            err = aid_errbuf_set(eb, err, "%s: %s", name, msg);
        }
        goto cleanup;
    }
    strbuf_reset(&comp);
    err = xq_deflate(&patched, name, &comp, eb);
    if (err)
        goto cleanup;
    zip_fileinfo zi;
    xq_fileinfo(fi, &zi);
    errno = 0;
    if (zipOpenNewFileInZip4(zf, XQ_STYLES, &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
                             Z_DEFAULT_COMPRESSION, 1, -MAX_WBITS, DEF_MEM_LEVEL,
                             Z_DEFAULT_STRATEGY, NULL, 0, fi->version, 0) != ZIP_OK) {
        err = xq_zfail(eb, AID_ERR_IO, name, "write", XQ_STYLES);
        goto cleanup;
    }
    if (zipWriteInFileInZip(zf, comp.buf, (unsigned)comp.len) != ZIP_OK)
        err = xq_zfail(eb, AID_ERR_IO, name, "write", XQ_STYLES);
    uLong crc = crc32(0L, (const Bytef *)patched.buf, (uInt)patched.len);
    if (zipCloseFileInZipRaw(zf, (uLong)patched.len, crc) != ZIP_OK && !err)
        err = xq_zfail(eb, AID_ERR_IO, name, "write", XQ_STYLES);
cleanup:
    strbuf_release(&patched);
    strbuf_release(&raw);
    strbuf_release(&comp);
    return err;
}

aid_err xlsxquote_rewrite(const char *in, const char *out, const char *name, const int32_t *xf,
                          size_t nxf, aid_errbuf *eb)
{
    aid_err err = AID_OK;
    bool styles = false;
    zipFile zf = NULL;
    errno = 0;
    unzFile uz = unzOpen(in);
    if (!uz) {
        err = xq_zfail(eb, AID_ERR_XLSX, name, "read", "the workbook back");
        goto cleanup;
    }
    errno = 0;
    zf = zipOpen(out, APPEND_STATUS_CREATE);
    if (!zf) {
        err = xq_zfail(eb, AID_ERR_IO, name, "write", "the workbook");
        goto cleanup;
    }
    int r;
    for (r = unzGoToFirstFile(uz); r == UNZ_OK && !err; r = unzGoToNextFile(uz)) {
        char entry[1024];
        unz_file_info fi;
        errno = 0;
        if (unzGetCurrentFileInfo(uz, &fi, entry, sizeof entry, NULL, 0, NULL, 0) != UNZ_OK ||
            fi.size_filename >= sizeof entry) {
            err = aid_errbuf_set(eb, AID_ERR_XLSX, "%s: a damaged zip entry", name);
            break;
        }
        if (!strcmp(entry, XQ_STYLES)) {
            styles = true;
            err = xq_copy_styles(uz, zf, &fi, name, xf, nxf, eb);
        } else {
            err = xq_copy_raw(uz, zf, &fi, entry, name, eb);
        }
    }
    if (!err && r != UNZ_END_OF_LIST_OF_FILE)
        err = xq_zfail(eb, AID_ERR_XLSX, name, "read", "the zip directory");
    if (!err && !styles)
        err = aid_errbuf_set(eb, AID_ERR_XLSX, "%s: no " XQ_STYLES " in the workbook", name);
cleanup:
    if (zf) {
        errno = 0;
        if (zipClose(zf, NULL) != ZIP_OK && !err)
            err = xq_zfail(eb, AID_ERR_IO, name, "write", "the zip directory");
    }
    if (uz)
        unzClose(uz);
    return err;
}
