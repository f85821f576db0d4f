/*
 * pdf.h - the PDF digest (OUT/<week>/digest.pdf), drawn with libharu 2.3.0.
 *
 *   aid_err err = pdf_write(report, "out/2026-W47/digest.pdf", &cfg, &eb);
 *
 * A4 pages: a title block (with a link to the week's web page when
 * AIDIGEST_SITE_URL is set), key-figure tiles with the change against
 * last week, a line of links to the sections, the AI's self-summary, the
 * weekly summary, coach notes, the top used and top rejected replies,
 * trending topics, retraining adjustments with the Retrain control (a
 * link to AIDIGEST_RETRAIN_URL, as the HTML's button), data quality, and
 * vector charts of confidence with axis titles. Fonts are DejaVu Sans and
 * DejaVu Sans Bold (fonts-dejavu-core), with Symbola (fonts-symbola) per
 * character for the emoji and symbols DejaVu lacks, embedded as subsets
 * with ToUnicode maps that poppler and qpdf read without a warning; text
 * is UTF-8. docs/pdf.md describes the document.
 *
 * Text rule (pdftext.h): every string from the report goes through
 * pdftext_sanitize before it is drawn. Whatever no font can show is
 * replaced by U+FFFD "�" (PDF_SUBSTITUTE, present in DejaVu Sans),
 * one per offending code point or invalid byte: invalid UTF-8, control
 * characters, non-characters, private use, and code points without a
 * glyph in DejaVu or Symbola. Tabs become spaces. Text is normalised to
 * NFC, Arabic is shaped to its presentation forms, and each drawn line is
 * put in visual order by the Unicode bidirectional algorithm (ICU), so
 * Hebrew and Arabic read right.
 *
 * Output is deterministic: no dates unless SOURCE_DATE_EPOCH is set (then
 * CreationDate and ModDate are that time); libharu 2.3.0 writes no file ID
 * for unencrypted documents, so re-running gives byte-identical files.
 *
 * The module neither prints nor exits.
 */
#ifndef AID_PDF_H
#define AID_PDF_H

#include <json-c/json.h>

#include "common/config.h"
#include "common/err.h"

/* Render the report (borrowed) into path, atomically: libharu writes
 * fsutil_tmp_path(path), which is then renamed into place. cfg may be NULL
 * (team name "Support"). AID_ERR_PDF when libharu fails (the font files
 * missing, say), AID_ERR_IO when the file cannot be written. */
AID_MUST_CHECK aid_err pdf_write(struct json_object *report, const char *path, const aid_config *cfg,
                  aid_errbuf *eb);

#endif
