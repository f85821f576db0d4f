#include "render/weeks.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/jget.h"
#include "render/html.h"
#include "render/render.h"

const weeks_figure weeks_figures[] = {
    { "suggestions", "Suggestions", "suggestions", "totals.suggestions", NULL, WEEKS_COUNT },
    { "acceptance", "Acceptance rate", "share sent as is", "rates.acceptance", "rates.acceptance_ci",
      WEEKS_RATE },
    { "use", "Use rate", "share accepted or edited", "rates.use", "rates.use_ci", WEEKS_RATE },
    { "rejection", "Rejection rate", "share rejected", "rates.rejection", "rates.rejection_ci",
      WEEKS_RATE },
    { "confidence", "Mean confidence", "model's confidence", "confidence.mean", NULL, WEEKS_DEC },
    { "ece", "Calibration error (ECE)", "ECE, lower is better", "confidence.ece", NULL, WEEKS_DEC },
};
const size_t weeks_nfigures = sizeof weeks_figures / sizeof weeks_figures[0];

static double weeks_num(const struct json_object *o)
{
    if (!o || !(json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double)))
        return NAN;
    double d = json_object_get_double(o);
    return isfinite(d) ? d : NAN;
}

double weeks_value(const struct json_object *report, const weeks_figure *f)
{
    return report ? weeks_num(jget(report, f->path)) : NAN;
}

bool weeks_interval(const struct json_object *report, const weeks_figure *f, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (!report || !f->ci || jget_len(report, f->ci) != 2)
        return false;
    struct json_object *ci = jget(report, f->ci);
    double a = weeks_num(json_object_array_get_idx(ci, 0)), b = weeks_num(json_object_array_get_idx(ci, 1));
    if (isnan(a) || isnan(b) || b < a)
        return false;
    *lo = a;
    *hi = b;
    return true;
}

void weeks_release(weeks_list *ws)
{
    for (size_t i = ws->n; i-- > 0;)
        json_object_put(ws->w[i].report);
    free(ws->w);
    ws->w = NULL;
    ws->n = 0;
}

static int weeks_cmp(const void *a, const void *b)
{
    return strcmp(((const weeks_week *)a)->name, ((const weeks_week *)b)->name);
}

/* Read out/<name>/report.json into *report (NULL when unreadable).
 * AID_ERR_NOMEM or AID_OK. */
static aid_err weeks_load(const char *path, struct json_object **report, aid_errbuf *eb)
{
    char *data = NULL;
    size_t len = 0;
    *report = NULL;
    aid_err rerr = fsutil_read_file(path, &data, &len, NULL);
    int prc = rerr == AID_OK ? jget_parse(data, report) : 0;
    free(data);
    if (rerr == AID_ERR_NOMEM || prc < 0)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path);
    if (*report && !json_object_is_type(*report, json_type_object)) {
        json_object_put(*report);
        *report = NULL;
    }
    return AID_OK;
}

aid_err weeks_scan(weeks_list *ws, const char *out_dir, bool load, aid_errbuf *eb)
{
    strbuf path = STRBUF_INIT;
    size_t cap = 0;
    aid_err err = AID_OK;
    DIR *d = opendir(out_dir);
    if (!d) {
        err = aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot open the output directory", out_dir);
        goto cleanup;
    }
    for (struct dirent *de; (de = readdir(d));) {
        if (!html_is_week(de->d_name))
            continue;
        strbuf_reset(&path);
        if (strbuf_addf(&path, "%s/%s/report.json", out_dir, de->d_name) < 0) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "weeks: out of memory");
            goto cleanup;
        }
        if (!fsutil_exists(path.buf))
            continue;
        if (ws->n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            weeks_week *nw = realloc(ws->w, nc * sizeof *nw);
            if (!nw) {
                err = aid_errbuf_set(eb, AID_ERR_NOMEM, "weeks: out of memory");
                goto cleanup;
            }
            ws->w = nw;
            cap = nc;
        }
        memcpy(ws->w[ws->n].name, de->d_name, 9);  /* html_is_week: 8 characters */
        ws->w[ws->n].report = NULL;
        ws->n++;
    }
    if (ws->n)
        qsort(ws->w, ws->n, sizeof *ws->w, weeks_cmp);
    for (size_t i = 0; load && i < ws->n; i++) {
        strbuf_reset(&path);
        if (strbuf_addf(&path, "%s/%s/report.json", out_dir, ws->w[i].name) < 0) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "weeks: out of memory");
            goto cleanup;
        }
        if ((err = weeks_load(path.buf, &ws->w[i].report, eb)))
            goto cleanup;
    }
cleanup:
    if (d)
        closedir(d);
    strbuf_release(&path);
    if (err)
        weeks_release(ws);
    return err;
}

void weeks_neighbours(const weeks_list *ws, const char *week, char *prev, char *next)
{
    prev[0] = next[0] = '\0';
    for (size_t i = 0; i < ws->n; i++) {
        int c = strcmp(ws->w[i].name, week);
        if (c < 0)
            memcpy(prev, ws->w[i].name, 16);
        else if (c > 0) {
            memcpy(next, ws->w[i].name, 16);
            break;
        }
    }
}

/* The last component of path[0..len) and its length. */
static const char *weeks_base(const char *path, size_t len, size_t *blen)
{
    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t s = len;
    while (s > 0 && path[s - 1] != '/')
        s--;
    *blen = len - s;
    return path + s;
}

/* The length of dirname(path[0..len)) ("" = "."). */
static size_t weeks_dirlen(const char *path, size_t len)
{
    while (len > 1 && path[len - 1] == '/')
        len--;
    while (len > 0 && path[len - 1] != '/')
        len--;
    while (len > 1 && path[len - 1] == '/')
        len--;
    return len;
}

int weeks_archive_of(const char *doc_path, strbuf *out)
{
    size_t week_dir = weeks_dirlen(doc_path, strlen(doc_path));
    size_t root = weeks_dirlen(doc_path, week_dir);
    size_t blen;
    const char *base = weeks_base(doc_path, root, &blen);
    if (root && blen > strlen(RENDER_STAGE_PREFIX) &&
        !strncmp(base, RENDER_STAGE_PREFIX, strlen(RENDER_STAGE_PREFIX)))
        root = weeks_dirlen(doc_path, root);
    strbuf_reset(out);
    return root ? strbuf_add(out, doc_path, root) : strbuf_adds(out, ".");
}
