/* compute/alerts: the rules at their edges, on small hand-made reports. */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/config.h"
#include "common/jget.h"
#include "compute/alerts.h"
#include "tap.h"

static aid_config defaults(void)
{
    aid_config c;
    memset(&c, 0, sizeof c);
    c.alert_acceptance_drop = CONFIG_ALERT_ACCEPTANCE_DROP;
    c.alert_ece = CONFIG_ALERT_ECE;
    c.alert_drift = CONFIG_DRIFT_LARGE;
    c.alert_prompt_drop = CONFIG_ALERT_PROMPT_DROP;
    c.alert_new_rejected = CONFIG_ALERT_NEW_REJECTED;
    return c;
}

/* The alerts of report (JSON text) against prev (JSON text or NULL); the
 * report is returned for inspection (the caller frees it). */
static struct json_object *check(const char *report, const char *prev, const aid_config *cfg)
{
    struct json_object *r = json_tokener_parse(report), *p = prev ? json_tokener_parse(prev) : NULL;
    aid_errbuf eb = { { 0 } };
    if (alerts_add(r, p, cfg, &eb) != AID_OK)
        printf("# alerts_add: %s\n", eb.msg);
    json_object_put(p);
    return r;
}

static const char *status(struct json_object *r, int rule)
{
    char path[64];
    snprintf(path, sizeof path, "alerts_checked.%d.status", rule);
    return jget_str(r, path, "?");
}

int main(void)
{
    aid_config cfg = defaults();
    struct json_object *r;

    r = json_tokener_parse("{\"week\": \"2026-W47\"}");
    is_int((int)alerts_count(r), 0, "a report made before alerts has none");
    json_object_put(r);

    /* acceptance_drop: the verdict first, then the size */
    r = check("{\"changes\": {\"acceptance\": {\"current\": 0.3, \"previous\": 0.42, \"delta\": -0.12,"
              " \"delta_ci\": [-0.3, 0.05], \"verdict\": \"steady\"}}}", NULL, &cfg);
    is_str(status(r, 0), "quiet", "a 12-point fall that is steady does not fire");
    json_object_put(r);
    r = check("{\"changes\": {\"acceptance\": {\"current\": 0.45, \"previous\": 0.5, \"delta\": -0.05,"
              " \"delta_ci\": [-0.07, -0.03], \"verdict\": \"down\"}}}", NULL, &cfg);
    is_str(status(r, 0), "fired", "down by exactly 5 points fires");
    is_str(jget_str(r, "alerts.0.rule", ""), "acceptance_drop", "as acceptance_drop");
    is_double(jget_double(r, "alerts.0.interval.0", NAN), -0.07, 1e-9, "its interval is delta_ci");
    json_object_put(r);
    r = check("{\"changes\": {\"acceptance\": {\"current\": 0.451, \"previous\": 0.5, \"delta\": -0.049,"
              " \"delta_ci\": [-0.07, -0.03], \"verdict\": \"down\"}}}", NULL, &cfg);
    is_str(status(r, 0), "quiet", "down by 4.9 points: quiet");
    json_object_put(r);
    r = check("{\"changes\": null}", NULL, &cfg);
    is_str(status(r, 0), "not_evaluated", "no previous week: not evaluated");
    json_object_put(r);

    /* ece: above, not at */
    r = check("{\"confidence\": {\"ece\": 0.15, \"n\": 10}}", NULL, &cfg);
    is_str(status(r, 1), "quiet", "an ECE equal to the threshold is not above it");
    json_object_put(r);
    r = check("{\"confidence\": {\"ece\": 0.150001, \"n\": 1234}}", NULL, &cfg);
    is_str(status(r, 1), "fired", "just above fires");
    ok(strstr(jget_str(r, "alerts.0.message", ""), "on 1,234 scores") != NULL, "message: %s",
       jget_str(r, "alerts.0.message", ""));
    json_object_put(r);

    /* drift: the level, and which statistic is the evidence */
    const char *small_ks = "{\"confidence\": {\"psi\": 0.05, \"ks\": 0.12, \"drift\": {\"n\": 500, \"m\": 400,"
                           " \"psi_p\": 0.2, \"psi_verdict\": \"none\", \"ks_p\": 0.0004,"
                           " \"ks_verdict\": \"small\", \"verdict\": \"small\"}}}";
    r = check(small_ks, NULL, &cfg);
    is_str(status(r, 2), "quiet", "small drift at level large: quiet");
    json_object_put(r);
    cfg.alert_drift = CONFIG_DRIFT_SMALL;
    r = check(small_ks, NULL, &cfg);
    is_str(status(r, 2), "fired", "small drift at level small fires");
    is_str(jget_str(r, "alerts.0.figures.1", ""), "confidence.ks", "the evidence is KS (PSI did not reach it)");
    is_double(jget_double(r, "alerts.0.value", NAN), 0.12, 1e-9, "value: the KS");
    is_double(jget_double(r, "alerts.0.p", NAN), 0.0004, 1e-9, "p: ks_p");
    json_object_put(r);
    cfg = defaults();
    r = check("{\"confidence\": {\"drift\": {\"verdict\": \"too_few\"}}}", NULL, &cfg);
    is_str(status(r, 2), "not_evaluated", "too few scores: not evaluated");
    json_object_put(r);
    cfg.alert_drift = CONFIG_DRIFT_OFF;
    r = check(small_ks, NULL, &cfg);
    is_str(status(r, 2), "off", "drift off");
    is_str(jget_str(r, "alerts_checked.2.threshold", ""), "off", "threshold \"off\"");
    json_object_put(r);
    cfg = defaults();

    /* prompt_drop: one alert per falling prompt, in order */
    r = check("{\"prompts\": [{\"prompt_id\": \"a\", \"delta\": -0.2, \"delta_ci\": [-0.3, -0.1], \"verdict\": \"down\"},"
              " {\"prompt_id\": \"b\", \"delta\": null, \"verdict\": null},"
              " {\"prompt_id\": \"c\", \"delta\": -0.01, \"delta_ci\": [-0.02, -0.001], \"verdict\": \"down\"},"
              " {\"prompt_id\": \"d\", \"delta\": -0.3, \"delta_ci\": [-0.6, 0.1], \"verdict\": \"steady\"}]}",
              NULL, &cfg);
    is_int((int)alerts_count(r), 2, "two prompts down: two alerts");
    is_str(jget_str(r, "alerts.0.subject", ""), "a", "the first is a");
    is_str(jget_str(r, "alerts.1.figures.0", ""), "prompts.2", "the second is prompts.2 (c)");
    json_object_put(r);
    cfg.alert_prompt_drop = 5;
    r = check("{\"prompts\": [{\"prompt_id\": \"c\", \"delta\": -0.01, \"delta_ci\": [-0.02, -0.001], \"verdict\": \"down\"}]}",
              NULL, &cfg);
    is_str(status(r, 3), "quiet", "a one-point fall at alert_prompt_drop = 5: quiet");
    json_object_put(r);
    cfg = defaults();

    /* new_rejected_reply: known by normalised text or near-duplicate; above, not at */
    const char *prev = "{\"schema\": 1, \"top_rejected\": [{\"reply\": \"Your order #123 ships in 5 days.\"}]}";
    r = check("{\"top_rejected\": [{\"reply\": \"YOUR ORDER #987 ships in 12 days.\", \"rejections\": 9,"
              " \"suggested\": 10, \"rejection_rate\": 0.9, \"rejection_rate_ci\": [0.6, 0.98]},"
              " {\"reply\": \"Half of these were rejected.\", \"rejections\": 5, \"suggested\": 10,"
              " \"rejection_rate\": 0.5, \"rejection_rate_ci\": [0.24, 0.76]}]}",
              prev, &cfg);
    is_int((int)alerts_count(r), 0, "last week's reply (other case and digits) and a rate of exactly 0.5: none");
    is_str(status(r, 4), "quiet", "quiet");
    json_object_put(r);
    /* a long UTF-8 reply is quoted whole characters only */
    char big[512];
    snprintf(big, sizeof big, "{\"top_rejected\": [{\"reply\": \"%s\", \"rejections\": 9, \"suggested\": 10,"
             " \"rejection_rate\": 0.9, \"rejection_rate_ci\": [0.6, 0.98]}]}",
             "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
             "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
             "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9 tail");
    r = check(big, "{\"top_rejected\": []}", &cfg);
    is_int((int)alerts_count(r), 1, "a new reply at 90 %% fires");
    const char *m = jget_str(r, "alerts.0.message", "");
    const char *q = strchr(m, '"');
    ok(q && !strncmp(q + 1 + 60, "...\"", 4), "quoted: 60 bytes, 30 whole characters, then ...: %s", m);
    json_object_put(r);
    r = check(big, NULL, &cfg);
    is_str(status(r, 4), "not_evaluated", "no archived week before: not evaluated");
    is_int((int)alerts_count(r), 0, "and nothing fires");
    json_object_put(r);

    /* every rule off */
    cfg.alert_acceptance_drop = cfg.alert_ece = cfg.alert_prompt_drop = cfg.alert_new_rejected = NAN;
    cfg.alert_drift = CONFIG_DRIFT_OFF;
    r = check("{\"confidence\": {\"ece\": 0.9}}", NULL, &cfg);
    int off = 0;
    for (int i = 0; i < ALERTS_NRULES; i++)
        off += !strcmp(status(r, i), "off");
    is_int(off, ALERTS_NRULES, "every rule off");
    is_int((int)alerts_count(r), 0, "nothing fires");
    json_object_put(r);
    return tap_done();
}
