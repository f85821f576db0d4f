#include "common/config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/strbuf.h"

/* CFG_OFF: an on/off setting stored negated (the field is true when the
 * setting is off), so that a zeroed struct has it on; CFG_ON: one stored
 * as it is (off by default, and in a zeroed struct). CFG_POINTS (0 to
 * 100) and CFG_SHARE (0 to 1): an alert threshold, a double, NAN for
 * `off`. CFG_DRIFT: large, small or off (CONFIG_DRIFT_*). */
enum config_kind { CFG_STR, CFG_SECRET, CFG_LONG, CFG_INT, CFG_OFF, CFG_ON, CFG_POINTS, CFG_SHARE, CFG_DRIFT };

struct config_key {
    const char *file_key;
    const char *env;
    enum config_kind kind;
    size_t offset;
};

#define K(fk, env, kind, field) { fk, env, kind, offsetof(aid_config, field) }
static const struct config_key config_keys[] = {
    K("openai_api_key", "OPENAI_API_KEY", CFG_SECRET, llm_api_key),
    K("llm_base_url", "AIDIGEST_LLM_BASE_URL", CFG_STR, llm_base_url),
    K("llm_model", "AIDIGEST_LLM_MODEL", CFG_STR, llm_model),
    K("llm_timeout_ms", "AIDIGEST_LLM_TIMEOUT_MS", CFG_LONG, llm_timeout_ms),
    K("llm_max_attempts", "AIDIGEST_LLM_MAX_ATTEMPTS", CFG_INT, llm_max_attempts),
    K("llm_deadline_ms", "AIDIGEST_LLM_DEADLINE_MS", CFG_LONG, llm_deadline_ms),
    K("finetune_model", "AIDIGEST_FINETUNE_MODEL", CFG_STR, finetune_model),
    K("smtp_url", "AIDIGEST_SMTP_URL", CFG_STR, smtp_url),
    K("smtp_user", "AIDIGEST_SMTP_USER", CFG_STR, smtp_user),
    K("smtp_password", "AIDIGEST_SMTP_PASSWORD", CFG_SECRET, smtp_password),
    K("mail_from", "AIDIGEST_MAIL_FROM", CFG_STR, mail_from),
    K("mail_to", "AIDIGEST_MAIL_TO", CFG_STR, mail_to),
    K("archive_remote", "AIDIGEST_ARCHIVE_REMOTE", CFG_STR, archive_remote),
    K("git_token", "AIDIGEST_GIT_TOKEN", CFG_SECRET, git_token),
    K("git_name", "AIDIGEST_GIT_NAME", CFG_STR, git_name),
    K("git_email", "AIDIGEST_GIT_EMAIL", CFG_STR, git_email),
    K("git_branch", "AIDIGEST_GIT_BRANCH", CFG_STR, git_branch),
    K("git_owner_validation", "AIDIGEST_GIT_OWNER_VALIDATION", CFG_OFF, git_owner_validation_off),
    K("retrain_url", "AIDIGEST_RETRAIN_URL", CFG_STR, retrain_url),
    K("site_url", "AIDIGEST_SITE_URL", CFG_STR, site_url),
    K("templates", "AIDIGEST_TEMPLATES", CFG_STR, templates_dir),
    K("redact_rules", "AIDIGEST_REDACT_RULES", CFG_STR, redact_rules),
    K("team", "AIDIGEST_TEAM", CFG_STR, team_name),
    K("publish_agents", "AIDIGEST_PUBLISH_AGENTS", CFG_ON, publish_agents),
    K("currency", "AIDIGEST_CURRENCY", CFG_STR, currency),
    K("alert_acceptance_drop", "AIDIGEST_ALERT_ACCEPTANCE_DROP", CFG_POINTS, alert_acceptance_drop),
    K("alert_ece", "AIDIGEST_ALERT_ECE", CFG_SHARE, alert_ece),
    K("alert_drift", "AIDIGEST_ALERT_DRIFT", CFG_DRIFT, alert_drift),
    K("alert_prompt_drop", "AIDIGEST_ALERT_PROMPT_DROP", CFG_POINTS, alert_prompt_drop),
    K("alert_new_rejected", "AIDIGEST_ALERT_NEW_REJECTED", CFG_SHARE, alert_new_rejected),
};
#undef K
#define NKEYS (sizeof config_keys / sizeof config_keys[0])

/* on/off, yes/no, true/false, 1/0, any case; *off is true for off. */
static aid_err config_set_off(bool *off, const struct config_key *k, const char *value, const char *where,
                               aid_errbuf *eb)
{
    static const char *const yes[] = { "on", "yes", "true", "1" }, *const no[] = { "off", "no", "false", "0" };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (!strcasecmp(value, yes[i])) {
            *off = false;
            return AID_OK;
        }
        if (!strcasecmp(value, no[i])) {
            *off = true;
            return AID_OK;
        }
    }
    return aid_errbuf_set(eb, AID_ERR_CONFIG, "%s: %s: not on or off: %s", where, k->file_key, value);
}

/* An alert threshold: a number from 0 to max, or off (NAN). */
static aid_err config_set_threshold(double *slot, const struct config_key *k, const char *value, double max,
                                     const char *where, aid_errbuf *eb)
{
    if (!strcasecmp(value, "off")) {
        *slot = NAN;
        return AID_OK;
    }
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (errno || end == value || *end || !isfinite(v) || v < 0 || v > max)
        return aid_errbuf_set(eb, AID_ERR_CONFIG, "%s: %s: not off or a number from 0 to %g: %s", where,
                              k->file_key, max, value);
    *slot = v;
    return AID_OK;
}

static aid_err config_set_drift(int *slot, const struct config_key *k, const char *value, const char *where,
                                aid_errbuf *eb)
{
    if (!strcasecmp(value, "large"))
        *slot = CONFIG_DRIFT_LARGE;
    else if (!strcasecmp(value, "small"))
        *slot = CONFIG_DRIFT_SMALL;
    else if (!strcasecmp(value, "off"))
        *slot = CONFIG_DRIFT_OFF;
    else
        return aid_errbuf_set(eb, AID_ERR_CONFIG, "%s: %s: not large, small or off: %s", where, k->file_key,
                              value);
    return AID_OK;
}

static aid_err config_set(aid_config *cfg, const struct config_key *k, const char *value,
                          const char *where, aid_errbuf *eb)
{
    char *base = (char *)cfg;
    if (k->kind == CFG_POINTS || k->kind == CFG_SHARE)
        return config_set_threshold((double *)(base + k->offset), k, value, k->kind == CFG_POINTS ? 100 : 1,
                                    where, eb);
    if (k->kind == CFG_DRIFT)
        return config_set_drift((int *)(base + k->offset), k, value, where, eb);
    if (k->kind == CFG_STR || k->kind == CFG_SECRET) {
        char **slot = (char **)(base + k->offset);
        char *copy = strdup(value);
        if (!copy)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        free(*slot);
        *slot = copy;
        return AID_OK;
    }
    if (k->kind == CFG_OFF)
        return config_set_off((bool *)(base + k->offset), k, value, where, eb);
    if (k->kind == CFG_ON) {
        bool off;
        aid_err err = config_set_off(&off, k, value, where, eb);
        if (!err)
            *(bool *)(base + k->offset) = !off;
        return err;
    }
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end || v <= 0 || (k->kind == CFG_INT && v > 1000))
        return aid_errbuf_set(eb, AID_ERR_CONFIG, "%s: %s: not a positive whole number: %s", where,
                              k->file_key, value);
    if (k->kind == CFG_LONG)
        *(long *)(base + k->offset) = v;
    else
        *(int *)(base + k->offset) = (int)v;
    return AID_OK;
}

static aid_err config_defaults(aid_config *cfg, aid_errbuf *eb)
{
    static const struct { const char *key, *value; } defs[] = {
        { "llm_base_url", "https://api.openai.com/v1" },
        { "llm_model", "gpt-4o" },
        { "finetune_model", "gpt-4o-mini-2024-07-18" },
        { "git_name", "aidigest" },
        { "git_email", "aidigest@localhost" },
        { "git_branch", "main" },
        { "team", "Support" },
    };
    cfg->llm_timeout_ms = 60000;
    cfg->llm_max_attempts = 4;
    cfg->llm_deadline_ms = CONFIG_LLM_DEADLINE_MS;
    cfg->alert_acceptance_drop = CONFIG_ALERT_ACCEPTANCE_DROP;
    cfg->alert_ece = CONFIG_ALERT_ECE;
    cfg->alert_drift = CONFIG_DRIFT_LARGE;
    cfg->alert_prompt_drop = CONFIG_ALERT_PROMPT_DROP;
    cfg->alert_new_rejected = CONFIG_ALERT_NEW_REJECTED;
    for (size_t d = 0; d < sizeof defs / sizeof defs[0]; d++)
        for (size_t i = 0; i < NKEYS; i++)
            if (!strcmp(config_keys[i].file_key, defs[d].key)) {
                aid_err err = config_set(cfg, &config_keys[i], defs[d].value, "default", eb);
                if (err)
                    return err;
            }
    return AID_OK;
}

static char *config_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    if (n >= 2 && ((s[0] == '"' && s[n - 1] == '"') || (s[0] == '\'' && s[n - 1] == '\''))) {
        s[n - 1] = '\0';
        s++;
    }
    return s;
}

static aid_err config_parse_file(aid_config *cfg, const char *path, aid_errbuf *eb)
{
    char *data = NULL;
    size_t len = 0;
    aid_err err = fsutil_read_file(path, &data, &len, eb);
    if (err)
        return err == AID_ERR_NOTFOUND ? AID_ERR_CONFIG : err;
    int lineno = 0;
    char *p = data;
    if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) /* a byte order mark (Windows editors) */
        p += 3;
    while (p && *p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        char *line = p;
        p = nl ? nl + 1 : NULL;
        char *hash = strchr(line, '#');
        if (hash && (hash == line || isspace((unsigned char)hash[-1])))
            *hash = '\0';
        char *t = config_trim(line);
        if (!*t)
            continue;
        char *eq = strchr(t, '=');
        if (!eq) {
            err = aid_errbuf_set(eb, AID_ERR_CONFIG, "%s:%d: expected key = value", path, lineno);
            goto cleanup;
        }
        *eq = '\0';
        char *key = config_trim(t);
        char *value = config_trim(eq + 1);
        const struct config_key *k = NULL;
        for (size_t i = 0; i < NKEYS; i++)
            if (!strcasecmp(config_keys[i].file_key, key))
                k = &config_keys[i];
        if (!k) {
            err = aid_errbuf_set(eb, AID_ERR_CONFIG, "%s:%d: unknown setting '%s'", path, lineno, key);
            goto cleanup;
        }
        if (k->kind == CFG_SECRET) {
            err = aid_errbuf_set(eb, AID_ERR_CONFIG,
                                 "%s:%d: %s is a secret: set it in the environment (%s), not in a file",
                                 path, lineno, k->file_key, k->env);
            goto cleanup;
        }
        char where[512];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        if ((err = config_set(cfg, k, value, where, eb)))
            goto cleanup;
    }
cleanup:
    free(data);
    return err;
}

aid_err config_load(aid_config *cfg, const char *path, aid_errbuf *eb)
{
    memset(cfg, 0, sizeof *cfg);
    aid_err err = config_defaults(cfg, eb);
    if (err)
        goto fail;
    if (path) {
        if ((err = config_parse_file(cfg, path, eb)))
            goto fail;
    } else if (fsutil_exists("aidigest.conf")) {
        if ((err = config_parse_file(cfg, "aidigest.conf", eb)))
            goto fail;
    }
    for (size_t i = 0; i < NKEYS; i++) {
        const char *v = getenv(config_keys[i].env);
        if (v && *v && (err = config_set(cfg, &config_keys[i], v, config_keys[i].env, eb)))
            goto fail;
    }
    return AID_OK;
fail:
    config_release(cfg);
    return err;
}

void config_release(aid_config *cfg)
{
    char *base = (char *)cfg;
    for (size_t i = 0; i < NKEYS; i++) {
        if (config_keys[i].kind == CFG_STR || config_keys[i].kind == CFG_SECRET) {
            char **slot = (char **)(base + config_keys[i].offset);
            free(*slot);
            *slot = NULL;
        }
    }
}

/* A searched directory counts as the templates only if it holds week.html,
 * so that a stray ~/templates above an installed ~/.local/bin/aidigest is
 * not taken for ours. */
static int config_try_templates(strbuf *out, const char *dir, const char *name, bool *found)
{
    strbuf probe = STRBUF_INIT;
    *found = false;
    if (fsutil_join(out, dir, name) < 0 || fsutil_join(&probe, out->buf, "week.html") < 0) {
        strbuf_release(&probe);
        return -1;
    }
    *found = fsutil_is_dir(out->buf) && fsutil_exists(probe.buf);
    strbuf_release(&probe);
    return 0;
}

int config_templates_dir(const aid_config *cfg, strbuf *out)
{
    static const char *const rel[] = { "templates", "../templates", "../../templates" };
    strbuf_reset(out);
    if (cfg && cfg->templates_dir && *cfg->templates_dir)
        return strbuf_adds(out, cfg->templates_dir);
    strbuf exe = STRBUF_INIT;
    bool found = false;
    int rc = -1;
    if (fsutil_exe_dir(&exe) == 0 && exe.len)
        for (size_t i = 0; i < sizeof rel / sizeof rel[0] && !found; i++)
            if (config_try_templates(out, exe.buf, rel[i], &found) < 0)
                goto cleanup;
    if (!found && config_try_templates(out, CONFIG_DATADIR, "templates", &found) < 0)
        goto cleanup;
    if (!found) {
        strbuf_reset(out);
        if (strbuf_adds(out, "templates") < 0)
            goto cleanup;
    }
    rc = 0;
cleanup:
    strbuf_release(&exe);
    return rc;
}
