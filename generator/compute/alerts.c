#include "compute/alerts.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/jget.h"
#include "common/numfmt.h"
#include "common/strbuf.h"
#include "common/textnorm.h"
#include "compute/neardup.h"

const char *const alerts_rules[ALERTS_NRULES] = {
    "acceptance_drop", "ece", "drift", "prompt_drop", "new_rejected_reply",
};

/* The longest part of a reply quoted in a message, in bytes. */
enum { ALERTS_QUOTE_MAX = 60 };

typedef struct alerts_ctx {
    struct json_object *report, *alerts, *checked;
    const struct json_object *prev;
    const aid_config *cfg;
} alerts_ctx;

/* A copy of the interval at path ([lo, hi]), or NULL (a JSON null) when
 * it is not one. *nomem is set when a constructor failed. */
static struct json_object *alerts_interval(const struct json_object *root, const char *path, bool *nomem)
{
    struct json_object *ci = jget(root, path);
    if (!ci || !json_object_is_type(ci, json_type_array) || json_object_array_length(ci) != 2)
        return NULL;
    struct json_object *copy = json_object_new_array();
    if (!copy || jget_push(copy, jget_new_num(json_object_get_double(json_object_array_get_idx(ci, 0)), 6)) < 0 ||
        jget_push(copy, jget_new_num(json_object_get_double(json_object_array_get_idx(ci, 1)), 6)) < 0) {
        json_object_put(copy);
        *nomem = true;
        return NULL;
    }
    return copy;
}

/* A number, or a JSON null (NULL) for NaN. */
static int alerts_set_num(struct json_object *o, const char *key, double v, int decimals)
{
    if (isnan(v))
        return json_object_object_add(o, key, NULL);
    return jget_set(o, key, jget_new_num(v, decimals));
}

static int alerts_set_str(struct json_object *o, const char *key, const char *s)
{
    if (!s)
        return json_object_object_add(o, key, NULL);
    return jget_set(o, key, json_object_new_string(s));
}

/* One alert: the keys in their fixed order. interval is consumed (NULL:
 * a JSON null); threshold_str, when not NULL, is the threshold instead of
 * the number threshold. figure2 may be NULL. */
static aid_err alerts_fire(alerts_ctx *c, const char *rule, const char *message, const char *figure,
                           const char *figure2, const char *subject, double value, int decimals,
                           struct json_object *interval, double p, double threshold, const char *threshold_str,
                           const char *verdict, aid_errbuf *eb)
{
    struct json_object *a = json_object_new_object(), *figs = json_object_new_array();
    if (!a || !figs || jget_push(figs, json_object_new_string(figure)) < 0 ||
        (figure2 && jget_push(figs, json_object_new_string(figure2)) < 0)) {
        json_object_put(figs);
        goto nomem;
    }
    if (alerts_set_str(a, "rule", rule) < 0 || alerts_set_str(a, "message", message) < 0 ||
        jget_set(a, "figures", figs) < 0 || alerts_set_str(a, "subject", subject) < 0 ||
        alerts_set_num(a, "value", value, decimals) < 0)
        goto nomem;
    struct json_object *iv = interval;
    interval = NULL;
    if (json_object_object_add(a, "interval", iv) < 0) {
        json_object_put(iv);
        goto nomem;
    }
    if (alerts_set_num(a, "p", p, 6) < 0 ||
        (threshold_str ? alerts_set_str(a, "threshold", threshold_str) : alerts_set_num(a, "threshold", threshold, 6)) <
            0 ||
        alerts_set_str(a, "verdict", verdict) < 0)
        goto nomem;
    if (jget_push(c->alerts, a) < 0)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    return AID_OK;
nomem:
    json_object_put(interval);
    json_object_put(a);
    return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
}

/* The rule's line of alerts_checked. */
static aid_err alerts_checked(alerts_ctx *c, const char *rule, double threshold, const char *threshold_str,
                              const char *status, const char *reason, aid_errbuf *eb)
{
    struct json_object *o = json_object_new_object();
    if (!o || alerts_set_str(o, "rule", rule) < 0 ||
        (threshold_str ? alerts_set_str(o, "threshold", threshold_str) : alerts_set_num(o, "threshold", threshold, 6)) <
            0 ||
        alerts_set_str(o, "status", status) < 0 || alerts_set_str(o, "reason", reason) < 0) {
        json_object_put(o);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    if (jget_push(c->checked, o) < 0)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    return AID_OK;
}

/* A fall in points as written in messages: 0.0625 -> "6.2". */
static double alerts_points(double share)
{
    return 100.0 * share;
}

/* Rule acceptance_drop: the week's acceptance change. */
static aid_err alerts_acceptance(alerts_ctx *c, aid_errbuf *eb)
{
    static const char rule[] = "acceptance_drop";
    double t = c->cfg->alert_acceptance_drop;
    if (isnan(t))
        return alerts_checked(c, rule, NAN, "off", "off", NULL, eb);
    double th = t / 100.0;
    struct json_object *ch = jget(c->report, "changes.acceptance");
    double delta = jget_double(ch, "delta", NAN);
    if (!ch || isnan(delta))
        return alerts_checked(c, rule, th, NULL, "not_evaluated", "no previous week to compare with", eb);
    const char *verdict = jget_str(ch, "verdict", "steady");
    /* the delta is written with 6 decimals; compare what is written, to a
     * millionth, so that a fall of exactly the threshold counts */
    if (strcmp(verdict, "down") || -delta < th - 5e-7)
        return alerts_checked(c, rule, th, NULL, "quiet", NULL, eb);
    bool nomem = false;
    struct json_object *iv = alerts_interval(ch, "delta_ci", &nomem);
    if (nomem)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    char msg[512];
    snprintf(msg, sizeof msg,
             "Acceptance fell %.1f points, to %.1f%% from %.1f%% (95%% interval of the change %.1f to %.1f "
             "points: down; alert at %g points)",
             alerts_points(-delta), alerts_points(jget_double(ch, "current", NAN)),
             alerts_points(jget_double(ch, "previous", NAN)), alerts_points(jget_double(ch, "delta_ci.0", NAN)),
             alerts_points(jget_double(ch, "delta_ci.1", NAN)), t);
    aid_err err = alerts_fire(c, rule, msg, "changes.acceptance", NULL, NULL, delta, 6, iv, NAN, th, NULL, verdict, eb);
    return err ? err : alerts_checked(c, rule, th, NULL, "fired", NULL, eb);
}

/* Rule ece: the calibration error of the week. */
static aid_err alerts_ece(alerts_ctx *c, aid_errbuf *eb)
{
    static const char rule[] = "ece";
    double t = c->cfg->alert_ece;
    if (isnan(t))
        return alerts_checked(c, rule, NAN, "off", "off", NULL, eb);
    double ece = jget_double(c->report, "confidence.ece", NAN);
    if (isnan(ece))
        return alerts_checked(c, rule, t, NULL, "not_evaluated", "no confidence scores this week", eb);
    if (!(ece > t))
        return alerts_checked(c, rule, t, NULL, "quiet", NULL, eb);
    char msg[512], nb[32];
    snprintf(msg, sizeof msg,
             "Confidence is poorly calibrated: ECE %.3f on %s scores, above %g (equal-mass ECE %.3f)", ece,
             numfmt_group(nb, sizeof nb, jget_int(c->report, "confidence.n", 0)), t,
             jget_double(c->report, "confidence.ece_equal_mass", NAN));
    aid_err err = alerts_fire(c, rule, msg, "confidence.ece", NULL, NULL, ece, 6, NULL, NAN, t, NULL, "above", eb);
    return err ? err : alerts_checked(c, rule, t, NULL, "fired", NULL, eb);
}

static int alerts_drift_level(const char *v)
{
    if (!strcmp(v, "large"))
        return CONFIG_DRIFT_LARGE;
    if (!strcmp(v, "small"))
        return CONFIG_DRIFT_SMALL;
    return CONFIG_DRIFT_OFF;
}

/* Rule drift: the drift verdict of the confidence scores. */
static aid_err alerts_drift(alerts_ctx *c, aid_errbuf *eb)
{
    static const char rule[] = "drift";
    int level = c->cfg->alert_drift;
    const char *tname = level == CONFIG_DRIFT_LARGE ? "large" : level == CONFIG_DRIFT_SMALL ? "small" : "off";
    if (level == CONFIG_DRIFT_OFF)
        return alerts_checked(c, rule, NAN, "off", "off", NULL, eb);
    struct json_object *d = jget(c->report, "confidence.drift");
    const char *verdict = jget_str(d, "verdict", NULL);
    if (!verdict)
        return alerts_checked(c, rule, NAN, tname, "not_evaluated", "no previous week's histogram", eb);
    if (!strcmp(verdict, "too_few"))
        return alerts_checked(c, rule, NAN, tname, "not_evaluated", "fewer than 100 scores in a week", eb);
    if (alerts_drift_level(verdict) < level)
        return alerts_checked(c, rule, NAN, tname, "quiet", NULL, eb);
    /* the statistic that reached the level: PSI when it did, else KS */
    bool psi = alerts_drift_level(jget_str(d, "psi_verdict", "none")) >= level;
    double v = jget_double(c->report, psi ? "confidence.psi" : "confidence.ks", NAN);
    double p = jget_double(d, psi ? "psi_p" : "ks_p", NAN);
    char msg[512], pbuf[32], nb[32], mb[32];
    if (p < 0.001)
        snprintf(pbuf, sizeof pbuf, "p < 0.001");
    else
        snprintf(pbuf, sizeof pbuf, "p = %.3f", p);
    snprintf(msg, sizeof msg,
             "The confidence scores drifted (%s): %s %.3f against the week before, %s (%s and %s scores)", verdict,
             psi ? "PSI" : "KS", v, pbuf, numfmt_group(nb, sizeof nb, jget_int(d, "n", 0)),
             numfmt_group(mb, sizeof mb, jget_int(d, "m", 0)));
    aid_err err = alerts_fire(c, rule, msg, "confidence.drift", psi ? "confidence.psi" : "confidence.ks", NULL, v, 6,
                              NULL, p, NAN, tname, verdict, eb);
    return err ? err : alerts_checked(c, rule, NAN, tname, "fired", NULL, eb);
}

/* Rule prompt_drop: each prompt's acceptance against the week before. */
static aid_err alerts_prompts(alerts_ctx *c, aid_errbuf *eb)
{
    static const char rule[] = "prompt_drop";
    double t = c->cfg->alert_prompt_drop;
    if (isnan(t))
        return alerts_checked(c, rule, NAN, "off", "off", NULL, eb);
    double th = t / 100.0;
    size_t n = jget_len(c->report, "prompts"), compared = 0, fired = 0;
    struct json_object *prompts = jget(c->report, "prompts");
    for (size_t i = 0; i < n; i++) {
        struct json_object *p = json_object_array_get_idx(prompts, i);
        double delta = jget_double(p, "delta", NAN);
        if (isnan(delta))
            continue;
        compared++;
        const char *verdict = jget_str(p, "verdict", "steady");
        if (strcmp(verdict, "down") || -delta < th - 5e-7)
            continue;
        bool nomem = false;
        struct json_object *iv = alerts_interval(p, "delta_ci", &nomem);
        if (nomem)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        const char *id = jget_str(p, "prompt_id", "");
        char msg[512], fig[48];
        snprintf(msg, sizeof msg,
                 "Prompt %s: acceptance fell %.1f points, to %.1f%% from %.1f%% (95%% interval of the change "
                 "%.1f to %.1f points: down)",
                 id, alerts_points(-delta), alerts_points(jget_double(p, "acceptance", NAN)),
                 alerts_points(jget_double(p, "previous_acceptance", NAN)),
                 alerts_points(jget_double(p, "delta_ci.0", NAN)), alerts_points(jget_double(p, "delta_ci.1", NAN)));
        snprintf(fig, sizeof fig, "prompts.%zu", i);
        aid_err err = alerts_fire(c, rule, msg, fig, NULL, id, delta, 6, iv, NAN, th, NULL, verdict, eb);
        if (err)
            return err;
        fired++;
    }
    if (!compared)
        return alerts_checked(c, rule, th, NULL, "not_evaluated", "no prompt was used the week before", eb);
    return alerts_checked(c, rule, th, NULL, fired ? "fired" : "quiet", NULL, eb);
}

/* Whether the normalised reply norm is one of the previous week's
 * top-rejected replies (equal normalised texts, or near-duplicates). */
static aid_err alerts_was_rejected(const struct json_object *prev, const char *norm, bool *found, aid_errbuf *eb)
{
    strbuf pn = STRBUF_INIT;
    *found = false;
    size_t n = jget_len(prev, "top_rejected");
    for (size_t i = 0; i < n && !*found; i++) {
        const char *r = jget_str(json_object_array_get_idx(jget(prev, "top_rejected"), i), "reply", NULL);
        if (!r)
            continue;
        strbuf_reset(&pn);
        if (textnorm_reply(r, strlen(r), &pn) < 0) {
            strbuf_release(&pn);
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        }
        *found = !strcmp(pn.buf ? pn.buf : "", norm) ||
                 neardup_similarity(pn.buf ? pn.buf : "", norm) >= NEARDUP_THRESHOLD;
    }
    strbuf_release(&pn);
    return AID_OK;
}

/* The start of a reply for a message: at most ALERTS_QUOTE_MAX bytes, cut
 * before a UTF-8 continuation byte, "..." when cut. */
static void alerts_quote(char *dst, size_t size, const char *reply)
{
    size_t len = strlen(reply), cut = len;
    if (len > ALERTS_QUOTE_MAX) {
        cut = ALERTS_QUOTE_MAX;
        while (cut && ((unsigned char)reply[cut] & 0xC0) == 0x80)
            cut--;
    }
    snprintf(dst, size, "%.*s%s", (int)cut, reply, cut < len ? "..." : "");
}

/* Rule new_rejected_reply: top-rejected replies the previous week did not
 * list. */
static aid_err alerts_new_rejected(alerts_ctx *c, aid_errbuf *eb)
{
    static const char rule[] = "new_rejected_reply";
    double t = c->cfg->alert_new_rejected;
    if (isnan(t))
        return alerts_checked(c, rule, NAN, "off", "off", NULL, eb);
    if (!c->prev || !jget(c->prev, "top_rejected"))
        return alerts_checked(c, rule, t, NULL, "not_evaluated", "the archive has no report of the week before",
                              eb);
    size_t n = jget_len(c->report, "top_rejected"), fired = 0;
    struct json_object *rows = jget(c->report, "top_rejected");
    strbuf norm = STRBUF_INIT;
    aid_err err = AID_OK;
    for (size_t i = 0; i < n; i++) {
        struct json_object *g = json_object_array_get_idx(rows, i);
        double rate = jget_double(g, "rejection_rate", NAN);
        const char *reply = jget_str(g, "reply", NULL);
        if (!reply || !(rate > t))
            continue;
        strbuf_reset(&norm);
        if (textnorm_reply(reply, strlen(reply), &norm) < 0) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        bool known = false;
        if ((err = alerts_was_rejected(c->prev, norm.buf ? norm.buf : "", &known, eb)))
            goto cleanup;
        if (known)
            continue;
        bool nomem = false;
        struct json_object *iv = alerts_interval(g, "rejection_rate_ci", &nomem);
        if (nomem) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        char msg[512], quote[ALERTS_QUOTE_MAX + 8], fig[48];
        alerts_quote(quote, sizeof quote, reply);
        snprintf(msg, sizeof msg,
                 "A reply new among the most rejected: %lld of %lld rejected (%.1f%%, 95%% interval %.1f%% to "
                 "%.1f%%; alert above %g%%): \"%s\"",
                 (long long)jget_int(g, "rejections", 0), (long long)jget_int(g, "suggested", 0),
                 alerts_points(rate), alerts_points(jget_double(g, "rejection_rate_ci.0", NAN)),
                 alerts_points(jget_double(g, "rejection_rate_ci.1", NAN)), alerts_points(t), quote);
        snprintf(fig, sizeof fig, "top_rejected.%zu", i);
        if ((err = alerts_fire(c, rule, msg, fig, NULL, reply, rate, 6, iv, NAN, t, NULL, "above", eb)))
            goto cleanup;
        fired++;
    }
    err = alerts_checked(c, rule, t, NULL, fired ? "fired" : "quiet", NULL, eb);
cleanup:
    strbuf_release(&norm);
    return err;
}

aid_err alerts_add(struct json_object *report, const struct json_object *prev_report, const aid_config *cfg,
                   aid_errbuf *eb)
{
    alerts_ctx c = { .report = report, .prev = prev_report, .cfg = cfg };
    c.alerts = json_object_new_array();
    c.checked = json_object_new_array();
    aid_err err = AID_OK;
    if (!c.alerts || !c.checked) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if ((err = alerts_acceptance(&c, eb)) || (err = alerts_ece(&c, eb)) || (err = alerts_drift(&c, eb)) ||
        (err = alerts_prompts(&c, eb)) || (err = alerts_new_rejected(&c, eb)))
        goto cleanup;
    struct json_object *a = c.alerts, *k = c.checked;
    c.alerts = c.checked = NULL;
    if (jget_set(report, "alerts", a) < 0) {
        json_object_put(k);
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (jget_set(report, "alerts_checked", k) < 0)
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    json_object_put(c.checked);
    json_object_put(c.alerts);
    return err;
}

size_t alerts_count(const struct json_object *report)
{
    return jget_len(report, "alerts");
}
