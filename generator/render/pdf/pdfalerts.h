/*
 * pdfalerts.h - the alerts banner of the PDF digest (render/pdf/ only):
 * report.json alerts[] (docs/figures.md, "Alerts") in a red box on the
 * first page, under the title block. Nothing when no rule fired or the
 * report was made before alerts existed.
 */
#ifndef AID_PDFALERTS_H
#define AID_PDFALERTS_H

#include "render/pdf/pdfpage.h"

/* Draw the banner at the cursor (c->y) and move the cursor below it. */
void pdfalerts_banner(pdfpage_ctx *c);

#endif
