/*
 * pdf.c - the PDF digest: libharu's document, its fonts and info, the
 * sections in order (pdfsection.h, pdfchart.h, drawn with the page toolkit
 * pdfpage.h), and the atomic save.
 *
 * libharu reports errors through pdf_on_error, which longjmps back to
 * pdf_write; every allocation made between setjmp and longjmp lives in the
 * pdfpage_ctx so that cleanup frees it.
 */
#include "render/pdf/pdfalerts.h"
#include "render/pdf/pdf.h"

#include <hpdf.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/calendar.h"
#include "common/fsutil.h"
#include "common/jget.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "common/urlshow.h"
#include "render/pdf/pdfchart.h"
#include "render/pdf/pdffont.h"
#include "render/pdf/pdfpage.h"
#include "render/pdf/pdfcost.h"
#include "render/pdf/pdfsection.h"
#include "render/pdf/pdfsegments.h"
#include "render/segview.h"

static void pdf_on_error(HPDF_STATUS err, HPDF_STATUS detail, void *user)
{
    pdfpage_ctx *c = user;
    c->herr = (unsigned long)err;
    c->hdetail = (unsigned long)detail;
    longjmp(c->jb, 1);
}

/* ---- document --------------------------------------------------------- */

static void pdf_info(pdfpage_ctx *c)
{
    strbuf *s = &c->f[0];
    strbuf_reset(s);
    CK(strbuf_addf(s, PDF_TITLE " %s", c->week));
    pdffont_unpua(s);
    HPDF_SetInfoAttr(c->pdf, HPDF_INFO_TITLE, s->buf);
    HPDF_SetInfoAttr(c->pdf, HPDF_INFO_AUTHOR, "aidigest");
    HPDF_SetInfoAttr(c->pdf, HPDF_INFO_CREATOR, "aidigest");
    strbuf_reset(s);
    CK(strbuf_addf(s, "How the %s team's AI reply assistant did in week %s (%s)", c->team, c->week,
                   c->period.buf));
    pdffont_unpua(s); /* an emoji drawn in Symbola is a private-use code by now */
    HPDF_SetInfoAttr(c->pdf, HPDF_INFO_SUBJECT, s->buf);
    strbuf_reset(s);
    CK(strbuf_addf(s, "AI digest, support, acceptance, confidence, %s", c->week));
    pdffont_unpua(s);
    HPDF_SetInfoAttr(c->pdf, HPDF_INFO_KEYWORDS, s->buf);
    if (timeutil_have_source_date()) {
        calendar_date t = calendar_of_ms(timeutil_now_ms());
        HPDF_Date dt = {t.year, t.month, t.day, t.hour, t.min, t.sec, 'Z', 0, 0};
        if (t.year >= 0 && t.year <= 9999) {
            HPDF_SetInfoDateAttr(c->pdf, HPDF_INFO_CREATION_DATE, dt);
            HPDF_SetInfoDateAttr(c->pdf, HPDF_INFO_MOD_DATE, dt);
        }
    }
}

/* A link target must be plain ASCII (a PDF URI is 7-bit) and http(s). */
static bool pdf_uri_ok(const char *u)
{
    for (const unsigned char *p = (const unsigned char *)u; *p; p++)
        if (*p <= 0x20 || *p >= 0x7F)
            return false;
    return urlshow_http_ok(u);
}

/* The week's web page (AIDIGEST_SITE_URL/<week>/, as in the mail) and the
 * Retrain control: AIDIGEST_RETRAIN_URL as the HTML's "Retrain now"
 * button uses it, else the control on the web page. */
static void pdf_urls(pdfpage_ctx *c)
{
    const char *site = c->site_url;
    if (site && *site) {
        size_t l = strlen(site);
        CK(strbuf_addf(&c->page_url, "%s%s%s/", site, site[l - 1] == '/' ? "" : "/", c->week));
        if (!pdf_uri_ok(c->page_url.buf))
            strbuf_reset(&c->page_url);
    }
    if (c->retrain_cfg && *c->retrain_cfg && pdf_uri_ok(c->retrain_cfg))
        CK(strbuf_adds(&c->retrain_url, c->retrain_cfg));
    else if (c->page_url.len)
        CK(strbuf_addf(&c->retrain_url, "%s#retrain", c->page_url.buf));
}

/* The whole document, between setjmp and the save. */
static void pdf_layout(pdfpage_ctx *c)
{
    HPDF_SetCompressionMode(c->pdf, HPDF_COMP_ALL);
    HPDF_SetPageMode(c->pdf, HPDF_PAGE_MODE_USE_OUTLINE);
    HPDF_UseUTFEncodings(c->pdf);
    HPDF_SetCurrentEncoder(c->pdf, "UTF-8");
    pdffont_load(c);

    /* Week, previous week, team and period, made safe to draw. */
    pdfpage_clean(c, 0, jget_str(c->r, "week", "?"), false, 40);
    snprintf(c->week, sizeof c->week, "%s", c->t[0].buf);
    const char *pw = jget_str(c->r, "previous.week", NULL);
    if (!pw)
        pw = jget_str(c->r, "previous_week", NULL);
    pdfpage_clean(c, 0, pw ? pw : "last week", false, 40);
    snprintf(c->prev_week, sizeof c->prev_week, "%s", c->t[0].buf);
    pdfpage_clean(c, 0, c->team, false, 60);
    CK(strbuf_adds(&c->teamsb, c->t[0].buf));
    c->team = c->teamsb.buf;
    pdfsection_make_period(c);
    pdf_info(c);
    pdf_urls(c);

    pdfpage_new_page(c);
    pdfsection_title_block(c);
    pdfalerts_banner(c);
    pdfsection_overview(c);
    pdfsection_contents(c);
    pdfsection_self_summary(c);
    pdfsection_summary(c);
    pdfsection_coach(c);
    pdfsection_top_used(c);
    pdfsection_top_rejected(c);
    pdfsegments_section(c);
    pdfchart_confidence(c);
    pdfsection_trends(c);
    pdfsection_retraining(c);
    pdfcost_section(c);
    pdfsection_data_quality(c);
    pdfpage_footers(c);
    pdfpage_links(c);
    pdffont_finish(c);
}

aid_err pdf_write(struct json_object *report, const char *path, const aid_config *cfg, aid_errbuf *eb)
{
    pdfpage_ctx *c = calloc(1, sizeof *c);
    strbuf tmp = STRBUF_INIT;
    aid_err err = AID_OK;
    if (!c || fsutil_tmp_path(path, &tmp) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    pdfpage_ctx_init(c);
    c->r = report;
    c->team = cfg && cfg->team_name && *cfg->team_name ? cfg->team_name : "Support";
    c->site_url = cfg ? cfg->site_url : NULL;
    c->retrain_cfg = cfg ? cfg->retrain_url : NULL;
    c->publish_agents = segview_published(cfg, "agent");
    if (access(PDF_FONT_REGULAR, R_OK) || access(PDF_FONT_BOLD, R_OK)) {
        err = aid_errbuf_set(eb, AID_ERR_PDF, "%s: font %s not readable (install fonts-dejavu-core)", path,
                             access(PDF_FONT_REGULAR, R_OK) ? PDF_FONT_REGULAR : PDF_FONT_BOLD);
        goto cleanup;
    }
    c->pdf = HPDF_New(pdf_on_error, c);
    if (!c->pdf) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: libharu: out of memory", path);
        goto cleanup;
    }
    if (setjmp(c->jb)) {
        if (c->oom || c->herr == HPDF_FAILD_TO_ALLOC_MEM)
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path);
        else if (c->saving)
            err = aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot write (libharu error 0x%04lX)", tmp.buf,
                                 c->herr);
        else
            err = aid_errbuf_set(eb, AID_ERR_PDF, "%s: libharu error 0x%04lX (detail %lu)", path, c->herr,
                                 c->hdetail);
        unlink(tmp.buf);
        goto cleanup;
    }
    pdf_layout(c);
    if (c->oom) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    c->saving = true;
    if (HPDF_SaveToFile(c->pdf, tmp.buf) != HPDF_OK) {
        unlink(tmp.buf);
        if (HPDF_GetError(c->pdf) == HPDF_FAILD_TO_ALLOC_MEM)
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path);
        else
            err = aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot write", tmp.buf);
        goto cleanup;
    }
    err = fsutil_commit_tmp(tmp.buf, path, eb);
cleanup:
    if (c)
        pdfpage_ctx_release(c);
    free(c);
    strbuf_release(&tmp);
    return err;
}
