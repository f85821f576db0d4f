/*
 * pdfcost.h - the PDF's cost and latency table (report.json cost{}, rows
 * and texts from render/costlabel.h; mean tokens are left to the page and
 * the XLSX for width). Left out when the report has no cost section.
 */
#ifndef AID_PDFCOST_H
#define AID_PDFCOST_H

#include "render/pdf/pdfpage.h"

void pdfcost_section(pdfpage_ctx *c);

#endif
