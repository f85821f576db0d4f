#include "publish/mail.h"

#include <curl/curl.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/calendar.h"
#include "common/fsutil.h"
#include "common/jget.h"
#include "common/numfmt.h"
#include "common/timeutil.h"
#include "common/urlshow.h"
#include "common/tmpl/tmpl.h"

#define MAIL_SUBJECT_PREFIX "Weekly AI Intelligence Digest \xE2\x80\x94 "
/* Before the subject of a week with alerts (report.json alerts[]). */
#define MAIL_ALERT_PREFIX "[alert] "

/* What the SMTP conversation looked like when it failed (from curl's debug
 * callback; commands are kept by verb only except RCPT/MAIL, so that an
 * AUTH payload is never stored). */
struct mail_trace {
    char last_cmd[16];      /* verb of the last command sent */
    char last_arg[256];     /* its address argument, for MAIL FROM / RCPT TO */
    char last_reply[256];   /* the server's last reply line */
    char refused_cmd[16];   /* the first MAIL/RCPT the server refused, */
    char refused_arg[256];  /* its address */
    char refused_reply[256]; /* and the server's answer */
};

/* ---- small text helpers ---- */

static void mail_copy_line(char *dst, size_t n, const char *src, size_t len)
{
    while (len && (src[len - 1] == '\r' || src[len - 1] == '\n'))
        len--;
    if (len >= n)
        len = n - 1;
    for (size_t i = 0; i < len; i++)
        dst[i] = (src[i] == '\r' || src[i] == '\n') ? ' ' : src[i];
    dst[len] = '\0';
}

/* The address of "Name <addr>" or "addr", trimmed, into out ("" if none). */
static int mail_addr_spec(strbuf *out, const char *s, size_t len)
{
    const char *lt = memchr(s, '<', len);
    if (lt) {
        const char *gt = memchr(lt, '>', len - (size_t)(lt - s));
        if (!gt)
            return 0;
        s = lt + 1;
        len = (size_t)(gt - s);
    }
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    return strbuf_add(out, s, len);
}

static bool mail_valid_addr(const char *a)
{
    const char *at = strchr(a, '@');
    if (!at || at == a || !at[1] || strchr(at + 1, '@'))
        return false;
    for (const char *p = a; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == ',' || *p == '"')
            return false;
    return true;
}

int mail_encode_header(strbuf *out, const char *text)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    bool plain = !strstr(text, "=?");
    for (const unsigned char *p = (const unsigned char *)text; *p && plain; p++)
        if (*p >= 0x80 || *p < 0x20)
            plain = false;
    if (plain)
        return strbuf_adds(out, text);
    /* "=?UTF-8?B?" + base64 + "?=" <= 75: at most 45 input bytes per word. */
    size_t len = strlen(text), i = 0;
    while (i < len) {
        size_t n = len - i < 45 ? len - i : 45;
        while (n < len - i && n > 0 && ((unsigned char)text[i + n] & 0xC0) == 0x80)
            n--; /* do not cut inside a UTF-8 sequence */
        if (i && strbuf_addc(out, ' ') < 0)
            return -1;
        if (strbuf_adds(out, "=?UTF-8?B?") < 0)
            return -1;
        const unsigned char *s = (const unsigned char *)text + i;
        for (size_t k = 0; k < n; k += 3) {
            unsigned v = (unsigned)s[k] << 16;
            if (k + 1 < n)
                v |= (unsigned)s[k + 1] << 8;
            if (k + 2 < n)
                v |= s[k + 2];
            char q[4] = { b64[(v >> 18) & 63], b64[(v >> 12) & 63], k + 1 < n ? b64[(v >> 6) & 63] : '=',
                          k + 2 < n ? b64[v & 63] : '=' };
            if (strbuf_add(out, q, 4) < 0)
                return -1;
        }
        if (strbuf_adds(out, "?=") < 0)
            return -1;
        i += n;
    }
    return 0;
}

void mail_format_date(int64_t ms, char *buf, size_t n)
{
    calendar_date d = calendar_of_ms(ms);
    snprintf(buf, n, "%s, %02d %s %04d %02d:%02d:%02d +0000", calendar_weekday_abbr[d.weekday], d.day,
             calendar_month_abbr[d.month - 1], d.year, d.hour, d.min, d.sec);
}

/* ---- bodies ---- */

static int mail_set_num(tmpl_vars *v, const char *name, int (*fmt)(strbuf *, double, int), double x,
                        int decimals)
{
    strbuf sb = STRBUF_INIT;
    int rc = fmt(&sb, x, decimals);
    if (rc == 0)
        rc = tmpl_vars_set(v, name, sb.buf);
    strbuf_release(&sb);
    return rc;
}

static int mail_set_int(tmpl_vars *v, const char *name, const struct json_object *r, const char *path)
{
    strbuf sb = STRBUF_INIT;
    int rc = jget_has(r, path) ? numfmt_int(&sb, jget_int(r, path, 0)) : strbuf_adds(&sb, "\xE2\x80\x93");
    if (rc == 0)
        rc = tmpl_vars_set(v, name, sb.buf);
    strbuf_release(&sb);
    return rc;
}

static tmpl_vars *mail_vars(const char *week, struct json_object *r, const aid_config *cfg)
{
    tmpl_vars *v = NULL;
    if (tmpl_vars_new(&v) != AID_OK)
        return NULL;
    int rc = 0;
    char date[16];
    int64_t start_ms = 0;
    const char *start = jget_str(r, "period.start", "");
    rc |= tmpl_vars_set(v, "week", week);
    rc |= tmpl_vars_set(v, "team", cfg->team_name ? cfg->team_name : "Support");
    if (timeutil_parse_rfc3339(start, strlen(start), &start_ms)) {
        timeutil_format_date(start_ms, date, sizeof date);
        rc |= tmpl_vars_set(v, "period_first", date);
        timeutil_format_date(start_ms + 6 * TIMEUTIL_DAY_MS, date, sizeof date);
        rc |= tmpl_vars_set(v, "period_last", date);
    }
    rc |= mail_set_int(v, "suggestions", r, "totals.suggestions");
    rc |= mail_set_int(v, "accepted", r, "totals.accepted");
    rc |= mail_set_int(v, "edited", r, "totals.edited");
    rc |= mail_set_int(v, "rejected", r, "totals.rejected");
    rc |= mail_set_int(v, "ai_wins", r, "coach.ai_wins");
    rc |= mail_set_int(v, "vindicated", r, "coach.vindicated");
    rc |= mail_set_num(v, "acceptance", numfmt_pct, jget_double(r, "rates.acceptance", NAN), 1);
    rc |= mail_set_num(v, "use_rate", numfmt_pct, jget_double(r, "rates.use", NAN), 1);
    rc |= mail_set_num(v, "rejection", numfmt_pct, jget_double(r, "rates.rejection", NAN), 1);
    rc |= mail_set_num(v, "conf_mean", numfmt_dec, jget_double(r, "confidence.mean", NAN), 3);
    if (jget_has(r, "confidence.delta"))
        rc |= mail_set_num(v, "conf_delta", numfmt_signed, jget_double(r, "confidence.delta", NAN), 3);
    if (jget_has(r, "previous.rates.acceptance") && jget_has(r, "rates.acceptance"))
        rc |= mail_set_num(v, "acceptance_change", numfmt_pp,
                           jget_double(r, "rates.acceptance", 0) - jget_double(r, "previous.rates.acceptance", 0),
                           1);
    const char *self = jget_str(r, "narrative.self_summary", "");
    if (*self)
        rc |= tmpl_vars_set(v, "self_summary", self);
    size_t nn = jget_len(r, "narrative.coach_notes");
    struct json_object *notes = jget(r, "narrative.coach_notes");
    for (size_t i = 0; i < nn; i++) {
        struct json_object *n = json_object_array_get_idx(notes, i);
        if (!json_object_is_type(n, json_type_string))
            continue;
        tmpl_vars *row = tmpl_vars_add_row(v, "coach_notes");
        rc |= row ? tmpl_vars_set(row, "note", json_object_get_string(n)) : -1;
    }
    /* Only an http(s) address becomes a link, as the retraining link of the
     * page (a javascript: URL would be live in the HTML mail). */
    if (cfg->site_url && *cfg->site_url && !urlshow_http_ok(cfg->site_url)) {
        rc |= tmpl_vars_set(v, "page_url_rejected", "1");
    } else if (cfg->site_url && *cfg->site_url) {
        size_t l = strlen(cfg->site_url);
        rc |= tmpl_vars_setf(v, "page_url", "%s%s%s/", cfg->site_url,
                             cfg->site_url[l - 1] == '/' ? "" : "/", week);
    }
    rc |= tmpl_vars_setf(v, "pdf_name", "digest-%s.pdf", week);
    /* the alerts, listed first in both bodies */
    size_t na = jget_len(r, "alerts");
    struct json_object *alerts = jget(r, "alerts");
    for (size_t i = 0; i < na; i++) {
        tmpl_vars *row = tmpl_vars_add_row(v, "alerts");
        rc |= row ? tmpl_vars_set(row, "message", jget_str(json_object_array_get_idx(alerts, i), "message", ""))
                  : -1;
    }
    if (na)
        rc |= tmpl_vars_setf(v, "alert_count", "%zu", na);
    if (rc) {
        tmpl_vars_free(v);
        return NULL;
    }
    return v;
}

/* ---- sending ---- */

static int mail_debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
    struct mail_trace *t = userp;
    (void)h;
    if (type == CURLINFO_HEADER_IN) {
        mail_copy_line(t->last_reply, sizeof t->last_reply, data, size);
        /* the first refusal of a MAIL FROM, RCPT TO or of the message (DATA,
         * or its end) is the one to report */
        if (!t->refused_cmd[0] && (data[0] == '4' || data[0] == '5') &&
            (!strcasecmp(t->last_cmd, "RCPT") || !strcasecmp(t->last_cmd, "MAIL") ||
             !strcasecmp(t->last_cmd, "DATA"))) {
            memcpy(t->refused_cmd, t->last_cmd, sizeof t->refused_cmd);
            memcpy(t->refused_arg, t->last_arg, sizeof t->refused_arg);
            memcpy(t->refused_reply, t->last_reply, sizeof t->refused_reply);
        }
    } else if (type == CURLINFO_HEADER_OUT) {
        size_t v = 0;
        while (v < size && v + 1 < sizeof t->last_cmd && isalpha((unsigned char)data[v]))
            v++;
        if (v == 4 && !strncasecmp(data, "QUIT", 4))
            return 0; /* sent on the way out: not what failed */
        memcpy(t->last_cmd, data, v);
        t->last_cmd[v] = '\0';
        t->last_arg[0] = '\0';
        if ((!strcasecmp(t->last_cmd, "RCPT") || !strcasecmp(t->last_cmd, "MAIL")) && size > 8) {
            const char *lt = memchr(data, '<', size), *gt = lt ? memchr(lt, '>', size - (size_t)(lt - data)) : NULL;
            if (lt && gt)
                mail_copy_line(t->last_arg, sizeof t->last_arg, lt + 1, (size_t)(gt - lt - 1));
        }
    }
    return 0;
}

static aid_err mail_curl_fail(aid_errbuf *eb, CURLcode rc, const char *errbuf, const struct mail_trace *t,
                              const char *shown, const aid_config *cfg)
{
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    const char *reply = t->last_reply[0] ? t->last_reply : "no reply";
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
        return aid_errbuf_set(eb, AID_ERR_MAIL, "mail: cannot reach %s: %s", shown, detail);
    case CURLE_LOGIN_DENIED:
        return aid_errbuf_set(eb, AID_ERR_MAIL, "mail: %s refused the login of %s: %s", shown,
                              cfg->smtp_user ? cfg->smtp_user : "(no user)", reply);
    case CURLE_USE_SSL_FAILED:
        return aid_errbuf_set(eb, AID_ERR_MAIL,
                              "mail: %s offers no STARTTLS, and a login is never sent in clear (use smtps:// or "
                              "a server with STARTTLS)", shown);
    default:
        break;
    }
    if (!strcasecmp(t->refused_cmd, "RCPT"))
        return aid_errbuf_set(eb, AID_ERR_MAIL, "mail: %s refused recipient %s: %s (nothing sent)", shown,
                              t->refused_arg, t->refused_reply);
    if (!strcasecmp(t->refused_cmd, "MAIL"))
        return aid_errbuf_set(eb, AID_ERR_MAIL, "mail: %s refused sender %s: %s (nothing sent)", shown,
                              t->refused_arg, t->refused_reply);
    if (!strcasecmp(t->refused_cmd, "DATA"))
        return aid_errbuf_set(eb, AID_ERR_MAIL, "mail: %s refused the message: %s (nothing delivered)", shown,
                              t->refused_reply);
    if (rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
        rc == CURLE_WEIRD_SERVER_REPLY || rc == CURLE_PARTIAL_FILE)
        return aid_errbuf_set(eb, AID_ERR_MAIL, "mail: the connection to %s was dropped%s%s: %s", shown,
                              t->last_cmd[0] ? " after " : "", t->last_cmd, detail);
    return aid_errbuf_set(eb, AID_ERR_MAIL, "mail: sending through %s failed: %s (last reply: %s)", shown, detail,
                          reply);
}

static uint64_t mail_fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* What one message is made of, gathered step by step. */
typedef struct mail_msg {
    strbuf from_addr;           /* the sender's addr-spec */
    strbuf domain;              /* its domain, for the Message-ID */
    strbuf to_hdr;              /* the To: header's list */
    struct curl_slist *rcpts;   /* "<addr>" per recipient */
    struct curl_slist *headers; /* Date, Message-ID, From, To, Subject */
    char *pdf;
    size_t pdf_len;
    strbuf text, html;          /* the bodies */
} mail_msg;

static void mail_msg_release(mail_msg *m)
{
    strbuf_release(&m->html);
    strbuf_release(&m->text);
    free(m->pdf);
    curl_slist_free_all(m->headers);
    curl_slist_free_all(m->rcpts);
    strbuf_release(&m->to_hdr);
    strbuf_release(&m->domain);
    strbuf_release(&m->from_addr);
}

static aid_err mail_nomem(aid_errbuf *eb)
{
    return aid_errbuf_set(eb, AID_ERR_NOMEM, "mail: out of memory");
}

/* The settings every message needs; shown gets the URL without secrets. */
static aid_err mail_check_settings(const aid_config *cfg, char *shown, size_t n, aid_errbuf *eb)
{
    if (!cfg->smtp_url || !*cfg->smtp_url)
        return aid_errbuf_set(eb, AID_ERR_MAIL, "mail: AIDIGEST_SMTP_URL is not set");
    if (!cfg->mail_from || !*cfg->mail_from)
        return aid_errbuf_set(eb, AID_ERR_MAIL, "mail: AIDIGEST_MAIL_FROM is not set");
    if (!cfg->mail_to || !*cfg->mail_to)
        return aid_errbuf_set(eb, AID_ERR_MAIL, "mail: AIDIGEST_MAIL_TO is not set");
    urlshow(cfg->smtp_url, shown, n);
    if (strncasecmp(cfg->smtp_url, "smtp://", 7) && strncasecmp(cfg->smtp_url, "smtps://", 8))
        return aid_errbuf_set(eb, AID_ERR_MAIL, "mail: AIDIGEST_SMTP_URL %s is not smtp:// or smtps://", shown);
    return AID_OK;
}

/* One recipient of AIDIGEST_MAIL_TO (l bytes at p; blank is skipped). */
static aid_err mail_add_rcpt(mail_msg *m, const char *p, size_t l, aid_errbuf *eb)
{
    strbuf addr = STRBUF_INIT, rc_addr = STRBUF_INIT;
    aid_err err = AID_OK;
    if (mail_addr_spec(&addr, p, l) < 0) {
        err = mail_nomem(eb);
        goto cleanup;
    }
    if (!addr.len)
        goto cleanup;
    if (!mail_valid_addr(addr.buf)) {
        err = aid_errbuf_set(eb, AID_ERR_MAIL, "mail: AIDIGEST_MAIL_TO: '%.*s' is not an e-mail address",
                             (int)l, p);
        goto cleanup;
    }
    struct curl_slist *n;
    if (strbuf_addf(&rc_addr, "<%s>", addr.buf) < 0 || !(n = curl_slist_append(m->rcpts, rc_addr.buf))) {
        err = mail_nomem(eb);
        goto cleanup;
    }
    m->rcpts = n;
    const char *s = p;
    size_t sl = l;
    while (sl && isspace((unsigned char)*s))
        s++, sl--;
    while (sl && isspace((unsigned char)s[sl - 1]))
        sl--;
    if ((m->to_hdr.len && strbuf_adds(&m->to_hdr, ", ") < 0) || strbuf_add(&m->to_hdr, s, sl) < 0)
        err = mail_nomem(eb);
cleanup:
    strbuf_release(&rc_addr);
    strbuf_release(&addr);
    return err;
}

/* The sender and the recipients. */
static aid_err mail_addresses(mail_msg *m, const aid_config *cfg, aid_errbuf *eb)
{
    aid_err err;
    if (mail_addr_spec(&m->from_addr, cfg->mail_from, strlen(cfg->mail_from)) < 0)
        return mail_nomem(eb);
    if (!mail_valid_addr(m->from_addr.buf))
        return aid_errbuf_set(eb, AID_ERR_MAIL, "mail: AIDIGEST_MAIL_FROM '%s' is not an e-mail address",
                              cfg->mail_from);
    const char *at = strchr(m->from_addr.buf, '@');
    if (strbuf_adds(&m->domain, at + 1) < 0)
        return mail_nomem(eb);
    for (const char *p = cfg->mail_to; *p;) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if ((err = mail_add_rcpt(m, p, l, eb)))
            return err;
        p += l + (c ? 1 : 0);
    }
    if (!m->rcpts)
        return aid_errbuf_set(eb, AID_ERR_MAIL, "mail: AIDIGEST_MAIL_TO holds no address");
    return AID_OK;
}

/* OUT/<week>/digest.pdf into m->pdf. */
static aid_err mail_read_pdf(mail_msg *m, const char *out_dir, const char *week, aid_errbuf *eb)
{
    strbuf path = STRBUF_INIT;
    aid_err err;
    if (strbuf_addf(&path, "%s/%s/digest.pdf", out_dir, week) < 0)
        err = mail_nomem(eb);
    else if (!fsutil_exists(path.buf))
        err = aid_errbuf_set(eb, AID_ERR_NOTFOUND, "mail: %s not found (render the week first)", path.buf);
    else
        err = fsutil_read_file(path.buf, &m->pdf, &m->pdf_len, eb);
    strbuf_release(&path);
    return err;
}

/* The text and HTML bodies from templates/mail/. */
static aid_err mail_bodies(mail_msg *m, const char *week, struct json_object *report,
                           const aid_config *cfg, aid_errbuf *eb)
{
    strbuf tdir = STRBUF_INIT;
    tmpl_engine *engine = NULL;
    tmpl_vars *vars = NULL;
    aid_err err;
    if (config_templates_dir(cfg, &tdir) < 0 || tmpl_engine_new(&engine, tdir.buf, TMPL_SAFE, NULL) != AID_OK ||
        !(vars = mail_vars(week, report, cfg))) {
        err = mail_nomem(eb);
        goto cleanup;
    }
    if ((err = tmpl_render(engine, "mail/digest.txt", vars, &m->text, eb)))
        goto cleanup;
    err = tmpl_render(engine, "mail/digest.html", vars, &m->html, eb);
cleanup:
    tmpl_vars_free(vars);
    tmpl_engine_free(engine);
    strbuf_release(&tdir);
    return err;
}

/* Date, Message-ID (a hash of week, time, recipients and content), From,
 * To and the encoded Subject. */
static aid_err mail_headers(mail_msg *m, const char *week, size_t alerts, const aid_config *cfg, aid_errbuf *eb)
{
    strbuf full = STRBUF_INIT, enc = STRBUF_INIT, lines[5];
    aid_err err = AID_OK;
    for (size_t i = 0; i < 5; i++)
        strbuf_init(&lines[i]);
    char date[40];
    int64_t now = timeutil_now_ms();
    mail_format_date(now, date, sizeof date);
    uint64_t h = 14695981039346656037ULL;
    h = mail_fnv(h, week, strlen(week));
    h = mail_fnv(h, &now, sizeof now);
    h = mail_fnv(h, cfg->mail_to, strlen(cfg->mail_to));
    h = mail_fnv(h, m->pdf, m->pdf_len);
    h = mail_fnv(h, m->html.buf, m->html.len);
    if ((alerts && strbuf_addf(&full, MAIL_ALERT_PREFIX) < 0) || strbuf_addf(&full, MAIL_SUBJECT_PREFIX "%s", week) < 0 ||
        (alerts && strbuf_addf(&full, ": %zu alert%s", alerts, alerts == 1 ? "" : "s") < 0) ||
        mail_encode_header(&enc, full.buf) < 0
        || strbuf_addf(&lines[0], "Date: %s", date) < 0
        || strbuf_addf(&lines[1], "Message-ID: <%016llx.%s@%s>", (unsigned long long)h, week, m->domain.buf) < 0
        || strbuf_addf(&lines[2], "From: %.593s", cfg->mail_from) < 0
        || strbuf_addf(&lines[3], "To: %s", m->to_hdr.buf) < 0
        || strbuf_addf(&lines[4], "Subject: %s", enc.buf) < 0) {
        err = mail_nomem(eb);
        goto cleanup;
    }
    for (size_t i = 0; i < 5; i++) {
        struct curl_slist *n = curl_slist_append(m->headers, lines[i].buf);
        if (!n) {
            err = mail_nomem(eb);
            goto cleanup;
        }
        m->headers = n;
    }
cleanup:
    for (size_t i = 5; i-- > 0;)
        strbuf_release(&lines[i]);
    strbuf_release(&enc);
    strbuf_release(&full);
    return err;
}

/* multipart/mixed: multipart/alternative (text, HTML) and the PDF. The
 * result belongs to curl's handle (curl_mime_free). */
static aid_err mail_mime(const mail_msg *m, CURL *curl, const char *week, curl_mime **out, aid_errbuf *eb)
{
    curl_mime *mime = curl_mime_init(curl);
    curl_mime *alt = curl_mime_init(curl);
    curl_mimepart *part = alt ? curl_mime_addpart(alt) : NULL;
    struct curl_slist *inline_hdr = NULL;
    aid_err err = AID_OK;
    if (!mime || !part) {
        err = mail_nomem(eb);
        goto cleanup;
    }
    curl_mime_data(part, m->text.buf, m->text.len);
    curl_mime_type(part, "text/plain; charset=UTF-8");
    curl_mime_encoder(part, "quoted-printable");
    if (!(part = curl_mime_addpart(alt))) {
        err = mail_nomem(eb);
        goto cleanup;
    }
    curl_mime_data(part, m->html.buf, m->html.len);
    curl_mime_type(part, "text/html; charset=UTF-8");
    curl_mime_encoder(part, "quoted-printable");
    part = curl_mime_addpart(mime);
    if (!part || curl_mime_subparts(part, alt) != CURLE_OK) {
        err = mail_nomem(eb);
        goto cleanup;
    }
    alt = NULL; /* owned by the part now */
    curl_mime_type(part, "multipart/alternative");
    if (!(inline_hdr = curl_slist_append(NULL, "Content-Disposition: inline"))) {
        err = mail_nomem(eb);
        goto cleanup;
    }
    curl_mime_headers(part, inline_hdr, 1);
    inline_hdr = NULL; /* owned by the part now */
    char fname[64];
    snprintf(fname, sizeof fname, "digest-%s.pdf", week);
    if (!(part = curl_mime_addpart(mime))) {
        err = mail_nomem(eb);
        goto cleanup;
    }
    curl_mime_data(part, m->pdf, m->pdf_len);
    curl_mime_type(part, "application/pdf");
    curl_mime_filename(part, fname);
    curl_mime_encoder(part, "base64");
cleanup:
    curl_slist_free_all(inline_hdr);
    curl_mime_free(alt);
    if (err) {
        curl_mime_free(mime);
        mime = NULL;
    }
    *out = mime;
    return err;
}

/* Send it: login and TLS as mail.h says, a trace of the dialogue for the
 * error line. */
static aid_err mail_transfer(const mail_msg *m, CURL *curl, curl_mime *mime, const aid_config *cfg,
                             const char *shown, aid_errbuf *eb)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    struct mail_trace trace;
    strbuf mf = STRBUF_INIT;
    aid_err err = AID_OK;
    memset(&trace, 0, sizeof trace);
    if (strbuf_addf(&mf, "<%s>", m->from_addr.buf) < 0) {
        err = mail_nomem(eb);
        goto cleanup;
    }
    bool login = cfg->smtp_user && *cfg->smtp_user;
    bool smtps = !strncasecmp(cfg->smtp_url, "smtps://", 8);
    curl_easy_setopt(curl, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)(smtps || login ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (login) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, cfg->smtp_password ? cfg->smtp_password : "");
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mf.buf);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, m->rcpts);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, m->headers);
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 15000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 120000L);
    curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, mail_debug_cb);
    curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &trace);
    curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK)
        err = mail_curl_fail(eb, rc, errbuf, &trace, shown, cfg);
cleanup:
    strbuf_release(&mf);
    return err;
}

aid_err mail_send_week(const char *out_dir, const char *week, struct json_object *report, const aid_config *cfg,
                       aid_errbuf *eb)
{
    mail_msg m = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, NULL, NULL, NULL, 0, STRBUF_INIT, STRBUF_INIT };
    CURL *curl = NULL;
    curl_mime *mime = NULL;
    char shown[512] = "";
    aid_err err;
    if ((err = mail_check_settings(cfg, shown, sizeof shown, eb)) ||
        (err = mail_addresses(&m, cfg, eb)) ||
        (err = mail_read_pdf(&m, out_dir, week, eb)) ||
        (err = mail_bodies(&m, week, report, cfg, eb)) ||
        (err = mail_headers(&m, week, jget_len(report, "alerts"), cfg, eb)))
        goto cleanup;
    if (!(curl = curl_easy_init())) {
        err = mail_nomem(eb);
        goto cleanup;
    }
    if ((err = mail_mime(&m, curl, week, &mime, eb)))
        goto cleanup;
    err = mail_transfer(&m, curl, mime, cfg, shown, eb);
cleanup:
    curl_mime_free(mime);
    curl_easy_cleanup(curl);
    mail_msg_release(&m);
    return err;
}
