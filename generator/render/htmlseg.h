/*
 * htmlseg.h - the variables of the weekly page's segments section
 * (templates/partials/segments.html; docs/html.md lists them) from
 * report.json's `segments`: the breakdowns by prompt and by channel, and by
 * agent only with cfg->publish_agents (render/segview.h). A report
 * without segments (older weeks) sets none, and the section is left out.
 */
#ifndef AID_HTMLSEG_H
#define AID_HTMLSEG_H

#include <json-c/json.h>

#include "common/config.h"
#include "common/tmpl/tmpl.h"

/* Fill v. 0, or -1 when out of memory. */
AID_MUST_CHECK int htmlseg_vars(const struct json_object *report, const aid_config *cfg, tmpl_vars *v);

#endif
