#include "common/err.h"
#include "common/escape.h"

#undef aid_errbuf_set /* the analysers' stand-in (err.h) */

#include <stdarg.h>
#include <stdio.h>

static const char *const aid_err_text[AID_ERR__COUNT] = {
    [AID_OK] = "no error",
    [AID_ERR_NOMEM] = "out of memory",
    [AID_ERR_USAGE] = "usage error",
    [AID_ERR_IO] = "input/output error",
    [AID_ERR_PARSE] = "malformed data",
    [AID_ERR_BADINPUT] = "bad input lines",
    [AID_ERR_CONFIG] = "bad configuration",
    [AID_ERR_TEMPLATE] = "template error",
    [AID_ERR_NETWORK] = "network error",
    [AID_ERR_HTTP] = "HTTP error",
    [AID_ERR_LLM] = "unusable LLM answer",
    [AID_ERR_AUTH] = "authentication refused",
    [AID_ERR_GIT] = "git error",
    [AID_ERR_MAIL] = "mail not sent",
    [AID_ERR_PDF] = "PDF error",
    [AID_ERR_XLSX] = "XLSX error",
    [AID_ERR_NOTFOUND] = "not found",
    [AID_ERR_LIMIT] = "limit exceeded",
    [AID_ERR_ALERT] = "alerts fired",
};

const char *aid_strerror(aid_err err)
{
    if ((int)err < 0 || err >= AID_ERR__COUNT || !aid_err_text[err])
        return "unknown error";
    return aid_err_text[err];
}

int aid_err_exit_code(aid_err err)
{
    switch (err) {
    case AID_OK:
        return 0;
    case AID_ERR_BADINPUT:
        return 1;
    case AID_ERR_USAGE:
    case AID_ERR_CONFIG:
        return 2;
    case AID_ERR_ALERT:
        return 4;
    default:
        return 3;
    }
}

aid_err aid_errbuf_set(aid_errbuf *eb, aid_err err, const char *fmt, ...)
{
    if (eb) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(eb->msg, sizeof eb->msg, fmt, ap);
        va_end(ap);
        /* Details name files and quote values from the input and the
         * environment: no control character of theirs reaches stderr. */
        esc_inplace(eb->msg, sizeof eb->msg);
    }
    return err;
}

const char *aid_errbuf_msg(const aid_errbuf *eb, aid_err err)
{
    if (eb && eb->msg[0])
        return eb->msg;
    return aid_strerror(err);
}
