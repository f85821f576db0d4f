#include "narrate/narrate.h"
#include "common/escape.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "narrate/factcheck.h"
#include "common/fsutil.h"
#include "common/jget.h"
#include "common/llm.h"
#include "narrate/narrator.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "common/tmpl/tmpl.h"

enum { PART_SUMMARY, PART_SELF, PART_COACH, PART__N };

static const char *const part_names[PART__N] = { "summary", "self_summary", "coach_notes" };
static const char *const part_templates[PART__N] = { "prompts/summary.txt", "prompts/self_summary.txt",
                                                     "prompts/coach_notes.txt" };
static const char *const part_schema_names[PART__N] = { "weekly_summary", "self_summary", "coach_notes" };
static const char *const part_schemas[PART__N] = {
    "{\"type\":\"object\",\"properties\":{\"paragraphs\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
    "\"required\":[\"paragraphs\"],\"additionalProperties\":false}",
    "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},"
    "\"required\":[\"text\"],\"additionalProperties\":false}",
    "{\"type\":\"object\",\"properties\":{\"notes\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
    "\"required\":[\"notes\"],\"additionalProperties\":false}",
};

/* The texts of one part: summary and self-summary use t[0], coach notes t[0..2]. */
typedef struct part_text {
    strbuf t[3];
} part_text;

/* ---- facts ------------------------------------------------------------- */

static struct json_object *redacted_copy(const struct json_object *o, const redact_rules *rules, int depth)
{
    if (!o || depth > 40)
        return NULL;
    switch (json_object_get_type(o)) {
    case json_type_string: {
        strbuf sb = STRBUF_INIT;
        const char *s = json_object_get_string((struct json_object *)o);
        if (redact_text(rules, s, (size_t)json_object_get_string_len(o), &sb) < 0) {
            strbuf_release(&sb);
            return NULL;
        }
        struct json_object *r = json_object_new_string_len(sb.buf, (int)sb.len);
        strbuf_release(&sb);
        return r;
    }
    case json_type_array: {
        struct json_object *a = json_object_new_array();
        for (size_t k = 0; a && k < json_object_array_length(o); k++) {
            struct json_object *e = json_object_array_get_idx(o, k);
            struct json_object *c = redacted_copy(e, rules, depth + 1);
            if (e && !c) {
                json_object_put(a);
                return NULL;
            }
            if (json_object_array_add(a, c) != 0) {
                json_object_put(c);
                json_object_put(a);
                return NULL;
            }
        }
        return a;
    }
    case json_type_object: {
        struct json_object *r = json_object_new_object();
        json_object_object_foreach((struct json_object *)o, key, val) {
            if (!r)
                break;
            struct json_object *c = redacted_copy(val, rules, depth + 1);
            if (val && !c) {
                json_object_put(r);
                return NULL;
            }
            if (json_object_object_add(r, key, c) != 0) {
                json_object_put(c);
                json_object_put(r);
                return NULL;
            }
        }
        return r;
    }
    case json_type_null:
        return NULL;
    default: {
        struct json_object *c = NULL;
        if (json_object_deep_copy((struct json_object *)o, &c, NULL))
            return NULL;
        return c;
    }
    }
}

struct json_object *narrate_facts(const struct json_object *report, const redact_rules *rules)
{
    static const char *const keys[] = { "week", "period", "totals", "rates", "previous", "top_accepted",
                                         "top_rejected", "trends", "retraining", "edits", "coach" };
    static const char *const conf_keys[] = { "n", "mean", "previous_mean", "delta", "psi", "ks", "ece",
                                             "calibration" };
    struct json_object *f = json_object_new_object();
    if (!f)
        return NULL;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        struct json_object *v = jget(report, keys[k]);
        if (!v)
            continue;
        struct json_object *c = redacted_copy(v, rules, 0);
        if (!c && !json_object_is_type(v, json_type_null))
            goto nomem;
        if (json_object_object_add(f, keys[k], c) != 0) {
            json_object_put(c);
            goto nomem;
        }
    }
    struct json_object *conf = json_object_new_object();
    if (jget_set(f, "confidence", conf) < 0)
        goto nomem;
    for (size_t k = 0; k < sizeof conf_keys / sizeof conf_keys[0]; k++) {
        struct json_object *v = jget(jget(report, "confidence"), conf_keys[k]);
        if (v) {
            struct json_object *c = redacted_copy(v, rules, 0);
            if (!c && !json_object_is_type(v, json_type_null))
                goto nomem;
            if (json_object_object_add(conf, conf_keys[k], c) != 0) {
                json_object_put(c);
                goto nomem;
            }
        }
    }
    return f;
nomem:
    json_object_put(f);
    return NULL;
}

/* ---- reading the LLM's answer ------------------------------------------ */

static void trim_inplace(char *s)
{
    size_t n = strlen(s), a = 0;
    while (a < n && isspace((unsigned char)s[a]))
        a++;
    while (n > a && isspace((unsigned char)s[n - 1]))
        n--;
    memmove(s, s + a, n - a);
    s[n - a] = '\0';
}

/* The JSON object in an answer: the whole text, or inside a ``` fence, or
 * from the first '{' to the last '}'. NULL when there is none. */
static struct json_object *answer_json(const char *content)
{
    struct json_object *o = json_tokener_parse(content);
    if (o && json_object_is_type(o, json_type_object))
        return o;
    json_object_put(o);
    const char *a = strchr(content, '{'), *b = strrchr(content, '}');
    if (!a || !b || b < a)
        return NULL;
    char *sub = strndup(a, (size_t)(b - a + 1));
    if (!sub)
        return NULL;
    o = json_tokener_parse(sub);
    free(sub);
    if (o && !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        o = NULL;
    }
    return o;
}

/* Split plain text into blocks: by blank lines (paragraphs) or by lines
 * (notes, bullets and numbering removed). */
static int split_blocks(const char *text, bool by_line, strbuf *blocks, int max)
{
    int n = 0;
    const char *p = text;
    while (*p && n <= max) {
        const char *e = by_line ? strchr(p, '\n') : strstr(p, "\n\n");
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char *blk = strndup(p, len);
        if (!blk)
            return -1;
        trim_inplace(blk);
        char *s = blk;
        if (by_line) {
            while (*s == '-' || *s == '*' || *s == ' ' || (unsigned char)*s == 0xe2)
                s += (unsigned char)*s == 0xe2 ? (strncmp(s, "\xe2\x80\xa2", 3) ? 1 : 3) : 1;
            char *d = s;
            while (isdigit((unsigned char)*d))
                d++;
            if (d > s && (*d == '.' || *d == ')'))
                s = d + 1;
            while (*s == ' ')
                s++;
        }
        if (*s) {
            if (n < max && strbuf_adds(&blocks[n], s) < 0) {
                free(blk);
                return -1;
            }
            n++;
        }
        free(blk);
        if (!e)
            break;
        p = e + (by_line ? 1 : 2);
    }
    return n;
}

/* Fill out from an answer; false (with why) when it has the wrong shape. */
static bool parse_part(int part, const char *content, part_text *out, const char **why)
{
    struct json_object *o = answer_json(content), *v;
    bool good = false;
    int want = part == PART_SUMMARY ? 5 : part == PART_COACH ? 3 : 1;
    const char *field = part == PART_SUMMARY ? "paragraphs" : part == PART_COACH ? "notes" : "text";
    for (int k = 0; k < 3; k++)
        strbuf_reset(&out->t[k]);
    if (o && json_object_object_get_ex(o, field, &v)) {
        if (part == PART_SELF && json_object_is_type(v, json_type_string)) {
            good = strbuf_adds(&out->t[0], json_object_get_string(v)) == 0;
        } else if (part != PART_SELF && json_object_is_type(v, json_type_array)) {
            int n = (int)json_object_array_length(v);
            if ((part == PART_SUMMARY && n == 5) || (part == PART_COACH && n >= 3)) {
                good = true;
                strbuf *dst = &out->t[0];
                for (int k = 0; k < want && good; k++) {
                    struct json_object *e = json_object_array_get_idx(v, k);
                    if (!json_object_is_type(e, json_type_string) || !*json_object_get_string(e)) {
                        good = false;
                        break;
                    }
                    if (part == PART_COACH)
                        dst = &out->t[k];
                    else if (k && strbuf_adds(dst, "\n\n") < 0)
                        good = false;
                    if (strbuf_adds(dst, json_object_get_string(e)) < 0)
                        good = false;
                }
            }
        }
        *why = part == PART_SUMMARY ? "malformed answer (expected 5 paragraphs)"
               : part == PART_COACH ? "malformed answer (expected 3 notes)"
                                    : "malformed answer (expected a text)";
    } else if (!o) {
        /* tolerant fallback: plain text */
        strbuf blocks[6] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
        int n = part == PART_SELF ? 1 : split_blocks(content, part == PART_COACH, blocks, 6);
        if (part == PART_SELF) {
            if (strbuf_adds(&out->t[0], content) == 0) {
                strbuf_trim(&out->t[0]);
                good = out->t[0].len > 0;
            }
        } else if ((part == PART_SUMMARY && n == 5) || (part == PART_COACH && n >= 3)) {
            good = true;
            for (int k = 0; k < want; k++) {
                strbuf *dst = part == PART_COACH ? &out->t[k] : &out->t[0];
                if ((part == PART_SUMMARY && k && strbuf_adds(dst, "\n\n") < 0) ||
                    strbuf_add(dst, blocks[k].buf, blocks[k].len) < 0)
                    good = false;
            }
        }
        for (int k = 0; k < 6; k++)
            strbuf_release(&blocks[k]);
        *why = "malformed answer (not the JSON asked for, and no usable plain text)";
    } else {
        *why = "malformed answer (JSON without the expected field)";
    }
    json_object_put(o);
    if (good)
        for (int k = 0; k < 3; k++)
            strbuf_trim(&out->t[k]);
    return good;
}

static int part_factcheck(const factcheck *fc, int part, const part_text *pt, strbuf *bad)
{
    int wrong = 0;
    for (int k = 0; k < (part == PART_COACH ? 3 : 1); k++) {
        int w = factcheck_text(fc, pt->t[k].buf, bad);
        if (w < 0)
            return -1;
        wrong += w;
    }
    return wrong;
}

/* ---- the stage --------------------------------------------------------- */

/* Ask the LLM for one part. AID_OK and out filled, or an error with the
 * reason in eb (never the key). */
static aid_err llm_part(llm_client *c, tmpl_engine *te, const tmpl_vars *vars, const char *system,
                        const factcheck *fc, int part, part_text *out, aid_errbuf *eb)
{
    strbuf prompt = STRBUF_INIT, bad = STRBUF_INIT, fix = STRBUF_INIT;
    char *answer = NULL, *answer2 = NULL;
    const char *why = NULL;
    aid_err err = tmpl_render(te, part_templates[part], vars, &prompt, eb);
    if (err)
        goto cleanup;
    strbuf_trim(&prompt);
    llm_message m[4] = { { "system", system }, { "user", prompt.buf }, { "assistant", NULL }, { "user", NULL } };
    llm_request rq = { m, 2, part_schema_names[part], part_schemas[part] };
    if ((err = llm_chat(c, &rq, &answer, NULL, eb)))
        goto cleanup;
    if (!parse_part(part, answer, out, &why)) {
        err = aid_errbuf_set(eb, AID_ERR_LLM, "%s", why);
        goto cleanup;
    }
    int wrong = part_factcheck(fc, part, out, &bad);
    if (wrong < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (!wrong)
        goto cleanup;
    /* one more try, naming the wrong numbers to the LLM that wrote them;
     * the reasons below, which reach narrative.source, the page and stderr,
     * only count them: a "wrong number" can be a phone or card number */
    if (strbuf_addf(&fix, "These numbers in your answer are not figures of the week: %s. Rewrite the "
                          "answer using only numbers from the facts, in the same JSON format.", bad.buf) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    m[2].content = answer;
    m[3].content = fix.buf;
    rq.nmessages = 4;
    aid_errbuf eb2;
    if ((err = llm_chat(c, &rq, &answer2, NULL, &eb2))) {
        err = aid_errbuf_set(eb, err, "fact check failed (%d %s); the retry failed: %s", wrong,
                             wrong == 1 ? "number is not a figure of the week" : "numbers are not figures of the week",
                             eb2.msg);
        goto cleanup;
    }
    strbuf_reset(&bad);
    if (!parse_part(part, answer2, out, &why)) {
        err = aid_errbuf_set(eb, AID_ERR_LLM, "fact check failed, then %s", why);
        goto cleanup;
    }
    wrong = part_factcheck(fc, part, out, &bad);
    if (wrong)
        err = wrong < 0 ? aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory")
                        : aid_errbuf_set(eb, AID_ERR_LLM, "fact check failed twice: %d %s", wrong,
                                         wrong == 1 ? "number is not a figure of the week"
                                                    : "numbers are not figures of the week");
cleanup:
    free(answer);
    free(answer2);
    strbuf_release(&fix);
    strbuf_release(&bad);
    strbuf_release(&prompt);
    return err;
}

static int builtin_part(const struct json_object *report, int part, part_text *out)
{
    for (int k = 0; k < 3; k++)
        strbuf_reset(&out->t[k]);
    switch (part) {
    case PART_SUMMARY:
        return narrator_summary(report, &out->t[0]);
    case PART_SELF:
        return narrator_self_summary(report, &out->t[0]);
    default:
        return narrator_coach_notes(report, out->t);
    }
}

/* Redact a final text in place (the LLM's or the narrator's quotes). */
static int redact_final(const redact_rules *rules, strbuf *sb)
{
    strbuf r = STRBUF_INIT;
    if (redact_text(rules, sb->buf, sb->len, &r) < 0) {
        strbuf_release(&r);
        return -1;
    }
    strbuf_release(sb);
    *sb = r;
    return 0;
}

aid_err narrate_report(struct json_object *report, const aid_config *cfg, const char *out_dir,
                       bool offline, aid_errbuf *eb)
{
    aid_err err = AID_OK;
    redact_rules *rules = NULL;
    factcheck *fc = NULL;
    llm_client *client = NULL;
    tmpl_engine *te = NULL;
    tmpl_vars *vars = NULL;
    struct json_object *facts = NULL, *narr = NULL, *source = NULL;
    strbuf root = STRBUF_INIT, cache = STRBUF_INIT, system = STRBUF_INIT;
    strbuf srcs[PART__N] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
    part_text texts[PART__N];
    memset(texts, 0, sizeof texts);
    for (int p = 0; p < PART__N; p++)
        for (int k = 0; k < 3; k++)
            strbuf_init(&texts[p].t[k]);

    if ((err = redact_rules_new(&rules, cfg->redact_rules, eb)))
        goto cleanup;
    bool use_llm = !offline && cfg->llm_api_key && *cfg->llm_api_key;
    char stop_reason[sizeof eb->msg] = "";
    const char *model = cfg->llm_model ? cfg->llm_model : "gpt-4o";
    if (use_llm) {
        aid_errbuf leb;
        if (out_dir && fsutil_join(&cache, out_dir, ".cache/llm") < 0)
            goto nomem;
        if (factcheck_new(&fc, report, NULL) || !(facts = narrate_facts(report, rules)) ||
            config_templates_dir(cfg, &root) < 0 || tmpl_vars_new(&vars) != AID_OK)
            goto nomem;
        if (tmpl_engine_new(&te, root.buf, TMPL_SAFE, NULL) != AID_OK)
            goto nomem;
        if (tmpl_vars_set(vars, "week", jget_str(report, "week", "")) < 0 ||
            tmpl_vars_set(vars, "team", cfg->team_name ? cfg->team_name : "Support") < 0 ||
            tmpl_vars_set(vars, "facts", json_object_to_json_string_ext(facts, JSON_C_TO_STRING_PRETTY |
                                                                                   JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
            goto nomem;
        aid_err cerr = llm_client_new(&client, cfg, out_dir ? cache.buf : NULL, &leb);
        if (cerr == AID_ERR_NOMEM)
            goto nomem;
        if (cerr)
            snprintf(stop_reason, sizeof stop_reason, "%s", leb.msg);
        else if (tmpl_render(te, "prompts/system.txt", vars, &system, &leb))
            snprintf(stop_reason, sizeof stop_reason, "%s", leb.msg);
        strbuf_trim(&system);
    }
    for (int p = 0; p < PART__N; p++) {
        aid_errbuf peb;
        aid_err perr = AID_ERR_CONFIG;
        if (use_llm && !*stop_reason) {
            perr = llm_part(client, te, vars, system.buf, fc, p, &texts[p], &peb);
            if (perr == AID_ERR_NOMEM)
                goto nomem;
            if (perr == AID_ERR_NETWORK || perr == AID_ERR_AUTH || perr == AID_ERR_TEMPLATE || perr == AID_ERR_CONFIG)
                snprintf(stop_reason, sizeof stop_reason, "%s", peb.msg);
        } else if (use_llm) {
            snprintf(peb.msg, sizeof peb.msg, "%s", stop_reason);
        }
        if (use_llm && perr == AID_OK) {
            if (strbuf_addf(&srcs[p], "llm:%s", model) < 0)
                goto nomem;
        } else {
            if (builtin_part(report, p, &texts[p]) < 0)
                goto nomem;
            if (use_llm) {
                if (strbuf_addf(&srcs[p], "builtin (fallback: %s)", peb.msg) < 0)
                    goto nomem;
                esc_fprintf(stderr, "aidigest: narrative: %s: built-in narrator used: %s\n", part_names[p], peb.msg);
            } else if (strbuf_adds(&srcs[p], "builtin") < 0) {
                goto nomem;
            }
        }
        for (int k = 0; k < 3; k++)
            if (redact_final(rules, &texts[p].t[k]) < 0)
                goto nomem;
    }

    if (!(narr = json_object_new_object()) || !(source = json_object_new_object()))
        goto nomem;
    if (jget_set(narr, "summary", json_object_new_string(texts[PART_SUMMARY].t[0].buf)) < 0 ||
        jget_set(narr, "self_summary", json_object_new_string(texts[PART_SELF].t[0].buf)) < 0)
        goto nomem;
    struct json_object *notes = json_object_new_array();
    for (int k = 0; notes && k < 3; k++)
        if (jget_push(notes, json_object_new_string(texts[PART_COACH].t[k].buf)) < 0) {
            json_object_put(notes);
            goto nomem;
        }
    if (jget_set(narr, "coach_notes", notes) < 0)
        goto nomem;
    for (int p = 0; p < PART__N; p++)
        if (jget_set(source, part_names[p], json_object_new_string(srcs[p].buf)) < 0)
            goto nomem;
    int added = jget_set(narr, "source", source);
    source = NULL;
    if (added < 0)
        goto nomem;
    added = jget_set(report, "narrative", narr);
    narr = NULL;
    if (added < 0)
        goto nomem;
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    json_object_put(source);
    json_object_put(narr);
    for (int p = 0; p < PART__N; p++) {
        strbuf_release(&srcs[p]);
        for (int k = 0; k < 3; k++)
            strbuf_release(&texts[p].t[k]);
    }
    strbuf_release(&system);
    strbuf_release(&cache);
    strbuf_release(&root);
    json_object_put(facts);
    tmpl_vars_free(vars);
    tmpl_engine_free(te);
    llm_client_free(client);
    factcheck_free(fc);
    redact_rules_free(rules);
    return err;
}
