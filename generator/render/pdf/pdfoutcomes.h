/*
 * pdfoutcomes.h - the PDF's outcomes section (report.outcomes,
 * docs/figures.md "Outcomes"): the join's counts, CSAT and resolution per
 * class of conversations with the change against last week, the
 * differences between the classes and the figures per prompt, in the texts
 * of render/outcomelabel.h. Left out when the report has no outcomes.
 */
#ifndef AID_PDFOUTCOMES_H
#define AID_PDFOUTCOMES_H

#include "render/pdf/pdfpage.h"

void pdfoutcomes_section(pdfpage_ctx *c);

#endif
