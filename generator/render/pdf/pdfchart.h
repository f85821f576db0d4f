/*
 * pdfchart.h - the vector charts of the PDF digest (render/pdf/ only),
 * drawn with libharu's paths through the page toolkit (pdfpage.h): the
 * daily mean confidence, the confidence histogram against last week, and
 * the reliability diagram.
 */
#ifndef AID_PDFCHART_H
#define AID_PDFCHART_H

#include "render/pdf/pdfpage.h"

/* The "Confidence" section: its heading, the three charts and their notes. */
void pdfchart_confidence(pdfpage_ctx *c);

#endif
