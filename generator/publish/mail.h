/*
 * mail.h - e-mail a rendered week (libcurl SMTP, MIME API).
 *
 * The message: multipart/mixed holding
 *   - multipart/alternative: text/plain and text/html (UTF-8,
 *     quoted-printable), rendered from templates/mail/digest.txt and
 *     templates/mail/digest.html (headline figures, the AI's self-summary,
 *     coach notes, a link to the published page when AIDIGEST_SITE_URL is
 *     set);
 *   - OUT/<week>/digest.pdf as application/pdf, base64, attachment
 *     "digest-<week>.pdf".
 * Headers: Date (RFC 5322, from timeutil_now_ms, so SOURCE_DATE_EPOCH
 * fixes it), Message-ID <hash.week@domain of the sender>, From, To, and the
 * Subject "Weekly AI Intelligence Digest — <week>" RFC 2047 encoded (UTF-8,
 * base64 words).
 *
 * Settings (aid_config): smtp_url (smtp://host:port or smtps://host:port),
 * smtp_user + smtp_password (login, optional), mail_from ("addr" or
 * "Name <addr>"), mail_to (comma-separated, each "addr" or "Name <addr>").
 * TLS: smtps:// is TLS from the start; with smtp:// and a login, STARTTLS is
 * required (CURLUSESSL_ALL: the password never crosses in clear); with
 * smtp:// and no login, STARTTLS is used when the server offers it.
 *
 * Every recipient must be accepted, or nothing is sent. Failures (missing
 * setting, missing PDF, connection refused or dropped, a recipient or the
 * sender refused, login refused, TLS) return AID_ERR_MAIL (AID_ERR_NOTFOUND
 * for a missing PDF), with one line in eb naming what failed and the
 * server's reply; never the password. Nothing in OUT is written. Nothing is
 * printed.
 */
#ifndef AID_MAIL_H
#define AID_MAIL_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/err.h"
#include "common/strbuf.h"

/* Send OUT/<week>/digest.pdf with the bodies made from report (the week's
 * report.json, borrowed). */
AID_MUST_CHECK aid_err mail_send_week(const char *out_dir, const char *week, struct json_object *report,
                       const aid_config *cfg, aid_errbuf *eb);

/* RFC 2047 encoding of a header text (UTF-8, "B" words of at most 75
 * characters, never splitting a character); pure ASCII text without "=?" is
 * appended as is. 0 or -1 (no memory). */
AID_MUST_CHECK int mail_encode_header(strbuf *out, const char *text);

/* RFC 5322 date, e.g. "Mon, 23 Nov 2026 00:00:00 +0000"; buf >= 32 bytes. */
void mail_format_date(int64_t ms, char *buf, size_t n);

#endif
