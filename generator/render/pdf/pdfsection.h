/*
 * pdfsection.h - the sections of the PDF digest (render/pdf/ only), each
 * drawn from the report in c->r at the cursor with the page toolkit
 * (pdfpage.h), in the order pdf.c lays them out: the title block, the
 * key-figure tiles, the AI's self-summary, the weekly summary, coach
 * notes, the top used and top rejected replies, trending topics,
 * retraining adjustments and data quality. The charts are pdfchart.h's.
 */
#ifndef AID_PDFSECTION_H
#define AID_PDFSECTION_H

#include "render/pdf/pdfpage.h"

/* "16\u201322 November 2026" from period.start/end into c->period. */
void pdfsection_make_period(pdfpage_ctx *c);
/* The navy title block at the top of page 1. */
void pdfsection_title_block(pdfpage_ctx *c);
/* "At a glance": the tiles with the change against last week, and a line
 * of counts. */
void pdfsection_overview(pdfpage_ctx *c);
/* "In this digest:" a line of links to the sections below. */
void pdfsection_contents(pdfpage_ctx *c);
void pdfsection_self_summary(pdfpage_ctx *c);
void pdfsection_summary(pdfpage_ctx *c);
void pdfsection_coach(pdfpage_ctx *c);
void pdfsection_top_used(pdfpage_ctx *c);
void pdfsection_top_rejected(pdfpage_ctx *c);
void pdfsection_trends(pdfpage_ctx *c);
/* The retraining table, then the Retrain control: a "Retrain now" link
 * (c->retrain_url) when there is one, and the git command. */
void pdfsection_retraining(pdfpage_ctx *c);
/* The data_quality figures (dqlabel.h) and the bad lines by reason. */
void pdfsection_data_quality(pdfpage_ctx *c);

#endif
