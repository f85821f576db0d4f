/*
 * pdfcoach.h - the PDF's evidence behind the coach notes (coach.tips[]:
 * verdict, the two shares with their intervals and n, q, the edit counts)
 * and how much agents changed what they edited (edits{}). Both are left
 * out for a report of schema 1, which has neither.
 */
#ifndef AID_PDFCOACH_H
#define AID_PDFCOACH_H

#include "render/pdf/pdfpage.h"

void pdfcoach_evidence(pdfpage_ctx *c);
void pdfcoach_edits(pdfpage_ctx *c);

#endif
