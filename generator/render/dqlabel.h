/*
 * dqlabel.h - the human texts for the report's data_quality figures and
 * for the reasons a log line was set aside (data_quality.bad_by_reason,
 * the names of read/event.h's event_bad_name), in one place for every
 * document.
 *
 * It lives in render/ and is exported by render/render.h: the documents
 * (html, pdf, xlsx) are its users, and publish/ (the mail), the one later
 * stage that shows data quality, may include render/render.h under the
 * layering rule; nothing before render needs it, so common/ would be the
 * wrong home.
 *
 * The documents word the figures differently on purpose: the workbook's
 * measure column is short (`sheet`), the PDF's table says what was done
 * with the lines (`pdf`); the HTML page takes its texts from its template
 * (templates/partials/data-quality.html) and only its variable names
 * ("dq_" + key) from here.
 */
#ifndef AID_DQLABEL_H
#define AID_DQLABEL_H

#include <stddef.h>

/* One data_quality figure. */
typedef struct dqlabel_field {
    const char *key;    /* "lines": the report's data_quality.<key> */
    const char *path;   /* "data_quality.lines" */
    const char *sheet;  /* the workbook's measure: "Lines read" */
    const char *pdf;    /* the PDF's row, NULL = not in the PDF: "Log lines read" */
} dqlabel_field;

/* The figures, in the order the documents list them. */
extern const dqlabel_field dqlabel_fields[];
extern const size_t dqlabel_nfields;

/* The text for a bad-line reason ("invalid_json" -> "Not valid JSON"); an
 * unknown reason is returned as it is. */
const char *dqlabel_reason(const char *reason);

#endif
