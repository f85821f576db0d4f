/* test_html.c - the parts of the HTML pages that need no files: URL and
 * week checks, the format functions, the report -> variables mapping; and
 * the render registry (render.h) and data-quality texts (dqlabel.h) the
 * page shares with the other documents. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "render/html.h"
#include "render/render.h"
#include "tap.h"

static char *render(tmpl_engine *e, const char *text, tmpl_vars *v)
{
    strbuf out = STRBUF_INIT;
    aid_errbuf eb = { { 0 } };
    if (tmpl_render_string(e, "t.html", text, v, &out, &eb)) {
        printf("# render failed: %s\n", eb.msg);
        strbuf_release(&out);
        return strdup("(error)");
    }
    return strbuf_detach(&out, NULL);
}

static void test_url(void)
{
    ok(html_url_ok("https://ci.example.com/x/actions?a=1&b=2"), "https URL accepted");
    ok(html_url_ok("HTTP://ci.example.com"), "http URL accepted, any case");
    ok(!html_url_ok("javascript:alert(1)"), "javascript: refused");
    ok(!html_url_ok(" https://x"), "leading space refused");
    ok(!html_url_ok("https://x\" onclick=\"a"), "quote refused");
    ok(!html_url_ok("https://x/<script>"), "angle bracket refused");
    ok(!html_url_ok("https:///path"), "no host refused");
    ok(!html_url_ok("data:text/html,x"), "data: refused");
    ok(!html_url_ok("//example.com"), "scheme-relative refused");
    ok(!html_url_ok("https://x/\ty"), "control character refused");
    ok(!html_url_ok(NULL), "NULL refused");
}

static void test_week(void)
{
    ok(html_is_week("2026-W47"), "2026-W47 is a week");
    ok(!html_is_week("2026-W54"), "2026-W54 is not");
    ok(!html_is_week("2026-w47"), "lower-case w is not canonical");
    ok(!html_is_week("../2026-W47"), "path is not a week");
    ok(!html_is_week("2026-W47x"), "trailing text is not a week");
}

static void test_fmt(void)
{
    aid_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.templates_dir = "templates";
    tmpl_engine *e = NULL;
    ok(html_engine_new(&e, &cfg, NULL) == AID_OK, "html_engine_new");
    tmpl_vars *v = NULL;
    ok(tmpl_vars_new(&v) == AID_OK && e && v, "engine and vars");
    ok(tmpl_vars_set(v, "n", "12345") == 0 && tmpl_vars_set(v, "share", "0.369615") == 0 &&
           tmpl_vars_set(v, "d", "-0.0291") == 0 && tmpl_vars_set(v, "nul", "null") == 0 &&
           tmpl_vars_set(v, "date", "2026-11-16T00:00:00Z") == 0 &&
           tmpl_vars_set(v, "junk", "<b>") == 0,
       "variables set");
    char *s = render(e, "<TMPL_VAR name=n fmt=int>|<TMPL_VAR name=share fmt=pct>|"
                        "<TMPL_VAR name=d fmt=signed>|<TMPL_VAR name=d fmt=pp>|"
                        "<TMPL_VAR name=share fmt=dec>|<TMPL_VAR name=nul fmt=pct>|"
                        "<TMPL_VAR name=nul fmt=int>|<TMPL_VAR name=date fmt=date>|"
                        "<TMPL_VAR name=date fmt=day>|<TMPL_VAR name=junk fmt=date>|"
                        "<TMPL_VAR name=n fmt=dec1>", v);
    is_str(s, "12,345|37.0%|\xe2\x88\x92" "0.029|\xe2\x88\x92" "2.9 pp|0.370|\xe2\x80\x93|"
              "\xe2\x80\x93|16 Nov 2026|Mon 16 Nov|&lt;b&gt;|12345.0",
           "format functions (null as en dash, text escaped after fmt)");
    free(s);
    tmpl_vars_free(v);
    tmpl_engine_free(e);
}

static void test_vars(void)
{
    aid_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.templates_dir = "templates";
    cfg.retrain_url = "javascript:alert(1)";
    tmpl_engine *e = NULL;
    ok(html_engine_new(&e, &cfg, NULL) == AID_OK, "html_engine_new");
    tmpl_vars *v = NULL;
    ok(tmpl_vars_new(&v) == AID_OK, "vars");
    struct json_object *r = json_tokener_parse(
        "{\"week\":\"2026-W47\",\"period\":{\"start\":\"2026-11-16T00:00:00Z\","
        "\"end\":\"2026-11-23T00:00:00Z\"},\"totals\":{\"suggestions\":10,\"accepted\":4},"
        "\"rates\":{\"acceptance\":0.4,\"use\":null},\"previous\":null,"
        "\"narrative\":{\"summary\":\"One\\nline.\\n \\nTwo.\\n\\n\\n\\nThree.\",\"coach_notes\":"
        "[\"a\",{\"text\":\"b\"},\"\"]},"
        "\"data_quality\":{\"bad_by_reason\":{\"invalid_json\":2,\"bad_time\":0,\"x<y\":1}}}");
    aid_errbuf eb = { { 0 } };
    is_int(html_week_vars(r, &cfg, v, &eb), AID_OK, "mapping a sparse report works");
    char *s = render(e, "<TMPL_VAR name=title>|<TMPL_VAR name=\"period_last\">|"
                        "<TMPL_LOOP name=\"summary_paragraphs\">[<TMPL_VAR name=text>]</TMPL_LOOP>|"
                        "<TMPL_LOOP name=\"coach_notes\">(<TMPL_VAR name=text>)</TMPL_LOOP>|"
                        "<TMPL_LOOP name=\"bad_reasons\"><TMPL_VAR name=label>=<TMPL_VAR name=count>;"
                        "</TMPL_LOOP>|<TMPL_VAR name=\"retrain_url\" default=none>|"
                        "<TMPL_VAR name=\"retrain_url_rejected\">|<TMPL_VAR name=\"retrain_cmd\">", v);
    is_str(s, "Weekly AI Intelligence Digest \xe2\x80\x94 2026-W47|2026-11-22|"
              "[One\nline.][Two.][Three.]|(a)(b)|Not valid JSON=2;x&lt;y=1;|none|1|"
              "git tag retrain/2026-W47 &amp;&amp; git push origin retrain/2026-W47",
           "title, last day, paragraphs, notes, reasons, refused URL, command");
    free(s);
    s = render(e, "<TMPL_LOOP name=tiles><TMPL_VAR name=key>:<TMPL_VAR name=value>:"
                  "<TMPL_VAR name=\"change_dir\">;</TMPL_LOOP>", v);
    is_str(s, "suggestions:10:none;acceptance:40.0%:none;use:\xe2\x80\x93:none;"
              "confidence:\xe2\x80\x93:none;ece:\xe2\x80\x93:none;",
           "tiles without a previous week");
    free(s);
    json_object_put(r);
    tmpl_vars_free(v);

    /* week-on-week: the sign as shown decides the direction */
    ok(tmpl_vars_new(&v) == AID_OK, "vars again");
    r = json_tokener_parse("{\"week\":\"2026-W47\",\"totals\":{\"suggestions\":110},"
                           "\"rates\":{\"acceptance\":0.40004,\"use\":0.5},"
                           "\"confidence\":{\"mean\":0.7,\"delta\":-0.01,\"ece\":0.05},"
                           "\"previous\":{\"week\":\"2026-W46\",\"totals\":{\"suggestions\":100},"
                           "\"rates\":{\"acceptance\":0.4,\"use\":0.45},\"ece\":0.06}}");
    is_int(html_week_vars(r, &cfg, v, &eb), AID_OK, "mapping with a previous week");
    s = render(e, "<TMPL_LOOP name=tiles><TMPL_VAR name=change>/<TMPL_VAR name=\"change_dir\">/"
                  "<TMPL_VAR name=\"change_class\">;</TMPL_LOOP>", v);
    is_str(s, "+10.0%/up/neutral;\xc2\xb1" "0.0 pp/flat/neutral;+5.0 pp/up/good;"
              "\xe2\x88\x92" "0.010/down/neutral;\xe2\x88\x92" "0.010/down/good;",
           "changes, directions and good/bad classes");
    free(s);
    json_object_put(r);
    tmpl_vars_free(v);
    tmpl_engine_free(e);
}

static void test_registry(void)
{
    is_int((int)render_ndocs, 3, "three documents");
    const render_doc *h = render_doc_find("html", 4), *p = render_doc_find("pdf", 3);
    ok(h && !strcmp(h->file, "index.html") && h->write == html_write && h->index == html_write_index,
       "html: index.html, html_write, and the archive index");
    ok(p && !strcmp(p->file, "digest.pdf") && p->write == pdf_write && !p->index, "pdf: digest.pdf");
    ok(!render_doc_find("htm", 3) && !render_doc_find("htmlx", 5), "no partial names");
    ok(!strcmp(render_docs[0].name, "pdf") && !strcmp(render_docs[2].name, "html"),
       "rendered in the order pdf, xlsx, html");
    const char *good[] = { "html", "pdf,xlsx", "xlsx,html,pdf", "html,html" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        ok(render_only_valid(good[i]), "--only %s is valid", good[i]);
    const char *bad[] = { "", "bogus", "html,", ",html", "html,,pdf", "HTML", "html pdf" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ok(!render_only_valid(bad[i]), "--only '%s' is refused", bad[i]);
    ok(render_only_wants(NULL, h) && render_only_wants("pdf,html", h) && !render_only_wants("pdf,xlsx", h),
       "only: NULL names all, a list names its members");
    strbuf sb = STRBUF_INIT;
    ok(render_doc_names(&sb) == 0, "names");
    is_str(sb.buf, "html, pdf, xlsx", "names in alphabetical order, for the usage error");
    strbuf_release(&sb);
    is_str(dqlabel_reason("invalid_json"), "Not valid JSON", "a reason's text");
    is_str(dqlabel_reason("something_new"), "something_new", "an unknown reason as it is");
    ok(dqlabel_nfields == 8 && !strcmp(dqlabel_fields[0].key, "files") && !dqlabel_fields[0].pdf,
       "eight figures; files read is not in the PDF");
}

int main(void)
{
    test_registry();
    test_url();
    test_week();
    test_fmt();
    test_vars();
    return tap_done();
}
