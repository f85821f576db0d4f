/* The quote prefix of formula-like cell texts: which texts need it, the
 * styles.xml patch, and the zip rewrite's failures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "render/xlsxquote.h"
#include "tap.h"

#define XF0 "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
#define XF1 "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyAlignment=\"1\">" \
            "<alignment vertical=\"top\" wrapText=\"1\"/></xf>"
#define XF2 "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyAlignment=\"1\" " \
            "applyProtection=\"1\"><alignment vertical=\"top\" wrapText=\"1\"/><protection hidden=\"1\"/></xf>"
#define XF3 "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyProtection=\"1\">" \
            "<protection hidden=\"1\"/></xf>"
#define STYLES(body) \
    "<styleSheet><cellStyleXfs count=\"1\"><xf numFmtId=\"0\"/></cellStyleXfs>" \
    "<cellXfs count=\"4\">" body "</cellXfs><cellStyles/></styleSheet>"

int main(void)
{
    static const char *const need[] = { "=1+1", "+1", "-1", "@SUM(A1)", "\t1", "\rx", "  =1",
                                        "\n\t@x", " \r\n+x" };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        ok(xlsxquote_needed(need[i]), "needs the quote prefix: %zu", i);
    static const char *const plain[] = { "", "a=b", "1-2", " x", "\xE2\x80\xA2 - note", "'=x" };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        ok(!xlsxquote_needed(plain[i]), "needs none: '%s'", plain[i]);
    ok(!xlsxquote_needed(NULL), "NULL needs none");

    const char *in = STYLES(XF0 XF1 XF2 XF3);
    strbuf out = STRBUF_INIT;
    aid_errbuf eb = { { 0 } };
    int32_t xf[] = { 2, 3, 2 };
    is_int(xlsxquote_styles(in, strlen(in), xf, 3, &out, &eb), AID_OK, "styles patched");
    is_str(out.buf,
           STYLES(XF0 XF1
                  "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyAlignment=\"1\" "
                  "quotePrefix=\"1\"><alignment vertical=\"top\" wrapText=\"1\"/></xf>"
                  "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" quotePrefix=\"1\"></xf>"),
           "the quote prefix on xfs 2 and 3 (a repeated index once), the hidden marker gone, the rest as it was");
    int32_t x0[] = { 0 };
    is_int(xlsxquote_styles(in, strlen(in), x0, 1, &out, &eb), AID_OK, "a self-closing xf");
    ok(strstr(out.buf, "xfId=\"0\" quotePrefix=\"1\"/>") != NULL, "... gets it before its '/>'");
    ok(strstr(out.buf, "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\"/>") != NULL,
       "the cell style xfs before cellXfs are not counted nor touched");
    int32_t x9[] = { 4 };
    is_int(xlsxquote_styles(in, strlen(in), x9, 1, &out, &eb), AID_ERR_XLSX, "an xf that is not there");
    ok(strstr(eb.msg, "no cell format 4 (of 4)") != NULL, "... says so: %s", eb.msg);
    const char *none = "<styleSheet/>";
    is_int(xlsxquote_styles(none, strlen(none), x0, 1, &out, &eb), AID_ERR_XLSX, "no <cellXfs>");
    const char *cut = "<cellXfs count=\"1\"><xf numFmtId=\"0\"></cellXfs>";
    is_int(xlsxquote_styles(cut, strlen(cut), x0, 1, &out, &eb), AID_ERR_XLSX, "an xf without its end");

    /* The rewrite: a file that is no zip, and one without styles.xml. */
    char dir[] = "/tmp/aidigest-test-xlsxquote.XXXXXX";
    if (mkdtemp(dir)) {
        char a[128], b[128];
        snprintf(a, sizeof a, "%s/a.xlsx", dir);
        snprintf(b, sizeof b, "%s/b.xlsx", dir);
        FILE *fp = fopen(a, "wb");
        if (fp) {
            fputs("not a zip", fp);
            fclose(fp);
        }
        is_int(xlsxquote_rewrite(a, b, "digest.xlsx", x0, 1, &eb), AID_ERR_XLSX, "not a zip: AID_ERR_XLSX");
        ok(strstr(eb.msg, "digest.xlsx") != NULL, "... naming the file: %s", eb.msg);
        is_int(xlsxquote_rewrite("/nonexistent-aidigest/a.xlsx", b, "d", x0, 1, &eb), AID_ERR_XLSX,
               "a missing workbook");
        remove(a);
        remove(b);
        rmdir(dir);
    }
    strbuf_release(&out);
    return tap_done();
}
