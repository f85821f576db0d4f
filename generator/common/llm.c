#include "common/llm.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/jget.h"
#include "common/strbuf.h"
#include "common/urlshow.h"

#define LLM_MAX_BODY (8u << 20)
#define LLM_MAX_DELAY_MS 30000L
#define LLM_MAX_RETRY_AFTER_MS 120000L

struct llm_client {
    const aid_config *cfg;
    char *cache_dir;
    long backoff_ms;
    unsigned seed;
    int requests;
    long long deadline_ms;   /* monotonic time by which every request ends */
};

static long long llm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

aid_err llm_client_new(llm_client **out, const aid_config *cfg, const char *cache_dir, aid_errbuf *eb)
{
    *out = NULL;
    if (!cfg->llm_api_key || !*cfg->llm_api_key)
        return aid_errbuf_set(eb, AID_ERR_CONFIG, "no OPENAI_API_KEY set");
    llm_client *c = calloc(1, sizeof *c);
    if (!c || (cache_dir && !(c->cache_dir = strdup(cache_dir)))) {
        free(c);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    c->cfg = cfg;
    c->backoff_ms = 500;
    const char *b = getenv("AIDIGEST_LLM_BACKOFF_MS");
    if (b && *b) {
        long v = strtol(b, NULL, 10);
        if (v >= 0 && v <= LLM_MAX_DELAY_MS)
            c->backoff_ms = v;
    }
    c->seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    c->deadline_ms = llm_now_ms() + (cfg->llm_deadline_ms > 0 ? cfg->llm_deadline_ms : CONFIG_LLM_DEADLINE_MS);
    *out = c;
    return AID_OK;
}

void llm_client_free(llm_client *c)
{
    if (!c)
        return;
    free(c->cache_dir);
    free(c);
}

int llm_client_requests(const llm_client *c)
{
    return c->requests;
}

/* ---- helpers ----------------------------------------------------------- */

/* Make a server text fit for an error line: one line, short, and without
 * the API key (or anything that starts like it). */
static void llm_scrub(const llm_client *c, const char *in, char *out, size_t outsz)
{
    const char *key = c->cfg->llm_api_key;
    size_t klen = key ? strlen(key) : 0, prefix = klen < 6 ? klen : 6;
    size_t o = 0;
    for (size_t i = 0; in && in[i] && o + 4 < outsz;) {
        if (prefix && !strncmp(in + i, key, prefix)) {
            const char *m = "[key]";
            for (size_t k = 0; m[k] && o + 1 < outsz; k++)
                out[o++] = m[k];
            while (in[i] && in[i] != ' ' && in[i] != '"' && in[i] != '\'')
                i++;
            continue;
        }
        unsigned char ch = (unsigned char)in[i++];
        out[o++] = (ch == '\n' || ch == '\r' || ch == '\t') ? ' ' : (char)ch;
    }
    out[o] = '\0';
    if (o > 200)
        strcpy(out + 197, "...");
}

static void llm_sha256_hex(const char *a, const char *b, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) && EVP_DigestUpdate(ctx, a, strlen(a)) &&
        EVP_DigestUpdate(ctx, "\n", 1) && EVP_DigestUpdate(ctx, b, strlen(b)) &&
        EVP_DigestFinal_ex(ctx, md, &mdlen)) {
        for (unsigned i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
    } else {
        strcpy(hex, "");
    }
    EVP_MD_CTX_free(ctx);
}

/* Where an answer is collected; why the collection stopped, if it did. */
typedef struct llm_sink {
    strbuf *sb;
    bool too_large; /* over LLM_MAX_BODY */
    bool nomem;
} llm_sink;

static size_t llm_write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
    llm_sink *k = ud;
    size_t n = size * nmemb;
    if (k->sb->len + n > LLM_MAX_BODY) {
        k->too_large = true;
        return 0;
    }
    if (strbuf_add(k->sb, ptr, n) < 0) {
        k->nomem = true;
        return 0;
    }
    return n;
}

/* A transfer that failed for a reason no retry mends: an answer over the
 * cap, out of memory, a URL that is not one. AID_OK when a retry may help. */
static aid_err llm_fatal_transfer(const char *what, CURLcode cc, const llm_sink *k, const char *url,
                                  aid_errbuf *eb)
{
    char shown[512];
    if (cc == CURLE_WRITE_ERROR && k->too_large)
        return aid_errbuf_set(eb, AID_ERR_LIMIT, "%s: answer too large (over %u MiB)", what,
                              LLM_MAX_BODY >> 20);
    if (cc == CURLE_WRITE_ERROR && k->nomem)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    if (cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL) {
        urlshow(url, shown, sizeof shown);
        return aid_errbuf_set(eb, AID_ERR_CONFIG, "%s: AIDIGEST_LLM_BASE_URL gives %s, not a usable http(s) URL: %s",
                              what, shown, curl_easy_strerror(cc));
    }
    return AID_OK;
}

static void llm_sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1)
        ;
}

static struct json_object *llm_body(const llm_client *c, const llm_request *req, bool with_format,
                                    aid_errbuf *eb)
{
    struct json_object *body = json_object_new_object();
    struct json_object *msgs = json_object_new_array();
    if (!body || !msgs)
        goto nomem;
    if (jget_set(body, "model", json_object_new_string(c->cfg->llm_model ? c->cfg->llm_model : "gpt-4o")) < 0)
        goto nomem;
    for (size_t i = 0; i < req->nmessages; i++) {
        struct json_object *m = json_object_new_object();
        if (!m)
            goto nomem;
        if (jget_set(m, "role", json_object_new_string(req->messages[i].role)) < 0 ||
            jget_set(m, "content", json_object_new_string(req->messages[i].content)) < 0) {
            json_object_put(m);
            goto nomem;
        }
        if (jget_push(msgs, m) < 0)
            goto nomem;
    }
    int added = jget_set(body, "messages", msgs);
    msgs = NULL;
    if (added < 0 || jget_set(body, "temperature", json_object_new_double(0)) < 0)
        goto nomem;
    if (with_format && req->schema_name && req->schema_json) {
        struct json_object *schema = json_tokener_parse(req->schema_json);
        if (!schema) {
            json_object_put(body);
            aid_errbuf_set(eb, AID_ERR_PARSE, "llm: the JSON schema for %s does not parse", req->schema_name);
            return NULL;
        }
        struct json_object *rf = json_object_new_object(), *js = json_object_new_object();
        /* the order of the members is the order of the request's text (and cache key) */
        bool built = jget_set(js, "name", json_object_new_string(req->schema_name)) == 0 &&
                     jget_set(js, "strict", json_object_new_boolean(1)) == 0;
        if (!built)
            json_object_put(schema);
        else
            built = jget_set(js, "schema", schema) == 0 &&
                    jget_set(rf, "type", json_object_new_string("json_schema")) == 0;
        if (!built) {
            json_object_put(js);
            json_object_put(rf);
            goto nomem;
        }
        if (jget_set(rf, "json_schema", js) < 0) {
            json_object_put(rf);
            goto nomem;
        }
        if (jget_set(body, "response_format", rf) < 0)
            goto nomem;
    }
    return body;
nomem:
    json_object_put(msgs);
    json_object_put(body);
    aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    return NULL;
}

static bool llm_cache_get(const llm_client *c, const char *hex, char **content)
{
    if (!c->cache_dir || !*hex)
        return false;
    strbuf path = STRBUF_INIT;
    bool hit = false;
    if (strbuf_addf(&path, "%s/%s.json", c->cache_dir, hex) < 0)
        return false;
    if (fsutil_exists(path.buf)) {
        struct json_object *o = json_object_from_file(path.buf);
        struct json_object *v;
        if (o && json_object_object_get_ex(o, "content", &v) && json_object_is_type(v, json_type_string)) {
            *content = strdup(json_object_get_string(v));
            hit = *content != NULL;
        }
        json_object_put(o);
    }
    strbuf_release(&path);
    return hit;
}

static void llm_cache_put(const llm_client *c, const char *hex, const char *content)
{
    if (!c->cache_dir || !*hex)
        return;
    strbuf path = STRBUF_INIT;
    struct json_object *o = json_object_new_object();
    if (o && fsutil_mkdirs(c->cache_dir, NULL) == AID_OK &&
        strbuf_addf(&path, "%s/%s.json", c->cache_dir, hex) == 0) {
        const char *s = NULL;
        if (jget_set(o, "model", json_object_new_string(c->cfg->llm_model ? c->cfg->llm_model : "")) == 0 &&
            jget_set(o, "content", json_object_new_string(content)) == 0)
            s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        /* a cache entry not written (out of memory, a full disk) is a miss later: harmless */
        if (s && fsutil_write_atomic(path.buf, s, strlen(s), NULL) != AID_OK)
            s = NULL;
    }
    json_object_put(o);
    strbuf_release(&path);
}

/* Interpret a 200 answer. AID_OK with *content, or AID_ERR_LLM (retry set
 * when another attempt may help). */
static aid_err llm_parse_answer(const llm_client *c, const char *body, char **content, bool *retry,
                                aid_errbuf *eb)
{
    char tmp[256];
    *retry = false;
    struct json_object *o = json_tokener_parse(body);
    aid_err err = AID_OK;
    struct json_object *choice = NULL, *msg = NULL, *v = NULL;
    if (!o || !json_object_is_type(o, json_type_object)) {
        *retry = true;
        err = aid_errbuf_set(eb, AID_ERR_LLM, "llm: malformed response (not a JSON object)");
        goto cleanup;
    }
    if (!json_object_object_get_ex(o, "choices", &v) || !json_object_is_type(v, json_type_array) ||
        !(choice = json_object_array_get_idx(v, 0)) ||
        !json_object_object_get_ex(choice, "message", &msg)) {
        *retry = true;
        err = aid_errbuf_set(eb, AID_ERR_LLM, "llm: malformed response (no choices[0].message)");
        goto cleanup;
    }
    const char *finish = NULL;
    if (json_object_object_get_ex(choice, "finish_reason", &v) && json_object_is_type(v, json_type_string))
        finish = json_object_get_string(v);
    if (json_object_object_get_ex(msg, "refusal", &v) && json_object_is_type(v, json_type_string) &&
        *json_object_get_string(v)) {
        llm_scrub(c, json_object_get_string(v), tmp, 120);
        err = aid_errbuf_set(eb, AID_ERR_LLM, "llm: the model refused: %s", tmp);
        goto cleanup;
    }
    if (finish && !strcmp(finish, "content_filter")) {
        err = aid_errbuf_set(eb, AID_ERR_LLM, "llm: the model refused (content filter)");
        goto cleanup;
    }
    if (finish && !strcmp(finish, "length")) {
        err = aid_errbuf_set(eb, AID_ERR_LLM, "llm: the answer was truncated (finish_reason length)");
        goto cleanup;
    }
    if (!json_object_object_get_ex(msg, "content", &v) || !json_object_is_type(v, json_type_string) ||
        !*json_object_get_string(v)) {
        err = aid_errbuf_set(eb, AID_ERR_LLM, "llm: the answer has no content");
        goto cleanup;
    }
    if (!(*content = strdup(json_object_get_string(v))))
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    json_object_put(o);
    return err;
}

/* The server's error message, if its body has one. */
static void llm_error_message(const llm_client *c, const char *body, char *out, size_t outsz)
{
    out[0] = '\0';
    struct json_object *o = json_tokener_parse(body);
    struct json_object *e, *m;
    if (o && json_object_object_get_ex(o, "error", &e)) {
        if (json_object_is_type(e, json_type_object) && json_object_object_get_ex(e, "message", &m))
            llm_scrub(c, json_object_get_string(m), out, outsz);
        else if (json_object_is_type(e, json_type_string))
            llm_scrub(c, json_object_get_string(e), out, outsz);
    }
    json_object_put(o);
}

static long llm_retry_after_ms(CURL *h)
{
    long ms = -1;
    struct curl_header *hd;
    if (curl_easy_header(h, "retry-after-ms", 0, CURLH_HEADER, -1, &hd) == CURLHE_OK) {
        char *end;
        double v = strtod(hd->value, &end);
        if (end != hd->value && v >= 0)
            ms = (long)v;
    }
    if (ms < 0) {
        curl_off_t secs = 0;
        if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &secs) == CURLE_OK && secs > 0)
            ms = (long)secs * 1000;
    }
    return ms > LLM_MAX_RETRY_AFTER_MS ? LLM_MAX_RETRY_AFTER_MS : ms;
}

/* ---- the one request path -------------------------------------------- */

/* One field of a multipart form: a text value, or a file's contents. */
typedef struct llm_form_part {
    const char *name;
    const char *value;   /* text, or NULL when file is set */
    const char *file;    /* path of a file sent as it is (read at each attempt) */
} llm_form_part;

typedef struct llm_post llm_post;

/* One POST to {base}{path}, with the client's transport, retries, back-off
 * and error texts. The body is JSON (json, serialised at each attempt so a
 * hook may replace it) or a multipart form (form/nform). */
struct llm_post {
    const char *what;              /* error prefix: "llm", "llm upload", ... */
    const char *path;              /* "/chat/completions" */
    struct json_object *json;      /* owned by the caller; may be replaced by again() */
    const llm_form_part *form;
    size_t nform;
    /* A 2xx answer. AID_OK ends the call; an error ends it too unless it
     * sets *retry. */
    aid_err (*answer)(const llm_client *c, llm_post *p, const char *body, bool *retry, aid_errbuf *eb);
    /* An HTTP error answer (may be NULL): set *resend after changing the
     * request to send it again at once. An error return ends the call. */
    aid_err (*again)(const llm_client *c, llm_post *p, long status, const char *body, bool *resend,
                     aid_errbuf *eb);
    void *ud;
};

static aid_err llm_form(CURL *h, const llm_post *p, curl_mime **out, aid_errbuf *eb)
{
    curl_mime *mime = curl_mime_init(h);
    *out = mime;
    if (!mime)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < p->nform; i++) {
        curl_mimepart *part = curl_mime_addpart(mime);
        if (!part || curl_mime_name(part, p->form[i].name) != CURLE_OK)
            return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        CURLcode cc = p->form[i].file ? curl_mime_filedata(part, p->form[i].file)
                                      : curl_mime_data(part, p->form[i].value, CURL_ZERO_TERMINATED);
        if (cc != CURLE_OK)
            return aid_errbuf_set(eb, AID_ERR_IO, "%s: %s: %s", p->what,
                                  p->form[i].file ? p->form[i].file : p->form[i].name, curl_easy_strerror(cc));
    }
    return AID_OK;
}

static aid_err llm_perform(llm_client *c, llm_post *p, aid_errbuf *eb)
{
    aid_err err = AID_OK;
    CURL *h = NULL;
    curl_mime *mime = NULL;
    struct curl_slist *hdrs = NULL;
    strbuf url = STRBUF_INIT, auth = STRBUF_INIT, resp = STRBUF_INIT;
    const char *base = c->cfg->llm_base_url ? c->cfg->llm_base_url : "https://api.openai.com/v1";
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    if (strbuf_add(&url, base, bl) < 0 || strbuf_adds(&url, p->path) < 0 ||
        strbuf_addf(&auth, "Authorization: Bearer %s", c->cfg->llm_api_key) < 0 ||
        !(hdrs = curl_slist_append(NULL, p->json ? "Content-Type: application/json" : "Expect:")) ||
        !(hdrs = curl_slist_append(hdrs, auth.buf)) || !(h = curl_easy_init()))
        goto nomem;
    long timeout = c->cfg->llm_timeout_ms > 0 ? c->cfg->llm_timeout_ms : 60000;
    int attempts = c->cfg->llm_max_attempts > 0 ? c->cfg->llm_max_attempts : 4;
    for (int attempt = 1;; attempt++) {
        long long left = c->deadline_ms - llm_now_ms();
        if (left <= 0) {
            err = aid_errbuf_set(eb, AID_ERR_NETWORK, "%s: the run's LLM deadline passed (llm_deadline_ms)", p->what);
            goto cleanup;
        }
        long attempt_timeout = left < timeout ? (long)left : timeout;
        strbuf_reset(&resp);
        curl_easy_reset(h);
        curl_easy_setopt(h, CURLOPT_URL, url.buf);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        if (p->json) {
            const char *payload = json_object_to_json_string_ext(p->json, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload);
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(payload));
        } else {
            /* a fresh form each attempt: a used one is not rewound after curl_easy_reset */
            curl_mime_free(mime);
            if ((err = llm_form(h, p, &mime, eb)))
                goto cleanup;
            curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
        }
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, llm_write_cb);
        llm_sink sink = { &resp, false, false };
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, attempt_timeout);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, attempt_timeout < 10000 ? attempt_timeout : 10000L);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "aidigest");
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        c->requests++;
        CURLcode cc = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        bool retry = false;
        long wait = -1;
        if (cc != CURLE_OK && (err = llm_fatal_transfer(p->what, cc, &sink, url.buf, eb))) {
            goto cleanup;
        } else if (cc != CURLE_OK) {
            retry = true;
            err = aid_errbuf_set(eb, AID_ERR_NETWORK, "%s: %s", p->what,
                                 cc == CURLE_OPERATION_TIMEDOUT ? "timed out" : curl_easy_strerror(cc));
        } else if (status >= 200 && status < 300) {
            if (!(err = p->answer(c, p, resp.buf ? resp.buf : "", &retry, eb)))
                goto cleanup;
        } else {
            char msg[256];
            llm_error_message(c, resp.buf ? resp.buf : "", msg, sizeof msg);
            retry = status == 408 || status == 409 || status == 429 || status >= 500;
            bool resend = false;
            if (p->again && (err = p->again(c, p, status, resp.buf ? resp.buf : "", &resend, eb)))
                goto cleanup;
            if (resend) {
                retry = true;
                wait = 0;
            }
            err = aid_errbuf_set(eb, status == 401 || status == 403 ? AID_ERR_AUTH : AID_ERR_HTTP,
                                 "%s: HTTP %ld%s%s", p->what, status, *msg ? ": " : "", msg);
            if (retry && wait < 0)
                wait = llm_retry_after_ms(h);
        }
        if (!retry || attempt >= attempts) {
            if (retry && attempts > 1) {
                char last[sizeof eb->msg];
                snprintf(last, sizeof last, "%s", aid_errbuf_msg(eb, err));
                aid_errbuf_set(eb, err, "%s (after %d attempts)", last, attempt);
            }
            goto cleanup;
        }
        if (wait < 0 || wait == 0) {
            if (wait < 0) {
                long d = c->backoff_ms << (attempt - 1 < 10 ? attempt - 1 : 10);
                if (d > LLM_MAX_DELAY_MS)
                    d = LLM_MAX_DELAY_MS;
                /* full jitter over the upper half */
                wait = d / 2 + (d > 1 ? (long)(rand_r(&c->seed) % (unsigned long)(d / 2 + 1)) : 0);
            }
        } else {
            long d = c->backoff_ms << (attempt - 1 < 10 ? attempt - 1 : 10);
            if (d > wait)
                wait = d;
        }
        /* a wait (the server's Retry-After above all) that ends past the
         * run's deadline ends the attempts now: waiting would only fail */
        if (llm_now_ms() + wait >= c->deadline_ms) {
            char last[sizeof eb->msg];
            snprintf(last, sizeof last, "%s", aid_errbuf_msg(eb, err));
            aid_errbuf_set(eb, err, "%s (a retry in %ld s would end past the run's LLM deadline)", last,
                           (wait + 999) / 1000);
            goto cleanup;
        }
        llm_sleep_ms(wait);
    }
nomem:
    err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
cleanup:
    curl_easy_cleanup(h);
    curl_mime_free(mime);
    curl_slist_free_all(hdrs);
    /* the header held the key: wipe it before freeing */
    if (auth.len)
        memset(auth.buf, 0, auth.len);
    strbuf_release(&auth);
    strbuf_release(&url);
    strbuf_release(&resp);
    return err;
}

/* ---- chat completions ------------------------------------------------ */

typedef struct llm_chat_call {
    const llm_request *req;
    char **content;
    bool dropped_format;
} llm_chat_call;

static aid_err llm_chat_answer(const llm_client *c, llm_post *p, const char *body, bool *retry,
                               aid_errbuf *eb)
{
    llm_chat_call *cc = p->ud;
    return llm_parse_answer(c, body, cc->content, retry, eb);
}

/* A 400 that names response_format: a server without structured output,
 * ask again in plain text (once). */
static aid_err llm_chat_again(const llm_client *c, llm_post *p, long status, const char *body,
                              bool *resend, aid_errbuf *eb)
{
    llm_chat_call *cc = p->ud;
    if (status != 400 || cc->dropped_format || !cc->req->schema_name || !strstr(body, "response_format"))
        return AID_OK;
    struct json_object *plain = llm_body(c, cc->req, false, eb);
    if (!plain)
        return AID_ERR_NOMEM;
    json_object_put(p->json);
    p->json = plain;
    cc->dropped_format = true;
    *resend = true;
    return AID_OK;
}

aid_err llm_chat(llm_client *c, const llm_request *req, char **content, bool *from_cache,
                 aid_errbuf *eb)
{
    aid_err err = AID_OK;
    char hex[65] = "";
    llm_chat_call cc = { req, content, false };
    llm_post p = { .what = "llm", .path = "/chat/completions", .answer = llm_chat_answer,
                   .again = llm_chat_again, .ud = &cc };
    *content = NULL;
    if (from_cache)
        *from_cache = false;

    if (!(p.json = llm_body(c, req, true, eb)))
        return AID_ERR_NOMEM;
    llm_sha256_hex("v1", json_object_to_json_string_ext(p.json, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), hex);
    if (llm_cache_get(c, hex, content)) {
        if (from_cache)
            *from_cache = true;
        goto cleanup;
    }
    if (!(err = llm_perform(c, &p, eb)))
        llm_cache_put(c, hex, *content);
cleanup:
    json_object_put(p.json);
    if (err) {
        free(*content);
        *content = NULL;
    }
    return err;
}

/* ---- files and fine-tuning jobs -------------------------------------- */

/* A 2xx answer that must be a JSON object with a string "id": kept in
 * *(struct json_object **)p->ud. Not JSON: retried. */
static aid_err llm_object_answer(const llm_client *c, llm_post *p, const char *body, bool *retry,
                                 aid_errbuf *eb)
{
    (void)c;
    struct json_object *o = json_tokener_parse(body), *id;
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        *retry = true;
        return aid_errbuf_set(eb, AID_ERR_HTTP, "%s: malformed response (not a JSON object)", p->what);
    }
    if (!json_object_object_get_ex(o, "id", &id) || !json_object_is_type(id, json_type_string) ||
        !*json_object_get_string(id)) {
        json_object_put(o);
        return aid_errbuf_set(eb, AID_ERR_HTTP, "%s: malformed response (no id)", p->what);
    }
    *(struct json_object **)p->ud = o;
    return AID_OK;
}

/* A malloc'd copy of a string member, or of dflt when it is missing. */
static char *llm_strdup_member(struct json_object *o, const char *key, const char *dflt)
{
    struct json_object *v;
    if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
        return strdup(json_object_get_string(v));
    return dflt ? strdup(dflt) : NULL;
}

aid_err llm_upload_file(llm_client *c, const char *path, const char *purpose, char **file_id,
                        aid_errbuf *eb)
{
    struct json_object *answer = NULL;
    llm_form_part form[] = { { "purpose", purpose, NULL }, { "file", NULL, path } };
    llm_post p = { .what = "llm upload", .path = "/files", .form = form, .nform = 2,
                   .answer = llm_object_answer, .ud = &answer };
    *file_id = NULL;
    aid_err err = llm_perform(c, &p, eb);
    if (!err && !(*file_id = llm_strdup_member(answer, "id", NULL)))
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    json_object_put(answer);
    return err;
}

aid_err llm_create_finetune_job(llm_client *c, const char *training_file, const char *validation_file,
                                const char *model, const char *suffix, char **job_id, char **status,
                                aid_errbuf *eb)
{
    struct json_object *answer = NULL;
    llm_post p = { .what = "llm fine-tuning job", .path = "/fine_tuning/jobs",
                   .answer = llm_object_answer, .ud = &answer };
    aid_err err = AID_OK;
    *job_id = NULL;
    *status = NULL;
    if (!(p.json = json_object_new_object()))
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    if (jget_set(p.json, "training_file", json_object_new_string(training_file)) < 0 ||
        (validation_file && jget_set(p.json, "validation_file", json_object_new_string(validation_file)) < 0) ||
        jget_set(p.json, "model", json_object_new_string(model)) < 0 ||
        (suffix && *suffix && jget_set(p.json, "suffix", json_object_new_string(suffix)) < 0)) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if ((err = llm_perform(c, &p, eb)))
        goto cleanup;
    if (!(*job_id = llm_strdup_member(answer, "id", NULL)) ||
        !(*status = llm_strdup_member(answer, "status", "unknown"))) {
        free(*job_id);
        *job_id = NULL;
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
cleanup:
    json_object_put(answer);
    json_object_put(p.json);
    return err;
}
