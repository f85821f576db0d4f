#include "render/pdf/pdfcost.h"

#include "common/strbuf.h"
#include "render/costlabel.h"

void pdfcost_section(pdfpage_ctx *c)
{
    static const pdfpage_col cols[] = {
        {"GROUP", 0.15, 0, 40, false, false},
        {"SUGGESTED (USED)", 0.14, 1, 0, false, false},
        {"MEDIAN", 0.14, 1, 0, true, false},
        {"P95", 0.14, 1, 0, true, false},
        {"CHANGE", 0.10, 1, 0, false, false},
        {"COST", 0.08, 1, 0, false, false},
        {"PER USED", 0.10, 1, 0, true, false},
        {"CHANGE", 0.15, 1, 0, false, false},
    };
    static const costlabel_col which[] = {COSTLABEL_NAME, COSTLABEL_REPLIES, COSTLABEL_MEDIAN,
                                          COSTLABEL_P95, COSTLABEL_P95_CHANGE, COSTLABEL_COST,
                                          COSTLABEL_PER_USED, COSTLABEL_PER_USED_CHANGE};
    enum { NC = sizeof cols / sizeof cols[0] };
    size_t n = costlabel_count(c->r);
    if (!n)
        return;
    strbuf cell[NC];
    for (int j = 0; j < NC; j++)
        cell[j] = (strbuf)STRBUF_INIT;
    pdfpage_table t = {cols, NC, 0, 0};
    for (size_t i = 0; i < n; i++) {
        const char *cells[NC];
        for (int j = 0; j < NC; j++) {
            strbuf_reset(&cell[j]);
            CK(costlabel_cell(&cell[j], c->r, i, which[j]));
            if (which[j] == COSTLABEL_MEDIAN || which[j] == COSTLABEL_P95) {
                /* the interval after the value: "410 ms (250–1,502)" */
                size_t at = cell[j].len;
                CK(strbuf_addc(&cell[j], ' '));
                CK(costlabel_cell(&cell[j], c->r, i, which[j] == COSTLABEL_MEDIAN ? COSTLABEL_MEDIAN_CI : COSTLABEL_P95_CI));
                if (cell[j].len == at + 1)
                    strbuf_setlen(&cell[j], at);
            }
            CK(strbuf_grow(&cell[j], 0));
            cells[j] = cell[j].buf ? cell[j].buf : "";
        }
        if (i == 0) {
            pdfpage_table_start(c, &t, "Cost and latency", cells);
        } else {
            pdfpage_table_prepare(c, &t, cells);
            pdfpage_table_row(c, &t);
        }
    }
    strbuf_reset(&cell[0]);
    CK(costlabel_note(&cell[0], c->r));
    c->y -= 4;
    if (cell[0].buf)
        pdfpage_note(c, cell[0].buf, C_MUTED, 7.6);
    for (int j = 0; j < NC; j++)
        strbuf_release(&cell[j]);
}
