#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "read/logread.h"
#include "common/strbuf.h"
#include "tap.h"

static char dir[] = "/tmp/aidigest-logread.XXXXXX";

static void put(const char *name, const char *data, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
}

static void put_gz(const char *name, const char *data, size_t len, size_t cut)
{
    char path[256], tmp[256];
    snprintf(tmp, sizeof tmp, "%s/.tmp.gz", dir);
    gzFile g = gzopen(tmp, "wb");
    gzwrite(g, data, (unsigned)len);
    gzclose(g);
    FILE *f = fopen(tmp, "rb");
    char *buf = malloc(1 << 20);
    size_t n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    remove(tmp);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    fwrite(buf, 1, cut && cut < n ? cut : n, f);
    fclose(f);
    free(buf);
}

/* All lines of file idx, joined by '|'; the last error in eb. */
static aid_err read_all(const logread_files *fs, uint32_t idx, size_t max_line, strbuf *out,
                        uint64_t *last_lineno, aid_errbuf *eb)
{
    logread_file *r = NULL;
    logread_batch b;
    logread_batch_init(&b);
    aid_err err = logread_open(&r, fs, idx, max_line, eb), last = AID_OK;
    if (err)
        return err;
    for (;;) {
        err = logread_next(r, &b, 64, eb);
        for (size_t i = 0; i < b.nlines; i++) {
            strbuf_addf(out, "%s%.*s", out->len ? "|" : "", (int)b.lines[i].len, b.data + b.lines[i].off);
            if (b.lines[i].len < b.lines[i].full_len)
                strbuf_addf(out, "(cut:%zu)", b.lines[i].full_len);
            *last_lineno = b.lines[i].lineno;
        }
        if (err)
            last = err;
        if (!b.nlines)
            break;
    }
    logread_close(r);
    logread_batch_release(&b);
    return last;
}

int main(void)
{
    ok(mkdtemp(dir) != NULL, "a temporary directory");
    put("b.jsonl", "one\r\ntwo\n\nlast-without-newline", strlen("one\r\ntwo\n\nlast-without-newline"));
    put("a.jsonl", "a1\n", 3);
    put("notes.txt", "ignored\n", 8);
    put(".hidden.jsonl", "hidden\n", 7);
    const char *gzdata = "g1\ng2\ng3 with a longer line to compress\n";
    put_gz("c.jsonl.gz", gzdata, strlen(gzdata), 0);
    put_gz("d.jsonl.gz", gzdata, strlen(gzdata), 30);

    logread_files fs;
    aid_errbuf eb = { { 0 } };
    const char *paths[] = { dir };
    is_int(logread_files_expand(&fs, paths, 1, &eb), AID_OK, "expand a directory");
    is_int(fs.n, 4, "its .jsonl and .jsonl.gz files, not hidden ones or others");
    ok(fs.n == 4 && strstr(fs.paths[0], "/a.jsonl") && strstr(fs.paths[1], "/b.jsonl") &&
       strstr(fs.paths[2], "/c.jsonl.gz") && strstr(fs.paths[3], "/d.jsonl.gz"), "in name order");

    strbuf s = STRBUF_INIT;
    uint64_t last = 0;
    is_int(read_all(&fs, 1, 1 << 20, &s, &last, &eb), AID_OK, "read a plain file");
    is_str(s.buf, "one|two||last-without-newline", "lines, CR removed, an empty line, a last line without newline");
    is_int(last, 4, "line numbers count every line");

    strbuf_reset(&s);
    is_int(read_all(&fs, 2, 1 << 20, &s, &last, &eb), AID_OK, "read a gzip file");
    is_str(s.buf, "g1|g2|g3 with a longer line to compress", "decompressed lines");

    strbuf_reset(&s);
    eb.msg[0] = '\0';
    is_int(read_all(&fs, 3, 1 << 20, &s, &last, &eb), AID_ERR_IO, "a truncated gzip is an error");
    ok(strstr(eb.msg, "d.jsonl.gz") != NULL, "naming the file: %s", eb.msg);
    ok(s.len > 0, "after handing out what could be read: %s", s.buf);

    logread_files_release(&fs);
    char big[5000];
    memset(big, 'x', sizeof big);
    big[2999] = '\n';
    put("long.jsonl", big, 3000);
    char lp[256];
    snprintf(lp, sizeof lp, "%s/long.jsonl", dir);
    const char *one[] = { lp };
    is_int(logread_files_expand(&fs, one, 1, &eb), AID_OK, "a single file");
    strbuf_reset(&s);
    read_all(&fs, 0, 100, &s, &last, &eb);
    ok(strstr(s.buf, "(cut:2999)") != NULL, "a line over the limit is cut, its real length kept");
    is_int(last, 1, "and counted as one line");
    logread_files_release(&fs);

    const char *missing[] = { "/nonexistent/logs" };
    is_int(logread_files_expand(&fs, missing, 1, &eb), AID_ERR_USAGE, "a missing path is a usage error");
    ok(strstr(eb.msg, "/nonexistent/logs") != NULL, "naming it: %s", eb.msg);

    const char *dev[] = { "/dev/null" };
    is_int(logread_files_expand(&fs, dev, 1, &eb), AID_ERR_USAGE,
           "a device or pipe is refused: the logs are read twice");
    ok(strstr(eb.msg, "not a regular file") != NULL, "saying so: %s", eb.msg);

    strbuf_release(&s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ok(system(cmd) == 0, "clean up");
    return tap_done();
}
