/* Unit tests of pdftext (sanitising, wrapping, visual order, cutting) and
 * of pdf_write on a report holding raw invalid UTF-8. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "render/pdf/pdf.h"
#include "render/pdf/pdftext.h"
#include "tap.h"

#define FFFD PDFTEXT_SUBSTITUTE

static int nsubs;

static const char *san(const char *s, size_t len, bool keep_nl, pdftext_has_glyph_fn g)
{
    static strbuf out = STRBUF_INIT;
    strbuf_reset(&out);
    nsubs = pdftext_sanitize(s, len, keep_nl, g, NULL, &out);
    return out.buf;
}
#define SAN(lit) san(lit, sizeof(lit) - 1, true, NULL)

static bool no_cjk(void *ctx, uint32_t cp)
{
    (void)ctx;
    return !(cp >= 0x4E00 && cp <= 0x9FFF) && !(cp >= 0x1F000 && cp <= 0x1F0FF);
}

/* Every code point is one unit wide. */
static double cp_width(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    double w = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

static const char *wrapped(const char *s, double width)
{
    static strbuf out = STRBUF_INIT;
    pdftext_lines L = {0};
    strbuf_reset(&out);
    if (pdftext_wrap(s, strlen(s), width, cp_width, NULL, &L) < 0)
        return "(oom)";
    for (size_t i = 0; i < L.n; i++)
        strbuf_addf(&out, "%s[%.*s]", i ? "" : "", (int)L.v[i].len, s + L.v[i].off);
    pdftext_lines_release(&L);
    return out.buf;
}

static const char *visual(const char *s)
{
    static strbuf out = STRBUF_INIT;
    strbuf_reset(&out);
    if (pdftext_visual(s, strlen(s), &out) < 0)
        return "(out of memory)";
    return out.buf;
}

static const char *cut(const char *s, size_t max)
{
    static strbuf out = STRBUF_INIT;
    strbuf_reset(&out);
    if (pdftext_truncate(s, max, &out) < 0)
        return "(out of memory)";
    return out.buf;
}

int main(void)
{
    /* sanitising */
    is_str(SAN("Hello, world!"), "Hello, world!", "ASCII passes unchanged");
    is_int(nsubs, 0, "no substitution in ASCII");
    is_str(SAN("caf\xc3\xa9 na\xc3\xafve \xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9"),
           "caf\xc3\xa9 na\xc3\xafve \xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9", "accented letters kept");
    is_str(SAN("cafe\xcc\x81"), "caf\xc3\xa9", "combining acute composed to NFC");
    is_str(SAN("a\xff" "b"), "a" FFFD "b", "invalid byte replaced");
    is_int(nsubs, 1, "and counted");
    is_str(SAN("\xc0\xaf"), FFFD FFFD, "overlong form: one substitute per byte");
    is_str(SAN("ab\xe2\x82"), "ab" FFFD FFFD, "truncated sequence at the end");
    is_str(SAN("x\xed\xa0\x80y"), "x" FFFD FFFD FFFD "y", "UTF-8-encoded surrogate replaced");
    is_str(SAN("a\x01" "b\x7f" "c\xc2\x85" "d"), "a" FFFD "b" FFFD "c" FFFD "d", "C0, DEL and C1 controls");
    is_str(SAN("smile \xf0\x9f\x98\x8a!"), "smile " FFFD "!", "code point above U+FFFF (emoji)");
    is_int(nsubs, 1, "emoji counted once");
    is_str(SAN("a\tb\r\nc\rd\ne"), "a b\nc\nd\ne", "tab to space, CR LF and CR to LF");
    is_str(san("a\nb", 3, false, NULL), "a b", "newlines to spaces when not kept");
    is_str(san("x\xe4\xb8\xadz", 5, true, no_cjk), "x" FFFD "z", "code point without glyph replaced");
    is_int(nsubs, 1, "missing glyph counted");
    is_str(san("\xef\xbf\xbe", 3, true, NULL), FFFD, "non-character U+FFFE replaced");
    /* with a glyph check, code points above U+FFFF are asked like any
     * other (the PDF's Symbola fallback has most emoji) */
    is_str(san("ok \xf0\x9f\x98\x80 \xf0\x9f\x80\x80", 12, true, no_cjk), "ok \xf0\x9f\x98\x80 " FFFD,
           "emoji kept when the glyph check has it, replaced when not");
    is_int(nsubs, 1, "the one without a glyph counted");
    is_str(san("\xf0\x9f\xbf\xbf", 4, true, no_cjk), FFFD, "non-character U+1FFFF replaced");
    is_str(san("p\xee\x80\x80q", 5, true, no_cjk), "p" FFFD "q", "private use (U+E000) replaced: no meaning here");
    is_str(san("", 0, true, NULL), "", "empty string");
    const char *nul = "a\0b";
    is_str(san(nul, 3, true, NULL), "a" FFFD "b", "NUL byte replaced, text after it kept");

    /* wrapping */
    is_str(wrapped("aaa bbb ccc", 7), "[aaa bbb][ccc]", "breaks at spaces");
    is_str(wrapped("aaa bbb ccc", 11), "[aaa bbb ccc]", "fits on one line");
    is_str(wrapped("abcdefghij", 4), "[abcd][efgh][ij]", "a long word is broken");
    is_str(wrapped("ab abcdefghij", 4), "[ab][abcd][efgh][ij]", "long word after a short one");
    is_str(wrapped("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 2),
           "[\xc3\xa9\xc3\xa9][\xc3\xa9\xc3\xa9][\xc3\xa9]", "breaks between code points, never inside");
    is_str(wrapped("abc", 0.5), "[a][b][c]", "at least one code point per line");
    is_str(wrapped("a\n\nb", 10), "[a][][b]", "blank line kept as an empty line");
    is_str(wrapped("a\nb", 10), "[a][b]", "newline forces a break");
    is_str(wrapped("   lead  and  trail   ", 100), "[lead  and  trail]", "outer spaces dropped");
    is_str(wrapped("", 10), "", "empty text gives no line");
    is_str(wrapped("aaaa bbbb", 4), "[aaaa][bbbb]", "exact fit");
    {
        /* 20,000 characters without a space: terminates, every line fits. */
        size_t n = 20000;
        char *big = malloc(n + 1);
        memset(big, 'x', n);
        big[n] = '\0';
        pdftext_lines L = {0};
        int rc = pdftext_wrap(big, n, 90, cp_width, NULL, &L);
        size_t total = 0, widest = 0;
        for (size_t i = 0; i < L.n; i++) {
            total += L.v[i].len;
            if (L.v[i].len > widest)
                widest = L.v[i].len;
        }
        ok(rc == 0 && total == n && widest == 90 && L.n == 223, "20k-character word: %zu lines of at most 90", L.n);
        pdftext_lines_release(&L);
        free(big);
    }

    /* visual order */
    is_str(visual("plain text"), "plain text", "left-to-right text unchanged");
    is_str(visual("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"), "\xd7\x9d\xd7\x95\xd7\x9c\xd7\xa9",
           "Hebrew reversed into visual order");
    is_str(visual("id \xd7\x90\xd7\x91 ok"), "id \xd7\x91\xd7\x90 ok", "RTL run inside LTR text");

    /* cutting */
    is_str(cut("short", 10), "short", "short text not cut");
    is_str(cut("one two three four", 9), "one two\xe2\x80\xa6 (11 more characters)", "cut at a space, count shown");
    is_str(cut("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\xc3\xa9\xc3\xa9\xe2\x80\xa6 (1 more characters)",
           "cut counts code points");

    {
        strbuf up = STRBUF_INIT;
        { const char *in = "\xc3\x89quipe \xc3\xbc stra\xc3\x9f" "e"; ok(pdftext_upper(in, strlen(in), &up) == 0, "upper succeeds"); }
        is_str(up.buf, "\xc3\x89QUIPE \xc3\x9c STRASSE", "upper case is Unicode-aware");
        strbuf_release(&up);
    }

    /* pdf_write on raw invalid bytes (json-c keeps them in strings) */
    char dir[] = "/tmp/aidigest-pdf-unit.XXXXXX";
    ok(mkdtemp(dir) != NULL, "temporary directory");
    struct json_object *r = json_object_new_object();
    json_object_object_add(r, "week", json_object_new_string("2026-W47"));
    struct json_object *n = json_object_new_object();
    json_object_object_add(n, "summary", json_object_new_string("bad \xff\xfe bytes\x01 and \xed\xa0\x80 here"));
    json_object_object_add(n, "self_summary", json_object_new_string("\xc3"));
    json_object_object_add(r, "narrative", n);
    struct json_object *top = json_object_new_array();
    struct json_object *row = json_object_new_object();
    json_object_object_add(row, "reply", json_object_new_string("r\xe9sum\xe9 latin-1"));
    json_object_object_add(row, "uses", json_object_new_int(3));
    json_object_array_add(top, row);
    json_object_object_add(r, "top_accepted", top);
    strbuf path = STRBUF_INIT;
    strbuf_addf(&path, "%s/digest.pdf", dir);
    aid_errbuf eb = {{0}};
    aid_err err = pdf_write(r, path.buf, NULL, &eb);
    is_int(err, AID_OK, "pdf_write succeeds on raw invalid UTF-8 and a sparse report");
    char *data = NULL;
    size_t len = 0;
    aid_err rerr = fsutil_read_file(path.buf, &data, &len, NULL);
    ok(rerr == AID_OK && len > 1000 && !memcmp(data, "%PDF-", 5), "a PDF was written (%zu bytes)", len);
    free(data);
    err = pdf_write(r, "/nonexistent-dir/x/digest.pdf", NULL, &eb);
    ok(err == AID_ERR_IO && strstr(eb.msg, "/nonexistent-dir/x"), "unwritable path: I/O error naming it: %s",
       eb.msg);
    unlink(path.buf);
    rmdir(dir);
    strbuf_release(&path);
    json_object_put(r);
    return tap_done();
}
