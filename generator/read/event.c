#include "read/event.h"

#include <json-c/json.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jget.h"
#include "common/textnorm.h"
#include "common/timeutil.h"

#define EVENT_MAX_DEPTH 32

static const char *const event_bad_names[EVENT_BAD__COUNT] = {
    [EVENT_BAD_INVALID_JSON] = "invalid_json",
    [EVENT_BAD_INVALID_UTF8] = "invalid_utf8",
    [EVENT_BAD_LINE_TOO_LONG] = "line_too_long",
    [EVENT_BAD_TOO_DEEP] = "too_deep",
    [EVENT_BAD_NOT_OBJECT] = "not_object",
    [EVENT_BAD_MISSING_FIELD] = "missing_field",
    [EVENT_BAD_WRONG_TYPE] = "wrong_type",
    [EVENT_BAD_CONFIDENCE_RANGE] = "confidence_range",
    [EVENT_BAD_UNKNOWN_ACTION] = "unknown_action",
    [EVENT_BAD_BAD_TIME] = "bad_time",
    [EVENT_BAD_VALUE_RANGE] = "value_range",
    [EVENT_BAD_CSAT_RANGE] = "csat_range",
};

const char *event_bad_name(event_bad r)
{
    if ((int)r < 0 || r >= EVENT_BAD__COUNT)
        return "ok";
    return event_bad_names[r];
}

static const char *const event_action_names[ACTION__COUNT] = { "accepted", "edited", "rejected",
                                                              "ignored" };

const char *event_action_name(event_action a)
{
    return (int)a >= 0 && a < ACTION__COUNT ? event_action_names[a] : "?";
}

#define EVENT_SCRATCH 24 /* more than the string fields of any event */

struct event_parser {
    json_tokener *tok;
    struct json_object *obj;
    size_t max_line;
    char *scratch[EVENT_SCRATCH]; /* copies of strings that held a NUL */
    int nscratch;
    bool nomem;                   /* a copy failed while parsing this line */
};

static void event_scratch_reset(event_parser *p)
{
    for (int i = 0; i < p->nscratch; i++)
        free(p->scratch[i]);
    p->nscratch = 0;
}

aid_err event_parser_new(event_parser **out, size_t max_line, aid_errbuf *eb)
{
    event_parser *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    p->tok = json_tokener_new_ex(EVENT_MAX_DEPTH);
    if (!p->tok) {
        free(p);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    json_tokener_set_flags(p->tok, JSON_TOKENER_STRICT);
    p->max_line = max_line;
    *out = p;
    return AID_OK;
}

void event_parser_free(event_parser *p)
{
    if (!p)
        return;
    json_object_put(p->obj);
    event_scratch_reset(p);
    json_tokener_free(p->tok);
    free(p);
}

/* Field lookup results. */
enum { F_ABSENT, F_OK, F_WRONG };

/* A string field; JSON null counts as absent. A "\u0000" in it (legal
 * JSON, but the end of a C string) becomes U+FFFD, in a copy the parser
 * keeps until the next line, so that every later stage sees the same
 * text. */
static int get_str(event_parser *p, struct json_object *o, const char *key, event_str *out)
{
    struct json_object *v;
    out->s = NULL;
    out->len = 0;
    if (!json_object_object_get_ex(o, key, &v) || !v)
        return F_ABSENT;
    if (!json_object_is_type(v, json_type_string))
        return F_WRONG;
    out->s = json_object_get_string(v);
    out->len = (size_t)json_object_get_string_len(v);
    if (!memchr(out->s, '\0', out->len) || p->nscratch >= EVENT_SCRATCH)
        return F_OK;
    size_t nul = 0;
    for (size_t i = 0; i < out->len; i++)
        nul += out->s[i] == '\0';
    char *copy = malloc(out->len + 2 * nul + 1);
    if (!copy) {
        p->nomem = true;
        return F_OK;
    }
    size_t n = 0;
    for (size_t i = 0; i < out->len; i++) {
        if (out->s[i]) {
            copy[n++] = out->s[i];
        } else {
            memcpy(copy + n, "\xef\xbf\xbd", 3);
            n += 3;
        }
    }
    copy[n] = '\0';
    p->scratch[p->nscratch++] = copy;
    out->s = copy;
    out->len = n;
    return F_OK;
}

typedef struct field_ctx {
    event_parser *p;
    struct json_object *o;
    const char *what;
    char *detail;
    size_t dn;
    const char *line; /* the raw line, for a number's text as written */
    size_t len;
} field_ctx;

/* The number token after the first top-level-looking "confidence": key of
 * the raw line into buf, or "" when none is found. */
static void raw_number_after(const char *line, size_t len, const char *key, char *buf, size_t n)
{
    size_t kl = strlen(key);
    buf[0] = '\0';
    for (size_t i = 0; i + kl + 2 <= len; i++) {
        if (line[i] != '"' || memcmp(line + i + 1, key, kl) || line[i + 1 + kl] != '"')
            continue;
        size_t j = i + kl + 2;
        while (j < len && strchr(" \t\r\n", line[j]))
            j++;
        if (j >= len || line[j] != ':')
            continue;
        j++;
        while (j < len && strchr(" \t\r\n", line[j]))
            j++;
        size_t o = 0;
        while (j < len && line[j] && strchr("-+0123456789.eE", line[j]) && o + 1 < n)
            buf[o++] = line[j++];
        buf[o] = '\0';
        return;
    }
}

/* The text of an out-of-range number (confidence, csat) as it is written in the input: a
 * double keeps its token in json-c; an integer too large for 64 bits is
 * clamped by json-c, so its text is taken from the raw line. */
static void field_ctx_number_text(const field_ctx *c, struct json_object *conf, const char *key, char *buf,
                                  size_t n)
{
    if (json_object_is_type(conf, json_type_int)) {
        int64_t i = json_object_get_int64(conf);
        uint64_t u = json_object_get_uint64(conf);
        if (i == INT64_MAX || i == INT64_MIN || u == UINT64_MAX) {
            raw_number_after(c->line, c->len, key, buf, n);
            if (buf[0])
                return;
        }
    }
    snprintf(buf, n, "%s", json_object_to_json_string_ext(conf, JSON_C_TO_STRING_PLAIN));
}

static event_bad need_str(field_ctx *c, const char *key, event_str *out)
{
    int r = get_str(c->p, c->o, key, out);
    if (r == F_WRONG) {
        snprintf(c->detail, c->dn, "%s: field '%s' must be a string", c->what, key);
        return EVENT_BAD_WRONG_TYPE;
    }
    if (r == F_ABSENT || out->len == 0) {
        snprintf(c->detail, c->dn, "%s: missing required field '%s'", c->what, key);
        return EVENT_BAD_MISSING_FIELD;
    }
    return EVENT_OK;
}

static event_bad opt_str(field_ctx *c, const char *key, event_str *out)
{
    if (get_str(c->p, c->o, key, out) == F_WRONG) {
        snprintf(c->detail, c->dn, "%s: field '%s' must be a string", c->what, key);
        return EVENT_BAD_WRONG_TYPE;
    }
    return EVENT_OK;
}

static event_bad need_time(field_ctx *c, const char *key, int64_t *ms)
{
    event_str s;
    event_bad r = need_str(c, key, &s);
    if (r != EVENT_OK)
        return r;
    if (!timeutil_parse_rfc3339(s.s, s.len, ms)) {
        snprintf(c->detail, c->dn, "%s: field '%s' is not an RFC 3339 time: \"%.40s\"", c->what, key,
                 s.s);
        return EVENT_BAD_BAD_TIME;
    }
    return EVENT_OK;
}

static event_bad opt_str_array(field_ctx *c, const char *key, struct json_object **out)
{
    struct json_object *v;
    *out = NULL;
    if (!json_object_object_get_ex(c->o, key, &v) || !v)
        return EVENT_OK;
    if (!json_object_is_type(v, json_type_array))
        goto wrong;
    for (size_t i = 0, n = json_object_array_length(v); i < n; i++)
        if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string))
            goto wrong;
    *out = v;
    return EVENT_OK;
wrong:
    snprintf(c->detail, c->dn, "%s: field '%s' must be an array of strings", c->what, key);
    return EVENT_BAD_WRONG_TYPE;
}

/* An optional number field in [0, max]: *has false when absent or null;
 * an integer when want_int (a JSON number without fraction or exponent:
 * 3, not 3.0). */
static event_bad opt_num(field_ctx *c, const char *key, bool want_int, double max, bool *has, double *dv,
                         int64_t *iv)
{
    struct json_object *v;
    *has = false;
    if (!json_object_object_get_ex(c->o, key, &v) || !v)
        return EVENT_OK;
    bool is_int = json_object_is_type(v, json_type_int);
    if (want_int ? !is_int : !(is_int || json_object_is_type(v, json_type_double))) {
        snprintf(c->detail, c->dn, "%s: field '%s' must be %s or null", c->what, key,
                 want_int ? "an integer" : "a number");
        return EVENT_BAD_WRONG_TYPE;
    }
    double d = json_object_get_double(v);
    bool neg = is_int ? json_object_get_int64(v) < 0 : d < 0.0;
    if (neg || !(d <= max)) {
        char num[72];
        if (is_int && (json_object_get_int64(v) == INT64_MAX || json_object_get_int64(v) == INT64_MIN))
            raw_number_after(c->line, c->len, key, num, sizeof num);
        else
            num[0] = '\0';
        if (!num[0])
            snprintf(num, sizeof num, "%s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        snprintf(c->detail, c->dn, "%s: %s %s is outside [0, %.0f]", c->what, key, num, max);
        return EVENT_BAD_VALUE_RANGE;
    }
    *has = true;
    if (dv)
        *dv = d;
    if (iv)
        *iv = is_int ? json_object_get_int64(v) : 0;
    return EVENT_OK;
}

/* The cost and latency fields of a suggestion. */
static event_bad parse_cost(field_ctx *c, event *ev)
{
    double cost = 0;
    event_bad r = opt_str(c, "model", &ev->model);
    if (r == EVENT_OK)
        r = opt_num(c, "latency_ms", false, EVENT_MAX_LATENCY_MS, &ev->has_latency, &ev->latency_ms, NULL);
    if (r == EVENT_OK)
        r = opt_num(c, "tokens_in", true, (double)EVENT_MAX_TOKENS, &ev->has_tokens_in, NULL, &ev->tokens_in);
    if (r == EVENT_OK)
        r = opt_num(c, "tokens_out", true, (double)EVENT_MAX_TOKENS, &ev->has_tokens_out, NULL, &ev->tokens_out);
    if (r == EVENT_OK)
        r = opt_num(c, "cost", false, EVENT_MAX_COST, &ev->has_cost, &cost, NULL);
    if (r == EVENT_OK && ev->has_cost)
        ev->cost_nano = (int64_t)llround(cost * 1e9);
    if (ev->model.s && !ev->model.len)
        ev->model.s = NULL; /* "" is no model */
    return r;
}

#define TRY(x) do { event_bad r_ = (x); if (r_ != EVENT_OK) return r_; } while (0)

static event_bad parse_suggestion(field_ctx *c, event *ev)
{
    event_str action;
    TRY(need_str(c, "id", &ev->id));
    TRY(need_time(c, "ts", &ev->ts_ms));
    TRY(need_str(c, "ai_reply", &ev->ai_reply));
    TRY(need_str(c, "action", &action));
    TRY(opt_str(c, "customer_message", &ev->customer_message));
    TRY(opt_str(c, "final_reply", &ev->final_reply));
    TRY(opt_str(c, "conversation_id", &ev->conversation_id));
    TRY(opt_str(c, "agent_id", &ev->agent_id));
    TRY(opt_str(c, "channel", &ev->channel));
    TRY(opt_str(c, "locale", &ev->locale));
    TRY(opt_str(c, "prompt_id", &ev->prompt_id));
    TRY(opt_str(c, "prompt_version", &ev->prompt_version));
    struct json_object *conf;
    ev->has_confidence = false;
    if (json_object_object_get_ex(c->o, "confidence", &conf) && conf) {
        if (!json_object_is_type(conf, json_type_double) && !json_object_is_type(conf, json_type_int)) {
            snprintf(c->detail, c->dn, "suggestion: field 'confidence' must be a number or null");
            return EVENT_BAD_WRONG_TYPE;
        }
        double v = json_object_get_double(conf);
        if (!(v >= 0.0 && v <= 1.0)) {
            /* the number as written in the input: 1.0000000000000002, not 1;
             * 30 digits as 30 digits */
            char num[72];
            field_ctx_number_text(c, conf, "confidence", num, sizeof num);
            snprintf(c->detail, c->dn, "suggestion: confidence %s is outside [0, 1]", num);
            return EVENT_BAD_CONFIDENCE_RANGE;
        }
        ev->has_confidence = true;
        ev->confidence = v;
    }
    TRY(parse_cost(c, ev));
    for (int a = 0; a < ACTION__COUNT; a++)
        if (action.len == strlen(event_action_names[a]) &&
            !memcmp(action.s, event_action_names[a], action.len)) {
            ev->action = (event_action)a;
            return EVENT_OK;
        }
    snprintf(c->detail, c->dn, "suggestion: unknown action \"%.40s\"", action.s);
    return EVENT_BAD_UNKNOWN_ACTION;
}

static event_bad parse_correction(field_ctx *c, event *ev)
{
    TRY(need_str(c, "suggestion_id", &ev->suggestion_id));
    TRY(need_time(c, "ts", &ev->ts_ms));
    TRY(need_str(c, "corrected_reply", &ev->corrected_reply));
    TRY(opt_str(c, "by", &ev->by));
    TRY(opt_str(c, "reason", &ev->reason));
    return EVENT_OK;
}

static event_bad parse_prompt_update(field_ctx *c, event *ev)
{
    TRY(need_time(c, "ts", &ev->ts_ms));
    TRY(need_str(c, "prompt_id", &ev->prompt_id));
    TRY(opt_str(c, "from_version", &ev->from_version));
    TRY(opt_str(c, "to_version", &ev->to_version));
    TRY(opt_str(c, "theme", &ev->theme));
    TRY(opt_str(c, "summary", &ev->summary));
    TRY(opt_str_array(c, "examples_added", &ev->examples_added));
    TRY(opt_str_array(c, "examples_removed", &ev->examples_removed));
    return EVENT_OK;
}

/* An outcome: csat an integer 1..5 (a number with a fraction, 4.0
 * included, is wrong_type: a rating is a whole number), resolved a
 * boolean; both optional, null = absent. */
static event_bad parse_outcome(field_ctx *c, event *ev)
{
    TRY(need_time(c, "ts", &ev->ts_ms));
    TRY(need_str(c, "conversation_id", &ev->conversation_id));
    struct json_object *v;
    ev->csat = 0;
    ev->resolved = -1;
    if (json_object_object_get_ex(c->o, "csat", &v) && v) {
        if (!json_object_is_type(v, json_type_int)) {
            snprintf(c->detail, c->dn, "outcome: field 'csat' must be an integer 1 to 5 or null");
            return EVENT_BAD_WRONG_TYPE;
        }
        int64_t i = json_object_get_int64(v);
        if (i < 1 || i > 5) {
            char num[72];
            field_ctx_number_text(c, v, "csat", num, sizeof num);
            snprintf(c->detail, c->dn, "outcome: csat %s is outside 1 to 5", num);
            return EVENT_BAD_CSAT_RANGE;
        }
        ev->csat = (int)i;
    }
    if (json_object_object_get_ex(c->o, "resolved", &v) && v) {
        if (!json_object_is_type(v, json_type_boolean)) {
            snprintf(c->detail, c->dn, "outcome: field 'resolved' must be true, false or null");
            return EVENT_BAD_WRONG_TYPE;
        }
        ev->resolved = json_object_get_boolean(v) ? 1 : 0;
    }
    return EVENT_OK;
}

/* json-c accepts NaN and Infinity even in strict mode; strict JSON has
 * neither. A parsed double keeps its source text: a non-finite value
 * whose text has no digit was one of those words (1e999 is a number). */
static bool has_nonjson_number(struct json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_double: {
        if (isfinite(json_object_get_double(o)))
            return false;
        const char *t = json_object_to_json_string(o);
        return !t || !strpbrk(t, "0123456789");
    }
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(o); i++)
            if (has_nonjson_number(json_object_array_get_idx(o, i)))
                return true;
        return false;
    case json_type_object: {
        json_object_object_foreach(o, k, v) {
            (void)k;
            if (has_nonjson_number(v))
                return true;
        }
        return false;
    }
    default:
        return false;
    }
}

/* json-c lets control characters (bytes < 0x20) through inside strings,
 * even in strict mode; strict JSON (RFC 8259) wants them escaped. Returns
 * the offset of the first raw one inside a string, or -1. */
static long raw_control_in_string(const char *s, size_t len)
{
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
            else if (ch < 0x20)
                return (long)i;
        } else if (ch == '"') {
            in_str = true;
        }
    }
    return -1;
}

static event_bad event_parse_line(event_parser *p, const char *line, size_t len, event *ev, char *detail,
                                  size_t detail_len);

event_bad event_parse(event_parser *p, const char *line, size_t len, event *ev, char *detail,
                      size_t detail_len)
{
    p->nomem = false;
    event_bad r = event_parse_line(p, line, len, ev, detail, detail_len);
    if (p->nomem) {
        snprintf(detail, detail_len, "out of memory");
        return EVENT_NOMEM;
    }
    return r;
}

static event_bad event_parse_line(event_parser *p, const char *line, size_t len, event *ev, char *detail,
                                  size_t detail_len)
{
    memset(ev, 0, sizeof *ev);
    detail[0] = '\0';
    json_object_put(p->obj);
    p->obj = NULL;
    event_scratch_reset(p);
    if (len > p->max_line) {
        snprintf(detail, detail_len, "line of %zu bytes is longer than the limit of %zu", len,
                 p->max_line);
        return EVENT_BAD_LINE_TOO_LONG;
    }
    if (!textnorm_utf8_valid(line, len)) {
        snprintf(detail, detail_len, "line is not valid UTF-8");
        return EVENT_BAD_INVALID_UTF8;
    }
    if (len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) { /* byte order mark */
        line += 3;
        len -= 3;
    }
    if (len > INT32_MAX) {
        snprintf(detail, detail_len, "line too long for the JSON parser");
        return EVENT_BAD_LINE_TOO_LONG;
    }
    json_tokener_reset(p->tok);
    struct json_object *o = json_tokener_parse_ex(p->tok, line, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(p->tok);
    if (!o) {
        /* json-c 0.16 has no error code for memory: a constructor that
         * failed stops the parse with "success" and no value, which is
         * otherwise only the text null (common/jget.h, jget_parse), which
         * may be followed by more (json-c stops after the value: "null\0"
         * is a null with trailing bytes, not out of memory). */
        if (jerr == json_tokener_success &&
            !jget_is_null_text(line, json_tokener_get_parse_end(p->tok))) {
            p->nomem = true;
            return EVENT_BAD_INVALID_JSON;
        }
        if (jerr == json_tokener_error_depth) {
            snprintf(detail, detail_len, "JSON nests deeper than %d levels", EVENT_MAX_DEPTH);
            return EVENT_BAD_TOO_DEEP;
        }
        if (jerr == json_tokener_continue)
            snprintf(detail, detail_len, "JSON ends too early");
        else
            snprintf(detail, detail_len, "not JSON: %s at byte %zu", json_tokener_error_desc(jerr),
                     json_tokener_get_parse_end(p->tok));
        return EVENT_BAD_INVALID_JSON;
    }
    p->obj = o;
    size_t end = json_tokener_get_parse_end(p->tok);
    for (size_t i = end; i < len; i++) {
        char ch = line[i];
        if (ch != ' ' && ch != '\t' && ch != '\r') {
            snprintf(detail, detail_len, "not JSON: extra text after the value at byte %zu", i);
            return EVENT_BAD_INVALID_JSON;
        }
    }
    long ctl = raw_control_in_string(line, len);
    if (ctl >= 0) {
        snprintf(detail, detail_len, "not JSON: unescaped control character 0x%02x in a string at byte %ld",
                 (unsigned)(unsigned char)line[ctl], ctl);
        return EVENT_BAD_INVALID_JSON;
    }
    if (has_nonjson_number(o)) {
        snprintf(detail, detail_len, "not JSON: NaN or Infinity is not a JSON number");
        return EVENT_BAD_INVALID_JSON;
    }
    if (!json_object_is_type(o, json_type_object)) {
        snprintf(detail, detail_len, "a JSON %s, not an object",
                 json_type_to_name(json_object_get_type(o)));
        return EVENT_BAD_NOT_OBJECT;
    }
    field_ctx c = { p, o, "event", detail, detail_len, line, len };
    event_str type;
    TRY(need_str(&c, "type", &type));
    if (type.len == 10 && !memcmp(type.s, "suggestion", 10)) {
        ev->type = EVENT_SUGGESTION;
        c.what = "suggestion";
        return parse_suggestion(&c, ev);
    }
    if (type.len == 10 && !memcmp(type.s, "correction", 10)) {
        ev->type = EVENT_CORRECTION;
        c.what = "correction";
        return parse_correction(&c, ev);
    }
    if (type.len == 13 && !memcmp(type.s, "prompt_update", 13)) {
        ev->type = EVENT_PROMPT_UPDATE;
        c.what = "prompt_update";
        return parse_prompt_update(&c, ev);
    }
    if (type.len == 7 && !memcmp(type.s, "outcome", 7)) {
        ev->type = EVENT_OUTCOME;
        c.what = "outcome";
        return parse_outcome(&c, ev);
    }
    ev->type = EVENT_UNKNOWN_TYPE;
    /* An unknown type still needs a readable time to be placed in a week;
     * without one it is counted as unknown, in no week. */
    event_str ts;
    if (get_str(p, o, "ts", &ts) == F_OK && timeutil_parse_rfc3339(ts.s, ts.len, &ev->ts_ms))
        return EVENT_OK;
    ev->ts_ms = INT64_MIN;
    return EVENT_OK;
}
