/*
 * render/render.h - the render stage's public header: the week's documents
 * (HTML page and archive index, PDF, XLSX) from a report, and the one list
 * of them, render_docs[].
 *
 * A new document type is a `*_write(report, path, cfg, eb)` function and
 * one line in render_docs[] (render/render.c): the command line's
 * `render --only` accepts its name and the pipeline renders it, in the
 * order of the list.
 */
#ifndef AID_RENDER_H
#define AID_RENDER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/config.h"
#include "common/err.h"
#include "common/strbuf.h"
#include "render/dqlabel.h"
#include "render/html.h"
#include "render/pdf/pdf.h"
#include "render/xlsx.h"

/* The directory the pipeline stages a week in before it is put in place
 * is OUT/RENDER_STAGE_PREFIX<pid>/<week>/ (pipeline/pipeline.c names it
 * with this): a document written there belongs to the archive OUT, whose
 * other weeks it may read (weeks_archive_of, render/weeks.h). */
#define RENDER_STAGE_PREFIX ".stage.tmp."

/* Write one document of the week from report (borrowed) to path; the
 * directory exists. */
typedef aid_err (*render_write_fn)(struct json_object *report, const char *path,
                                   const aid_config *cfg, aid_errbuf *eb);
/* Write what spans the weeks in out_dir (the archive index), or NULL. */
typedef aid_err (*render_index_fn)(const char *out_dir, const aid_config *cfg, aid_errbuf *eb);

typedef struct render_doc {
    const char *name;           /* what `render --only` names: "pdf" */
    const char *file;           /* its file in OUT/<week>/: "digest.pdf" */
    render_write_fn write;
    render_index_fn index;      /* after every week is in place; NULL = none */
} render_doc;

/* The documents, in the order they are rendered. */
extern const render_doc render_docs[];
extern const size_t render_ndocs;

/* The document called name (len bytes of it), or NULL. */
const render_doc *render_doc_find(const char *name, size_t len);

/* True when only is a non-empty comma-separated list of document names
 * (no empty item). */
bool render_only_valid(const char *only);

/* Append the document names in alphabetical order, separated by ", "
 * ("html, pdf, xlsx"), for messages. 0, or -1 when out of memory. */
AID_MUST_CHECK int render_doc_names(strbuf *out);

/* True when the comma-separated list only names doc; only = NULL names
 * every document. */
bool render_only_wants(const char *only, const render_doc *doc);

#endif
