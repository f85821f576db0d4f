/*
 * xlsxquote.h - the quote prefix of text cells that look like formulas.
 *
 * A text cell starting with = + - @ (or a tab or CR, see xlsxquote_needed)
 * is text in the file, but Excel and LibreOffice turn it into a formula as
 * soon as someone edits the cell, and a CSV saved from the sheet carries
 * it as one (CSV injection, OWASP). Excel's defence is the cell style's
 * "quote prefix" (quotePrefix="1" on the cell's xf in xl/styles.xml): the
 * cell shows and keeps a leading apostrophe that is not part of its value.
 *
 * libxlsxwriter 1.1.4 (Debian 12) cannot set it (no
 * format_set_quote_prefix), so xlsx.c gives such cells formats of their
 * own, and after workbook_close this module rewrites the finished file:
 * every zip entry is copied byte for byte (raw, compressed data, dates and
 * attributes as libxlsxwriter wrote them) except xl/styles.xml, in which
 * those xfs of <cellXfs> get quotePrefix="1". The formats are told apart
 * from their twins by format_set_hidden (libxlsxwriter would merge equal
 * formats into one xf); the rewrite removes that protection again, so the
 * xf differs from its twin by the quote prefix alone.
 *
 * Out of memory: styles.xml is inflated and deflated with zlib directly and
 * every entry is written raw, because minizip 1.1 leaks when its own
 * inflateInit or deflateInit fails. One failure remains inside minizip:
 * zipOpenNewFileInZip4_64 does not check its allocation of an entry's
 * central header and crashes (tests/fault's "all" pass shows it), the same
 * call libxlsxwriter's workbook_close makes for every entry, so the rewrite
 * adds no new kind of crash; every allocation of ours and every error
 * minizip does return is one "out of memory" line (errno ENOMEM).
 */
#ifndef AID_XLSXQUOTE_H
#define AID_XLSXQUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/strbuf.h"

/* Does a cell text starting so need the quote prefix? True when its first
 * character is = + - @, a tab or a CR, or when its first character other
 * than spaces, tabs, CR and LF is one of = + - @ (spreadsheets and CSV
 * importers that trim spaces would read " =1+1" as a formula too). */
bool xlsxquote_needed(const char *s);

/* styles.xml (xml[0..len)) with quotePrefix="1" on the cellXfs entries
 * whose 0-based indexes are xf[0..nxf), and their hidden-protection marker
 * (applyProtection="1", <protection hidden="1"/>) removed. out is reset
 * first. AID_ERR_XLSX when there is no <cellXfs> or an index is not in it,
 * AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err xlsxquote_styles(const char *xml, size_t len, const int32_t *xf, size_t nxf,
                                        strbuf *out, aid_errbuf *eb);

/* Copy the workbook at `in` to `out` (created or truncated; not renamed,
 * not synced) with xl/styles.xml rewritten by xlsxquote_styles. Messages
 * name `name` (the file the user will see). AID_ERR_IO for a file that
 * cannot be read or written, AID_ERR_XLSX for a workbook without
 * xl/styles.xml or the xfs, AID_ERR_NOMEM. On failure out may be left
 * behind: the caller removes it. */
AID_MUST_CHECK aid_err xlsxquote_rewrite(const char *in, const char *out, const char *name,
                                         const int32_t *xf, size_t nxf, aid_errbuf *eb);

#endif
