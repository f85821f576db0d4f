/*
 * config.h - settings from the configuration file and the environment.
 *
 * The file (`--config FILE`, default ./aidigest.conf when present) holds
 * `key = value` lines; `#` starts a comment; keys are the lower-case
 * variable names without the AIDIGEST_ prefix (llm_model, smtp_url, ...).
 * The environment wins over the file. Secrets (OPENAI_API_KEY,
 * AIDIGEST_SMTP_PASSWORD, AIDIGEST_GIT_TOKEN) are read from the
 * environment only: a secret in the file is a configuration error.
 *
 * Every string field is either NULL (not set) or owned by the struct.
 */
#ifndef AID_CONFIG_H
#define AID_CONFIG_H

#include <stdbool.h>

#include "common/err.h"
#include "common/strbuf.h"

/* Default overall LLM deadline of a run: 5 minutes. */
#define CONFIG_LLM_DEADLINE_MS 300000L

typedef struct aid_config {
    /* narrator */
    char *llm_api_key;        /* OPENAI_API_KEY (secret) */
    char *llm_base_url;       /* AIDIGEST_LLM_BASE_URL, default https://api.openai.com/v1 */
    char *llm_model;          /* AIDIGEST_LLM_MODEL, default gpt-4o */
    long llm_timeout_ms;      /* AIDIGEST_LLM_TIMEOUT_MS, default 60000 */
    int llm_max_attempts;     /* AIDIGEST_LLM_MAX_ATTEMPTS, default 4 */
    long llm_deadline_ms;     /* AIDIGEST_LLM_DEADLINE_MS: all LLM requests of one
                                 client (one run) end by then; default
                                 CONFIG_LLM_DEADLINE_MS */
    char *finetune_model;     /* AIDIGEST_FINETUNE_MODEL, default gpt-4o-mini-2024-07-18 */
    /* mail */
    char *smtp_url;           /* AIDIGEST_SMTP_URL */
    char *smtp_user;          /* AIDIGEST_SMTP_USER */
    char *smtp_password;      /* AIDIGEST_SMTP_PASSWORD (secret) */
    char *mail_from;          /* AIDIGEST_MAIL_FROM */
    char *mail_to;            /* AIDIGEST_MAIL_TO, comma-separated */
    /* archive */
    char *archive_remote;     /* AIDIGEST_ARCHIVE_REMOTE */
    char *git_token;          /* AIDIGEST_GIT_TOKEN (secret) */
    char *git_name;           /* AIDIGEST_GIT_NAME, default "aidigest" */
    char *git_email;          /* AIDIGEST_GIT_EMAIL, default "aidigest@localhost" */
    char *git_branch;         /* AIDIGEST_GIT_BRANCH, default "main" */
    bool git_owner_validation_off; /* git_owner_validation = off, AIDIGEST_GIT_OWNER_VALIDATION=0
                                      (on/off, yes/no, true/false, 1/0): let libgit2 open an OUT owned
                                      by another user (docs/deploy.md); false, the default and a zeroed
                                      struct's value, keeps the validation on */
    /* pages */
    char *retrain_url;        /* AIDIGEST_RETRAIN_URL */
    char *site_url;           /* AIDIGEST_SITE_URL: where the archive is published */
    char *templates_dir;      /* AIDIGEST_TEMPLATES: default see config_templates_dir() */
    char *redact_rules;       /* AIDIGEST_REDACT_RULES: file of extra redaction rules */
    char *team_name;          /* AIDIGEST_TEAM: shown in titles, default "Support" */
    bool publish_agents;      /* publish_agents = true, AIDIGEST_PUBLISH_AGENTS=1 (on/off, yes/no,
                                 true/false, 1/0): the page and the PDF show the breakdown by
                                 agent (segments.agent); false, the default and a zeroed struct's
                                 value, keeps agents (people) to report.json and the workbook */
    char *currency;           /* AIDIGEST_CURRENCY: the unit of the logs' `cost` fields, default "USD" */
    /* alerts (docs/figures.md, "Alerts"): each threshold is NAN when its
     * rule is off (`off` in the file or the environment) */
    double alert_acceptance_drop; /* AIDIGEST_ALERT_ACCEPTANCE_DROP: points (0-100) the
                                     acceptance must fall, with verdict down; default 5 */
    double alert_ece;             /* AIDIGEST_ALERT_ECE: the ECE must be above it (0-1);
                                     default 0.15 */
    int alert_drift;              /* AIDIGEST_ALERT_DRIFT: the drift verdict that alerts,
                                     CONFIG_DRIFT_LARGE (default, `large`), CONFIG_DRIFT_SMALL
                                     (`small`: small or large) or CONFIG_DRIFT_OFF (`off`) */
    double alert_prompt_drop;     /* AIDIGEST_ALERT_PROMPT_DROP: points a prompt's acceptance
                                     must fall, with verdict down; default 0 (any significant
                                     fall) */
    double alert_new_rejected;    /* AIDIGEST_ALERT_NEW_REJECTED: a top-rejected reply not in
                                     the previous week's list alerts when its rejection rate
                                     is above it (0-1); default 0.5 */
} aid_config;

enum { CONFIG_DRIFT_OFF = 0, CONFIG_DRIFT_SMALL = 1, CONFIG_DRIFT_LARGE = 2 };

/* The alert defaults (config_load sets them; a zeroed struct has none). */
#define CONFIG_ALERT_ACCEPTANCE_DROP 5.0
#define CONFIG_ALERT_ECE 0.15
#define CONFIG_ALERT_PROMPT_DROP 0.0
#define CONFIG_ALERT_NEW_REJECTED 0.5

/* Fill cfg with defaults, then the file (path may be NULL: ./aidigest.conf
 * if it exists), then the environment. On error cfg is released. */
AID_MUST_CHECK aid_err config_load(aid_config *cfg, const char *path, aid_errbuf *eb);

/* The templates directory, the first of:
 *   1. cfg->templates_dir (AIDIGEST_TEMPLATES, `templates =`) when set;
 *   2. templates/ beside the executable, or one or two directories above it
 *      (a checkout: ./aidigest, build/<variant>/aidigest);
 *   3. CONFIG_DATADIR/templates (`make install` puts them there; the data
 *      directory is compiled in, AID_DATADIR);
 * where 2 and 3 count only when the directory holds week.html;
 *   4. ./templates.
 * Resets out and fills it; 0 or -1 (out of memory). cfg may be NULL. */
AID_MUST_CHECK int config_templates_dir(const aid_config *cfg, strbuf *out);

/* The compiled-in data directory ($(PREFIX)/share/aidigest). */
#ifdef AID_DATADIR
#define CONFIG_DATADIR AID_DATADIR
#else
#define CONFIG_DATADIR "/usr/local/share/aidigest"
#endif

/* Free every string; cfg may be zeroed or partly filled. */
void config_release(aid_config *cfg);

#endif
