/* The cell-text sanitiser of the XLSX writer: valid UTF-8 and XML 1.0
 * characters only, and cut at Excel's cell limit on a code point boundary. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "tap.h"
#include "render/xlsx.h"

#define FFFD "\xEF\xBF\xBD"

static strbuf sb = STRBUF_INIT;

static const char *san(const char *s, size_t len, size_t max)
{
    if (xlsx_sanitize(s, len, max, &sb) < 0)
        return "(no memory)";
    return sb.buf;
}

#define S(lit) san(lit, sizeof(lit) - 1, XLSX_CELL_MAX)

/* Count UTF-16 code units of valid UTF-8. */
static size_t units(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        n += *p >= 0xF0 ? 2 : 1;
    }
    return n;
}

static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : *p >= 0xF0 ? 3 : *p >= 0xE0 ? 2 : *p >= 0xC2 ? 1 : -1;
        if (n < 0)
            return 0;
        for (int i = 1; i <= n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        p += n + 1;
    }
    return 1;
}

int main(void)
{
    is_str(S("plain text"), "plain text", "ASCII passes unchanged");
    is_str(S("caf\xC3\xA9 \xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 e\xCC\x81 \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"),
           "caf\xC3\xA9 \xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 e\xCC\x81 \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
           "accents, RTL, combining marks and emoji pass unchanged");
    is_str(S("a\xFF" "b"), "a" FFFD "b", "a byte that never occurs in UTF-8 becomes U+FFFD");
    is_str(S("a\x80\x80" "b"), "a" FFFD FFFD "b", "stray continuation bytes: one U+FFFD each");
    is_str(S("\xC0\xAF"), FFFD FFFD, "overlong 2-byte '/' is replaced");
    is_str(S("\xE0\x80\xAF"), FFFD FFFD FFFD, "overlong 3-byte '/' is replaced");
    is_str(S("\xF0\x80\x80\xAF"), FFFD FFFD FFFD FFFD, "overlong 4-byte '/' is replaced");
    is_str(S("\xC1\xBF"), FFFD FFFD, "C1 lead byte is replaced");
    is_str(S("x\xED\xA0\x80y"), "x" FFFD FFFD FFFD "y", "a UTF-16 surrogate (U+D800) is replaced");
    is_str(S("\xED\xBF\xBF"), FFFD FFFD FFFD, "a low surrogate (U+DFFF) is replaced");
    is_str(S("\xED\x9F\xBF"), "\xED\x9F\xBF", "U+D7FF just below the surrogates is kept");
    is_str(S("\xF4\x90\x80\x80"), FFFD FFFD FFFD FFFD, "a code point above U+10FFFF is replaced");
    is_str(S("\xF4\x8F\xBF\xBD"), "\xF4\x8F\xBF\xBD", "U+10FFFD is kept");
    is_str(S("ab\xE2\x82"), "ab" FFFD, "a sequence cut at the end is one U+FFFD");
    is_str(S("\xE2\x82z"), FFFD "z", "a cut sequence before ASCII is one U+FFFD, the ASCII stays");
    is_str(S("a\x01\x07\x0B\x0C\x1F" "b\tc\nd"), "ab\tc\nd",
           "control characters XML 1.0 forbids are dropped; tab and newline stay");
    is_str(S("a\r\nb\rc"), "a\nb\nc", "CR LF and lone CR become LF");
    is_str(S("x\xEF\xBF\xBEy\xEF\xBF\xBFz"), "xyz", "the non-characters U+FFFE and U+FFFF are dropped");
    is_str(san("a\0b", 3, XLSX_CELL_MAX), "ab", "an embedded NUL is dropped");
    is_str(S(""), "", "empty stays empty");
    ok(xlsx_sanitize(NULL, 0, 10, &sb) == 0, "NULL is accepted");
    is_str(sb.buf, "", "NULL gives empty");

    /* Truncation: at most max units, marker at the end, whole code points. */
    is_str(san("hello", 5, 5), "hello", "a text of exactly the limit is not cut");
    const char *m = XLSX_TRUNC_MARKER;
    size_t mu = units(m);
    is_int(mu, 13, "the marker is 13 characters");
    is_str(san("abcdefghijklmnopqrstuvwxyz", 26, 20), "abcdefg" XLSX_TRUNC_MARKER,
           "a long text is cut so that text + marker fit the limit");

    /* A 40,000-character text of mixed widths. */
    strbuf big = STRBUF_INIT;
    for (int i = 0; i < 10000; i++)
        strbuf_adds(&big, "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");   /* a é € 😀 = 5 units */
    ok(xlsx_sanitize(big.buf, big.len, XLSX_CELL_MAX, &sb) == 0, "a long text is cut");
    ok(units(sb.buf) <= XLSX_CELL_MAX, "a cut text fits Excel's 32,767 UTF-16 units (%zu)",
       units(sb.buf));
    ok(units(sb.buf) >= XLSX_CELL_MAX - 3, "and uses nearly all of them");
    ok(sb.len > strlen(m) && !strcmp(sb.buf + sb.len - strlen(m), m), "and ends with the marker");
    ok(valid_utf8(sb.buf), "and is valid UTF-8 (no code point split)");
    for (size_t cut = 14; cut < 40; cut++) {
        if (xlsx_sanitize(big.buf, big.len, cut, &sb) < 0 || !valid_utf8(sb.buf) || units(sb.buf) > cut) {
            ok(0, "cut at %zu units splits a code point or overflows", cut);
            goto next;
        }
    }
    ok(1, "cuts at every limit from 14 to 39 units keep whole code points and fit");
next:
    /* An emoji that would straddle the limit is dropped whole. */
    strbuf e = STRBUF_INIT;
    for (int i = 0; i < 20; i++)
        strbuf_adds(&e, "\xF0\x9F\x98\x80");
    ok(xlsx_sanitize(e.buf, e.len, 16, &sb) == 0, "20 emoji cut at 16 units");
    is_str(sb.buf, "\xF0\x9F\x98\x80" XLSX_TRUNC_MARKER, "a surrogate pair is never split by the cut");
    ok(xlsx_sanitize(e.buf, e.len, 40, &sb) == 0, "20 emoji at 40 units");
    is_int(units(sb.buf), 40, "20 emoji are exactly 40 units and are not cut at 40");
    strbuf_release(&e);
    strbuf_release(&big);

    /* xlsx_write: a file that cannot be created is an I/O error naming it,
     * reported by workbook_close (which frees the workbook anyway). */
    struct json_object *rep = json_tokener_parse("{\"week\": \"2026-W47\", \"top_accepted\": []}");
    aid_errbuf eb = { { 0 } };
    aid_err err = xlsx_write(rep, "/nonexistent-aidigest-dir/digest.xlsx", NULL, &eb);
    is_int(err, AID_ERR_IO, "an uncreatable file gives AID_ERR_IO");
    ok(strstr(eb.msg, "/nonexistent-aidigest-dir/digest.xlsx") != NULL, "the message names the file: %s",
       eb.msg);
    char dir[] = "/tmp/aidigest-test-xlsx.XXXXXX";
    if (mkdtemp(dir)) {
        char path[128];
        snprintf(path, sizeof path, "%s/d.xlsx", dir);
        err = xlsx_write(rep, path, NULL, &eb);
        is_int(err, AID_OK, "a minimal report writes a workbook");
        FILE *fp = fopen(path, "rb");
        char magic[2] = { 0 };
        ok(fp && fread(magic, 1, 2, fp) == 2 && magic[0] == 'P' && magic[1] == 'K',
           "the file is a zip container");
        if (fp)
            fclose(fp);
        remove(path);
        rmdir(dir);
    }
    json_object_put(rep);
    strbuf_release(&sb);
    return tap_done();
}
