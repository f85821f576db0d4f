/*
 * weeks.h - the weeks of the archive side by side: which weeks OUT holds,
 * their reports, and the headline figures of each (the archive index's
 * charts, the weekly page's previous/next links, the XLSX "Weeks" sheet;
 * docs/html.md and docs/xlsx.md).
 *
 * An archived week is a directory of OUT named like an ISO week
 * ("YYYY-Www" exactly, html_is_week) that holds a report.json. The
 * archive is the source: report.json has nothing of other weeks for this.
 * Nothing is printed.
 */
#ifndef AID_WEEKS_H
#define AID_WEEKS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "common/strbuf.h"

typedef struct weeks_week {
    char name[16];                  /* "2026-W46" */
    struct json_object *report;     /* owned; NULL when unreadable or not loaded */
} weeks_week;

/* The archived weeks, oldest first. */
typedef struct weeks_list {
    weeks_week *w;
    size_t n;
} weeks_list;

#define WEEKS_INIT { NULL, 0 }

/* Every archived week of out_dir into ws (which must be empty: WEEKS_INIT),
 * oldest first; with load, each report.json is read too (one that cannot
 * be read or is not a JSON object stays NULL: listed, not dropped).
 * AID_ERR_IO when out_dir cannot be opened, AID_ERR_NOMEM; ws is then
 * empty. */
AID_MUST_CHECK aid_err weeks_scan(weeks_list *ws, const char *out_dir, bool load, aid_errbuf *eb);

/* Free what ws holds and empty it. */
void weeks_release(weeks_list *ws);

/* The weeks just before and just after week in ws ("" when none). week
 * need not be archived itself. prev and next hold 16 bytes. */
void weeks_neighbours(const weeks_list *ws, const char *week, char *prev, char *next);

/* The archive a document at doc_path ("OUT/<week>/digest.xlsx") belongs
 * to: the directory above its week directory, or OUT for a week staged
 * in OUT/.stage.tmp.<pid>/<week>/. Into out (reset). 0, or -1 when out of
 * memory. */
AID_MUST_CHECK int weeks_archive_of(const char *doc_path, strbuf *out);

/* How a headline figure reads. */
typedef enum weeks_kind {
    WEEKS_COUNT,    /* 4,410 */
    WEEKS_RATE,     /* 36.9% */
    WEEKS_DEC,      /* 0.742 */
} weeks_kind;

/* One headline figure (the weekly page's key figures and the rejection
 * rate) as read from any report, schema 1 or 2. */
typedef struct weeks_figure {
    const char *key;        /* "acceptance": ids and CSS */
    const char *label;      /* "Acceptance rate" */
    const char *unit;       /* the y axis's label: "share of suggestions" */
    const char *path;       /* "rates.acceptance" */
    const char *ci;         /* its 95 % interval's path (schema 2), or NULL */
    weeks_kind kind;
} weeks_figure;

extern const weeks_figure weeks_figures[];
extern const size_t weeks_nfigures;

/* The figure in report (NULL: an unreadable week), NAN when it is null,
 * missing or not a finite number. */
double weeks_value(const struct json_object *report, const weeks_figure *f);

/* Its interval into lo, hi; false (lo = hi = NAN) when the report has none. */
bool weeks_interval(const struct json_object *report, const weeks_figure *f, double *lo, double *hi);

#endif
