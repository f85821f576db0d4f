/*
 * xlsx.h - the analysts' workbook: OUT/<week>/digest.xlsx from report.json.
 *
 * Sheets (docs/xlsx.md describes every column): Summary, Top used,
 * Top rejected, Confidence, Calibration, Trends, Retraining, Coach notes,
 * Data quality. Every list is an Excel table (header row, autofilter) under
 * a frozen header row; numbers are stored as numbers, dates as Excel dates.
 * A JSON null or missing value gives an empty cell; an empty list gives a
 * table with one row reading "(none this week)". Rows with wrapped text
 * get heights for their lines; each sheet has its print set-up (A4,
 * landscape but Summary, header row repeated, one page wide where the
 * scale stays readable, every chart on a page of its own). A text that a
 * spreadsheet would take for a formula (= + - @ first) carries the quote
 * prefix (render/xlsxquote.h).
 *
 * The file is written atomically: libxlsxwriter writes fsutil_tmp_path(path),
 * which is renamed onto path only when the whole workbook was written (with
 * quote prefixes, the patched copy of it, written beside it).
 * The document's creation time is SOURCE_DATE_EPOCH when set, else the
 * report's generated_at (else the start of its week), so a re-run gives a
 * byte-identical file.
 */
#ifndef AID_XLSX_H
#define AID_XLSX_H

#include <stddef.h>

#include "common/config.h"
#include "common/err.h"
#include "common/strbuf.h"

struct json_object;

/* Excel's limit for the text of one cell, in UTF-16 code units. */
#define XLSX_CELL_MAX 32767
/* What a cut text ends with. */
#define XLSX_TRUNC_MARKER "\xE2\x80\xA6 [truncated]"

/* Write the workbook for `report` (borrowed) to `path`. cfg may be NULL
 * (team name "Support"). Returns AID_ERR_IO when the file cannot be
 * created, AID_ERR_XLSX when libxlsxwriter refuses the content, and leaves
 * nothing at path or its temporary name on failure. Prints nothing: what
 * libxlsxwriter would print on stderr ("[ERROR] workbook_close(): ...") is
 * captured while the workbook is written, and its last line ends the
 * error message. Not to be called while other threads write to stderr. */
AID_MUST_CHECK aid_err xlsx_write(struct json_object *report, const char *path, const aid_config *cfg,
                   aid_errbuf *eb);

/* Make text safe for a cell: replace invalid UTF-8 (bad bytes, overlong
 * forms, surrogates, code points above U+10FFFF, cut sequences) with U+FFFD,
 * drop the control characters XML 1.0 forbids (and U+FFFE, U+FFFF), turn
 * CR LF and lone CR into LF, and cut the result so that it holds at most
 * `max_units` UTF-16 code units, ending with XLSX_TRUNC_MARKER when cut
 * (never inside a code point; max_units must be at least the marker's 13).
 * out is reset first. Returns 0, or -1 when
 * out of memory. */
AID_MUST_CHECK int xlsx_sanitize(const char *s, size_t len, size_t max_units, strbuf *out);

#endif
