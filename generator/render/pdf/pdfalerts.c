#include "render/pdf/pdfalerts.h"

#include <json-c/json.h>
#include <stdio.h>

#include "common/jget.h"
#include "common/strbuf.h"

/* The banner's background, a light tint of C_RED. */
static const pdfpage_rgb C_ALERT_BG = {0.99, 0.93, 0.92};

enum { ALERTS_TITLE_H = 22, ALERTS_PAD = 8, ALERTS_INSET = 14 };

void pdfalerts_banner(pdfpage_ctx *c)
{
    size_t n = jget_len(c->r, "alerts");
    struct json_object *arr = jget(c->r, "alerts");
    if (!n)
        return;
    strbuf_reset(&c->f[0]);
    CK(strbuf_addf(&c->f[0], "%zu alert%s this week", n, n == 1 ? "" : "s"));
    pdfpage_need(c, ALERTS_TITLE_H + BODY_LEAD + 2 * ALERTS_PAD);
    pdfpage_rect(c, MARGIN_X, c->y - ALERTS_TITLE_H, CONTENT_W, ALERTS_TITLE_H, C_ALERT_BG);
    pdfpage_rect(c, MARGIN_X, c->y - ALERTS_TITLE_H, 4, ALERTS_TITLE_H, C_RED);
    pdfpage_text(c, MARGIN_X + ALERTS_INSET, c->y - 15, c->bold, 11, C_RED, 0, c->f[0].buf);
    c->y -= ALERTS_TITLE_H;
    for (size_t i = 0; i < n; i++) {
        const char *msg = jget_str(json_object_array_get_idx(arr, i), "message", "");
        strbuf_reset(&c->f[1]);
        CK(strbuf_addf(&c->f[1], "\xe2\x80\xa2 %s", msg)); /* a bullet */
        pdfpage_clean(c, 0, c->f[1].buf, false, NOTE_MAX_CP);
        pdftext_lines *L = pdfpage_wrap_slot(c, 0, c->reg, BODY_SIZE, CONTENT_W - 2 * ALERTS_INSET);
        for (size_t j = 0; j < L->n; j++) {
            pdfpage_need(c, BODY_LEAD);
            pdfpage_rect(c, MARGIN_X, c->y - BODY_LEAD, CONTENT_W, BODY_LEAD, C_ALERT_BG);
            pdfpage_rect(c, MARGIN_X, c->y - BODY_LEAD, 4, BODY_LEAD, C_RED);
            const pdftext_line *ln = &L->v[j];
            pdfpage_text_n(c, MARGIN_X + ALERTS_INSET + (j ? 8 : 0), pdfpage_baseline(c->y, BODY_LEAD, BODY_SIZE),
                           c->reg, BODY_SIZE, C_INK, 0, c->t[0].buf + ln->off, ln->len);
            c->y -= BODY_LEAD;
        }
    }
    pdfpage_rect(c, MARGIN_X, c->y - ALERTS_PAD, CONTENT_W, ALERTS_PAD, C_ALERT_BG);
    pdfpage_rect(c, MARGIN_X, c->y - ALERTS_PAD, 4, ALERTS_PAD, C_RED);
    c->y -= ALERTS_PAD + 14;
}
