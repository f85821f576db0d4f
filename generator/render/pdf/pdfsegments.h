/*
 * pdfsegments.h - the PDF's "Where it happened" section: report.json's
 * segments by prompt (with the versions seen) and by channel, and by agent
 * only when c->publish_agents (render/segview.h: agents are people, and the
 * mail carries this PDF). Rows whose acceptance changed significantly or
 * differs significantly from the rest of the team (Benjamini-Hochberg
 * across the table) are marked "significant"; the others are plain. Left
 * out for a report without segments.
 */
#ifndef AID_PDFSEGMENTS_H
#define AID_PDFSEGMENTS_H

#include "render/pdf/pdfpage.h"

void pdfsegments_section(pdfpage_ctx *c);

#endif
