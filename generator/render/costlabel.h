/*
 * costlabel.h - the cost and latency table of report.json's `cost`
 * section (docs/figures.md "Cost and latency") as the HTML page and the
 * PDF show it: its rows (the whole team, then each prompt, then each
 * model) and each cell's text through common/numfmt. The XLSX writes the
 * same rows with the numbers themselves (costlabel_rows_json).
 */
#ifndef AID_COSTLABEL_H
#define AID_COSTLABEL_H

#include <json-c/json.h>
#include <stddef.h>

#include "common/err.h"
#include "common/strbuf.h"

typedef enum costlabel_col {
    COSTLABEL_NAME,       /* "All suggestions", "Prompt billing", "Model m-large" */
    COSTLABEL_REPLIES,    /* "10 (7 used)" */
    COSTLABEL_MEDIAN,     /* "410 ms" */
    COSTLABEL_MEDIAN_CI,  /* its 95 % interval: "(250–1,502)", "" without one */
    COSTLABEL_P95,        /* "2,100 ms" */
    COSTLABEL_P95_CI,     /* "(≥ 800)": one-sided when few latencies bound only one end */
    COSTLABEL_P95_CHANGE, /* "+1,700 ms" against the week before */
    COSTLABEL_TOKENS,     /* mean tokens in / out: "200 / 50.1" */
    COSTLABEL_COST,       /* total: "0.1250" */
    COSTLABEL_PER_USED,   /* cost per used reply: "0.0179" */
    COSTLABEL_PER_USED_CHANGE, /* "−0.0021 (×0.89)" */
    COSTLABEL__COUNT
} costlabel_col;

/* The column titles. */
extern const char *const costlabel_titles[COSTLABEL__COUNT];

/* Rows of the table: 0 when the report has no cost section. */
size_t costlabel_count(const struct json_object *report);

/* Row i's figures (borrowed; NULL past the end) and its kind ("all",
 * "prompt", "model") and name (NULL for "all"). */
struct json_object *costlabel_row(const struct json_object *report, size_t i, const char **kind,
                                  const char **name);

/* The currency ("USD" when the report does not say). */
const char *costlabel_currency(const struct json_object *report);

/* Append row i's cell col (– when the figure is absent). 0 or -1 (out of memory). */
AID_MUST_CHECK int costlabel_cell(strbuf *out, const struct json_object *report, size_t i, costlabel_col col);

/* The one-line note under the table: currency, percentile method and
 * precision. 0 or -1. */
AID_MUST_CHECK int costlabel_note(strbuf *out, const struct json_object *report);

/* *out: a new array of one object per row, {"kind", "name", and the row's
 * figures}, for the XLSX. AID_ERR_NOMEM. */
AID_MUST_CHECK aid_err costlabel_rows_json(const struct json_object *report, struct json_object **out,
                                           aid_errbuf *eb);

#endif
