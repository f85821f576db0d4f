/*
 * html.h - the HTML pages: the weekly digest OUT/<week>/index.html and the
 * archive index OUT/index.html (docs/html.md).
 *
 * Pages are rendered by the template engine (tmpl.h) in safe mode from
 *   <templates>/week.html, <templates>/index.html, the files in <templates>/partials/
 * with the one stylesheet <templates>/style.css included inline into every
 * page (so each page stands alone: no OUT/style.css to keep in step).
 * <templates> is the directory config_templates_dir() chooses
 * (AIDIGEST_TEMPLATES, else templates/ beside the executable, else ./templates).
 * Templates are read at run time: editing them changes the pages without
 * recompiling.
 *
 * Every text taken from the report is HTML-escaped by the engine; the only
 * unescaped variables are the SVG charts, which svgchart.h draws and
 * escapes itself. The one link taken from the configuration
 * (cfg->retrain_url) is used only when it is an http(s) URL.
 *
 * Format functions registered for templates (fmt="..."): int (12,345),
 * pct (36.9%), pp (+2.4 pp), dec (0.742), dec1 (95.3), signed (−0.029),
 * date (16 Nov 2026), day (Mon 16 Nov). A value that is not a number
 * (report nulls are passed as "null") is shown as an en dash.
 *
 * Pages are written atomically (fsutil_write_atomic). Nothing is printed.
 */
#ifndef AID_HTML_H
#define AID_HTML_H

#include <json-c/json.h>
#include <stdbool.h>

#include "common/config.h"
#include "common/err.h"
#include "common/strbuf.h"
#include "common/tmpl/tmpl.h"

/* Render report (borrowed) into path (the weekly page; its directory
 * exists), with links to the archived weeks just before and after it in
 * the archive the path belongs to (weeks_archive_of, render/weeks.h).
 * AID_ERR_PARSE when report.week is not a valid "YYYY-Www". */
AID_MUST_CHECK aid_err html_write(struct json_object *report, const char *path, const aid_config *cfg,
                   aid_errbuf *eb);

/* Scan OUT/<week>/report.json for every directory named like a week and
 * write OUT/index.html: the weeks newest first with their headline figures,
 * and a labelled line chart of each headline figure over the weeks
 * (svgchart_weeks). An unreadable report.json is listed as such, not
 * skipped. Then every week's page that exists is rendered again with its
 * previous/next links and rewritten when it changed, so no page keeps a
 * stale link after a week is added or re-run. */
AID_MUST_CHECK aid_err html_write_index(const char *out_dir, const aid_config *cfg, aid_errbuf *eb);

/* The parts, public for the tests. */

/* A new safe-mode engine rooted at the templates directory, with the
 * format functions registered, into *out (the caller frees it with
 * tmpl_engine_free). AID_ERR_NOMEM on allocation failure (*out = NULL). */
AID_MUST_CHECK aid_err html_engine_new(tmpl_engine **out, const aid_config *cfg, aid_errbuf *eb);

/* Fill v with the variables of week.html from report (docs/html.md lists
 * them). */
AID_MUST_CHECK aid_err html_week_vars(struct json_object *report, const aid_config *cfg, tmpl_vars *v,
                       aid_errbuf *eb);

/* Render the weekly page into out (appended), without previous/next links. */
AID_MUST_CHECK aid_err html_render_week(tmpl_engine *e, struct json_object *report, const aid_config *cfg,
                         strbuf *out, aid_errbuf *eb);

/* True when url is an absolute http:// or https:// URL with a host and no
 * white space, control characters, quotes, angle brackets or backslashes. */
bool html_url_ok(const char *url);

/* True when name is a canonical ISO week name "YYYY-Www". */
bool html_is_week(const char *name);

#endif
