#include "render/render.h"

#include <string.h>

const render_doc render_docs[] = {
    { "pdf", "digest.pdf", pdf_write, NULL },
    { "xlsx", "digest.xlsx", xlsx_write, NULL },
    { "html", "index.html", html_write, html_write_index },
};
const size_t render_ndocs = sizeof render_docs / sizeof render_docs[0];

const render_doc *render_doc_find(const char *name, size_t len)
{
    for (size_t i = 0; i < render_ndocs; i++) {
        if (strlen(render_docs[i].name) == len && !strncmp(name, render_docs[i].name, len))
            return &render_docs[i];
    }
    return NULL;
}

bool render_only_valid(const char *only)
{
    if (!only || !*only)
        return false;
    for (const char *p = only;;) {
        size_t l = strcspn(p, ",");
        if (!render_doc_find(p, l))
            return false;
        if (!p[l])
            return true;
        p += l + 1;
    }
}

bool render_only_wants(const char *only, const render_doc *doc)
{
    if (!only)
        return true;
    size_t n = strlen(doc->name);
    for (const char *p = only;;) {
        size_t l = strcspn(p, ",");
        if (l == n && !strncmp(p, doc->name, n))
            return true;
        if (!p[l])
            return false;
        p += l + 1;
    }
}

int render_doc_names(strbuf *out)
{
    const char *last = NULL;
    for (size_t k = 0; k < render_ndocs; k++) {
        const char *next = NULL;    /* the smallest name after last */
        for (size_t i = 0; i < render_ndocs; i++) {
            const char *n = render_docs[i].name;
            if ((!last || strcmp(n, last) > 0) && (!next || strcmp(n, next) < 0))
                next = n;
        }
        if (strbuf_addf(out, "%s%s", k ? ", " : "", next) < 0)
            return -1;
        last = next;
    }
    return 0;
}
