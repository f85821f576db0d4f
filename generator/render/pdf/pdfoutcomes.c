#include "render/pdf/pdfoutcomes.h"

#include "common/jget.h"
#include "common/strbuf.h"
#include "render/outcomelabel.h"

/* f[slot] = what fn writes of x. */
static const char *label(pdfpage_ctx *c, int slot, int (*fn)(strbuf *, const struct json_object *),
                         const struct json_object *x)
{
    strbuf *s = &c->f[slot];
    strbuf_reset(s);
    CK(fn(s, x));
    return s->buf ? s->buf : "";
}

static void class_rows(pdfpage_ctx *c, pdfpage_table *t, const struct json_object *list, const char *prompt,
                       bool *first, const char *heading)
{
    for (size_t i = 0, n = list ? json_object_array_length(list) : 0; i < n; i++) {
        const struct json_object *cls = json_object_array_get_idx(list, i);
        const char *name = outcomelabel_class(jget_str(cls, "class", ""));
        const char *cells[] = { prompt ? prompt : name, prompt ? name : pdfpage_fmt_int(c, 0, jget_double(cls, "with_outcome", 0)),
                                label(c, 1, outcomelabel_csat, cls), label(c, 2, outcomelabel_high, cls),
                                label(c, 3, outcomelabel_resolution, cls) };
        if (*first) {
            pdfpage_need(c, 60); /* the table's title stays with its first rows */
            pdfpage_note(c, heading, (pdfpage_rgb){ 0.40, 0.44, 0.50 }, 8);
            pdfpage_table_start(c, t, NULL, cells);
        }
        else {
            pdfpage_table_prepare(c, t, cells);
            pdfpage_table_row(c, t);
        }
        *first = false;
    }
}

void pdfoutcomes_section(pdfpage_ctx *c)
{
    const struct json_object *oc = jget(c->r, "outcomes");
    if (!oc || !json_object_is_type(oc, json_type_object))
        return;
    static const pdfpage_col cols[] = {
        { "CONVERSATIONS", 0.20, 0, 40, true, false },
        { "WITH OUTCOME", 0.12, 1, 0, false, false },
        { "CSAT (1\xe2\x80\x93" "5)", 0.24, 1, 0, false, false },
        { "CSAT 4\xe2\x80\x93" "5", 0.20, 1, 0, false, false },
        { "RESOLVED", 0.24, 1, 0, false, false },
    };
    pdfpage_heading(c, "How customers fared, by how the AI's reply was used", 90);
    pdfpage_paragraph(c, label(c, 6, outcomelabel_note, oc), NULL, 0);
    c->y -= 4;
    pdfpage_table t = { cols, 5, 0, 0 };
    bool first = true;
    class_rows(c, &t, jget(oc, "by_class"), NULL, &first, "CSAT and resolution this week");
    c->y -= 4;
    static const pdfpage_col ccols[] = {
        { "CLASSES", 0.28, 0, 60, true, false },
        { "CHANGE OR DIFFERENCE (95% INTERVAL, VERDICT)", 0.72, 0, 0, false, false },
    };
    pdfpage_table ct = { ccols, 2, 0, 0 };
    first = true;
    const struct json_object *list = jget(oc, "by_class");
    for (size_t i = 0, n = jget_len(oc, "by_class"); i < n; i++) {
        const struct json_object *cls = json_object_array_get_idx(list, i);
        strbuf *s = &c->f[4];
        strbuf_reset(s);
        CK(strbuf_adds(s, outcomelabel_class(jget_str(cls, "class", ""))));
        CK(strbuf_adds(s, ": against last week"));
        const char *cells[] = { s->buf ? s->buf : "", label(c, 5, outcomelabel_compare, jget(cls, "changes")) };
        if (first) {
            pdfpage_need(c, 60);
            pdfpage_note(c, "Against last week, and between the classes", (pdfpage_rgb){ 0.40, 0.44, 0.50 }, 8);
            pdfpage_table_start(c, &ct, NULL, cells);
        }
        else {
            pdfpage_table_prepare(c, &ct, cells);
            pdfpage_table_row(c, &ct);
        }
        first = false;
    }
    list = jget(oc, "differences");
    for (size_t i = 0, n = jget_len(oc, "differences"); i < n; i++) {
        const struct json_object *d = json_object_array_get_idx(list, i);
        strbuf *s = &c->f[4];
        strbuf_reset(s);
        CK(strbuf_adds(s, outcomelabel_class(jget_str(d, "a", ""))));
        CK(strbuf_adds(s, " \xe2\x88\x92 "));
        CK(strbuf_adds(s, outcomelabel_class(jget_str(d, "b", ""))));
        const char *cells[] = { s->buf ? s->buf : "", label(c, 5, outcomelabel_compare, d) };
        pdfpage_table_prepare(c, &ct, cells);
        pdfpage_table_row(c, &ct);
    }
    c->y -= 4;
    static const pdfpage_col pcols[] = {
        { "PROMPT", 0.16, 0, 30, true, false },
        { "CONVERSATIONS", 0.18, 0, 0, false, false },
        { "CSAT (1\xe2\x80\x93" "5)", 0.24, 1, 0, false, false },
        { "CSAT 4\xe2\x80\x93" "5", 0.18, 1, 0, false, false },
        { "RESOLVED", 0.24, 1, 0, false, false },
    };
    pdfpage_table pt = { pcols, 5, 0, 0 };
    first = true;
    list = jget(oc, "prompts");
    for (size_t i = 0, n = jget_len(oc, "prompts"); i < n; i++) {
        const struct json_object *p = json_object_array_get_idx(list, i);
        class_rows(c, &pt, jget(p, "by_class"), jget_str(p, "prompt_id", ""), &first, "Outcomes by prompt");
    }
    c->y -= 4;
}
