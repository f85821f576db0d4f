#include "narrate/narrate.h"
#include "common/escape.h"

#include <ctype.h>
#include <math.h>
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
/* Every answer lists the claims it makes: the figure (a report.json path
 * of the facts) and the direction it says the figure moved, which the
 * fact check compares with the figure's verdict. */
#define CLAIMS_SCHEMA                                                                                         \
    "\"claims\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"                      \
    "\"text\":{\"type\":\"string\"},\"figure\":{\"type\":\"string\"},"                                    \
    "\"direction\":{\"type\":\"string\",\"enum\":[\"up\",\"down\",\"steady\",\"none\"]}},"                 \
    "\"required\":[\"text\",\"figure\",\"direction\"],\"additionalProperties\":false}}"
static const char *const part_schemas[PART__N] = {
    "{\"type\":\"object\",\"properties\":{\"paragraphs\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
    CLAIMS_SCHEMA "},\"required\":[\"paragraphs\",\"claims\"],\"additionalProperties\":false}",
    "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}," CLAIMS_SCHEMA "},"
    "\"required\":[\"text\",\"claims\"],\"additionalProperties\":false}",
    "{\"type\":\"object\",\"properties\":{\"notes\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
    CLAIMS_SCHEMA "},\"required\":[\"notes\",\"claims\"],\"additionalProperties\":false}",
};

/* The texts of one part: summary and self-summary use t[0], coach notes t[0..2]. */
typedef struct part_text {
    strbuf t[3];
    struct json_object *claims; /* the claims the LLM listed (owned), or NULL */
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
    static const char *const keys[] = { "week", "period", "totals", "rates", "previous", "changes", "top_accepted",
                                         "top_rejected", "trends", "retraining", "edits", "coach" };
    static const char *const conf_keys[] = { "n", "mean", "previous_mean", "delta", "delta_ci", "delta_verdict",
                                             "psi", "ks", "drift", "ece", "brier", "calibration" };
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
    json_object_put(out->claims);
    out->claims = NULL;
    struct json_object *cl;
    if (o && json_object_object_get_ex(o, "claims", &cl) && json_object_is_type(cl, json_type_array))
        out->claims = json_object_get(cl);
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

/* The claims the LLM listed itself: each direction against the verdict of
 * the figure it names. */
static int listed_claims(const struct json_object *report, const part_text *pt, strbuf *bad)
{
    int wrong = 0;
    size_t n = pt->claims ? json_object_array_length(pt->claims) : 0;
    for (size_t k = 0; k < n; k++) {
        struct json_object *c = json_object_array_get_idx(pt->claims, k);
        const char *fig = jget_str(c, "figure", NULL), *dir = jget_str(c, "direction", "none");
        if (!fig || (strcmp(dir, "up") && strcmp(dir, "down") && strcmp(dir, "steady")))
            continue;
        char vb[128];
        const char *v = factcheck_figure_verdict(report, fig, vb, sizeof vb);
        if (!v && strlen(fig) < 100) {
            snprintf(vb, sizeof vb, "%s.verdict", fig);
            v = jget_str(report, vb, NULL);
        }
        if (!v || !strcmp(v, dir))
            continue;
        wrong++;
        if (bad && ((bad->len && strbuf_adds(bad, "; ") < 0) ||
                    strbuf_addf(bad, "your claim list says %s is %s, its verdict is %s", fig, dir, v) < 0))
            return -1;
    }
    return wrong;
}

/* The wrong numbers (named in bad_nums) and the direction claims that
 * disagree with their verdicts (reasons in bad_dirs) of a part; *nwrong
 * and *dwrong count them. 0, or -1 when out of memory. */
static int part_factcheck(const struct json_object *report, const factcheck *fc, int part, const part_text *pt,
                          strbuf *bad_nums, strbuf *bad_dirs, int *nwrong, int *dwrong)
{
    *nwrong = *dwrong = 0;
    for (int k = 0; k < (part == PART_COACH ? 3 : 1); k++) {
        int w = factcheck_text(fc, pt->t[k].buf, bad_nums);
        int d = w < 0 ? -1 : factcheck_directions(fc, pt->t[k].buf, bad_dirs);
        if (d < 0)
            return -1;
        *nwrong += w;
        *dwrong += d;
    }
    int l = listed_claims(report, pt, bad_dirs);
    if (l < 0)
        return -1;
    *dwrong += l;
    return 0;
}

/* "fact check failed (1 number is not a figure of the week, 1 claim
 * disagrees with its verdict)": counts only, never the numbers. */
static int why_wrong(strbuf *sb, int nwrong, int dwrong)
{
    int rc = 0;
    if (nwrong)
        rc |= strbuf_addf(sb, "%d %s", nwrong,
                          nwrong == 1 ? "number is not a figure of the week" : "numbers are not figures of the week");
    if (dwrong)
        rc |= strbuf_addf(sb, "%s%d %s", nwrong ? ", " : "", dwrong,
                          dwrong == 1 ? "claim disagrees with its verdict" : "claims disagree with their verdicts");
    return rc ? -1 : 0;
}

/* ---- the stage --------------------------------------------------------- */

/* Ask the LLM for one part. AID_OK and out filled, or an error with the
 * reason in eb (never the key). */
static aid_err llm_part(llm_client *c, tmpl_engine *te, const tmpl_vars *vars, const char *system,
                        const struct json_object *report, const factcheck *fc, int part, part_text *out,
                        aid_errbuf *eb)
{
    strbuf prompt = STRBUF_INIT, bad = STRBUF_INIT, dirs = STRBUF_INIT, fix = STRBUF_INIT, why = STRBUF_INIT;
    char *answer = NULL, *answer2 = NULL;
    const char *shape = NULL;
    int nwrong = 0, dwrong = 0;
    aid_err err = tmpl_render(te, part_templates[part], vars, &prompt, eb);
    if (err)
        goto cleanup;
    strbuf_trim(&prompt);
    llm_message m[4] = { { "system", system }, { "user", prompt.buf }, { "assistant", NULL }, { "user", NULL } };
    llm_request rq = { m, 2, part_schema_names[part], part_schemas[part] };
    if ((err = llm_chat(c, &rq, &answer, NULL, eb)))
        goto cleanup;
    if (!parse_part(part, answer, out, &shape)) {
        err = aid_errbuf_set(eb, AID_ERR_LLM, "%s", shape);
        goto cleanup;
    }
    if (part_factcheck(report, fc, part, out, &bad, &dirs, &nwrong, &dwrong) < 0)
        goto nomem;
    if (!nwrong && !dwrong)
        goto cleanup;
    /* one more try, naming the wrong numbers and claims to the LLM that
     * wrote them; the reasons below, which reach narrative.source, the page
     * and stderr, only count them: a "wrong number" can be a phone or card
     * number */
    if ((nwrong && strbuf_addf(&fix, "These numbers in your answer are not figures of the week: %s. ", bad.buf) < 0) ||
        (dwrong && strbuf_addf(&fix, "These direction words disagree with the verdicts of the facts: %s. Use a "
                                     "direction word only where the figure's verdict is up or down, and say "
                                     "steady where it is steady. ", dirs.buf) < 0) ||
        strbuf_adds(&fix, "Rewrite the answer using only numbers from the facts, in the same JSON format.") < 0 ||
        why_wrong(&why, nwrong, dwrong) < 0)
        goto nomem;
    m[2].content = answer;
    m[3].content = fix.buf;
    rq.nmessages = 4;
    aid_errbuf eb2;
    if ((err = llm_chat(c, &rq, &answer2, NULL, &eb2))) {
        err = aid_errbuf_set(eb, err, "fact check failed (%s); the retry failed: %s", why.buf, eb2.msg);
        goto cleanup;
    }
    strbuf_reset(&bad);
    strbuf_reset(&dirs);
    strbuf_reset(&why);
    if (!parse_part(part, answer2, out, &shape)) {
        err = aid_errbuf_set(eb, AID_ERR_LLM, "fact check failed, then %s", shape);
        goto cleanup;
    }
    if (part_factcheck(report, fc, part, out, &bad, &dirs, &nwrong, &dwrong) < 0 ||
        why_wrong(&why, nwrong, dwrong) < 0)
        goto nomem;
    if (nwrong || dwrong)
        err = aid_errbuf_set(eb, AID_ERR_LLM, "fact check failed twice: %s", why.buf);
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    free(answer);
    free(answer2);
    strbuf_release(&why);
    strbuf_release(&fix);
    strbuf_release(&dirs);
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

/* ---- narrative.claims --------------------------------------------------- */

typedef struct claims_ctx {
    struct json_object *arr;
    const struct json_object *report;
    const char *part;
} claims_ctx;

/* One claim as an object of narrative.claims (docs/narrative.md). */
static int claim_json(void *vctx, const char *text, const factcheck_claim *c)
{
    claims_ctx *cx = vctx;
    if (!c->figure && !c->direction)
        return 0; /* an unmatched number: never in a published LLM text */
    struct json_object *o = json_object_new_object();
    if (jget_push(cx->arr, o) < 0)
        return -1;
    if (jget_set(o, "part", json_object_new_string(cx->part)) < 0 ||
        jget_set(o, "text", json_object_new_string_len(text + c->off, (int)c->len)) < 0 ||
        jget_set(o, "offset", json_object_new_int64((int64_t)c->off)) < 0 ||
        jget_set(o, "kind", json_object_new_string(c->direction ? "direction" : "number")) < 0 ||
        jget_set(o, "figure", json_object_new_string(c->figure ? c->figure : "")) < 0)
        return -1;
    struct json_object *val = isfinite(c->value) && fabs(c->value) < 1e15 && c->value == floor(c->value)
                                  ? json_object_new_int64((int64_t)c->value)
                                  : jget_new_num(c->value, 6);
    if (val ? jget_set(o, "value", val) < 0 : json_object_object_add(o, "value", NULL) != 0)
        return -1;
    if (c->verdict ? jget_set(o, "verdict", json_object_new_string(c->verdict)) < 0
                   : json_object_object_add(o, "verdict", NULL) != 0)
        return -1;
    /* the figure's interval, when the report has one ("..._ci") */
    char ci[256];
    const char *fig = c->figure && !strncmp(c->figure, "100*", 4) ? c->figure + 4 : c->figure;
    snprintf(ci, sizeof ci, "%s_ci", fig ? fig : "");
    if (fig && jget_len(cx->report, ci) == 2 && jget_has(cx->report, "schema")) {
        struct json_object *iv = json_object_new_array();
        char a[272];
        if (jget_set(o, "interval", iv) < 0)
            return -1;
        for (int k = 0; k < 2; k++) {
            snprintf(a, sizeof a, "%s.%d", ci, k);
            struct json_object *e = jget_new_num(jget_double(cx->report, a, NAN), 6);
            if (e ? jget_push(iv, e) < 0 : json_object_array_add(iv, NULL) != 0)
                return -1;
        }
    }
    if (c->direction && (jget_set(o, "said", json_object_new_string(c->said)) < 0 ||
                         jget_set(o, "agrees", json_object_new_boolean(c->ok)) < 0))
        return -1;
    return 0;
}

/* The claims of every published text, in order. NULL when out of memory. */
static struct json_object *narrative_claims(const struct json_object *report, const factcheck *fc,
                                            const part_text *texts)
{
    struct json_object *arr = json_object_new_array();
    claims_ctx cx = { arr, report, NULL };
    char name[32];
    for (int p = 0; arr && p < PART__N; p++)
        for (int k = 0; k < (p == PART_COACH ? 3 : 1); k++) {
            if (!texts[p].t[k].len)
                continue;
            if (p == PART_COACH)
                snprintf(name, sizeof name, "coach_notes.%d", k);
            cx.part = p == PART_COACH ? name : part_names[p];
            if (factcheck_claims(fc, texts[p].t[k].buf, claim_json, &cx) < 0) {
                json_object_put(arr);
                return NULL;
            }
        }
    return arr;
}

/* report.narrative from the final texts: summary, self_summary,
 * coach_notes (the non-empty ones), claims, source. 0 or -1 (out of
 * memory). */
static int set_narrative(struct json_object *report, const factcheck *fc, const part_text *texts, const strbuf *srcs)
{
    struct json_object *narr = json_object_new_object(), *source = json_object_new_object();
    if (!narr || !source)
        goto nomem;
    if (jget_set(narr, "summary", json_object_new_string(texts[PART_SUMMARY].t[0].buf)) < 0 ||
        jget_set(narr, "self_summary", json_object_new_string(texts[PART_SELF].t[0].buf)) < 0)
        goto nomem;
    struct json_object *notes = json_object_new_array();
    for (int k = 0; notes && k < 3; k++)
        if (texts[PART_COACH].t[k].len && jget_push(notes, json_object_new_string(texts[PART_COACH].t[k].buf)) < 0) {
            json_object_put(notes);
            goto nomem;
        }
    if (jget_set(narr, "coach_notes", notes) < 0 || jget_set(narr, "claims", narrative_claims(report, fc, texts)) < 0)
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
    return 0;
nomem:
    json_object_put(source);
    json_object_put(narr);
    return -1;
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
    struct json_object *facts = NULL;
    strbuf root = STRBUF_INIT, cache = STRBUF_INIT, system = STRBUF_INIT;
    strbuf srcs[PART__N] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
    part_text texts[PART__N];
    memset(texts, 0, sizeof texts);
    for (int p = 0; p < PART__N; p++)
        for (int k = 0; k < 3; k++)
            strbuf_init(&texts[p].t[k]);

    if ((err = redact_rules_new(&rules, cfg->redact_rules, eb)))
        goto cleanup;
    if (factcheck_new(&fc, report, NULL))
        goto nomem;
    bool keyed = !offline && cfg->llm_api_key && *cfg->llm_api_key;
    /* too little data to judge: the short narrative, and no LLM request */
    bool little = narrator_too_little(report);
    bool use_llm = keyed && !little;
    char stop_reason[sizeof eb->msg] = "";
    const char *model = cfg->llm_model ? cfg->llm_model : "gpt-4o";
    if (use_llm) {
        aid_errbuf leb;
        if (out_dir && fsutil_join(&cache, out_dir, ".cache/llm") < 0)
            goto nomem;
        if (!(facts = narrate_facts(report, rules)) ||
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
            perr = llm_part(client, te, vars, system.buf, report, fc, p, &texts[p], &peb);
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
            } else if (keyed && little) {
                if (strbuf_addf(&srcs[p], "builtin (too little data: %lld suggestions)",
                                (long long)jget_int(report, "totals.suggestions", 0)) < 0)
                    goto nomem;
            } else if (strbuf_adds(&srcs[p], "builtin") < 0) {
                goto nomem;
            }
        }
        for (int k = 0; k < 3; k++)
            if (redact_final(rules, &texts[p].t[k]) < 0)
                goto nomem;
    }

    if (set_narrative(report, fc, texts, srcs) < 0)
        goto nomem;
    goto cleanup;
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    for (int p = 0; p < PART__N; p++) {
        strbuf_release(&srcs[p]);
        for (int k = 0; k < 3; k++)
            strbuf_release(&texts[p].t[k]);
        json_object_put(texts[p].claims);
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
