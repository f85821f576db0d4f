/*
 * segview.h - what every document shows of report.json's `segments`
 * (docs/figures.md "Segments"): which breakdowns a document shows, their
 * titles, and a segment's label. Shared by html, pdf and xlsx so the three
 * agree. Agents are people: the published documents (page, PDF, which the
 * mail carries) show the agent breakdown only with cfg->publish_agents;
 * the workbook always has it.
 */
#ifndef AID_SEGVIEW_H
#define AID_SEGVIEW_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/config.h"
#include "common/strbuf.h"

#define SEGVIEW_DIMS 3

/* The breakdowns in report order: "prompt", "channel", "agent". */
extern const char *const segview_dims[SEGVIEW_DIMS];

/* Whether the page and the PDF show breakdown dim (agent only with
 * cfg->publish_agents; cfg may be NULL: off). */
bool segview_published(const aid_config *cfg, const char *dim);

/* "Prompt", "Channel", "Agent". */
const char *segview_title(const char *dim);

/* A row's label: the value; "(none)" for suggestions without the field;
 * "other (3 segments)" for the pooled ones. 0 or -1 (out of memory). */
AID_MUST_CHECK int segview_label(strbuf *out, const struct json_object *row);

/* The prompt versions of a prompt row, "v4 508, v3 357" ("" when none;
 * a suggestion without a version is "no version"). 0 or -1. */
AID_MUST_CHECK int segview_versions(strbuf *out, const struct json_object *row);

#endif
