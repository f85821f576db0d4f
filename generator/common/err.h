/*
 * err.h - the error codes every aidigest module returns, and their texts.
 *
 * Modules return an aid_err and never exit; only main() maps errors to
 * process exit codes (see aid_err_exit_code). Details of a failure go into
 * an aid_errbuf the caller passes in (it may be NULL when the caller does
 * not want them).
 */
#ifndef AID_ERR_H
#define AID_ERR_H

#include <stddef.h>

/* Marks a fallible function whose result must be looked at: every function
 * that returns aid_err, and the leaf helpers that return -1 for out of
 * memory (strbuf, ...). Ignoring the result is a compile error under
 * -Werror. */
#define AID_MUST_CHECK __attribute__((warn_unused_result))

typedef enum aid_err {
    AID_OK = 0,
    AID_ERR_NOMEM,      /* out of memory */
    AID_ERR_USAGE,      /* bad command line or argument */
    AID_ERR_IO,         /* a file could not be read or written */
    AID_ERR_PARSE,      /* malformed data (JSON, time, number, ...) */
    AID_ERR_BADINPUT,   /* bad input lines under --strict, or check found some */
    AID_ERR_CONFIG,     /* bad configuration file or setting */
    AID_ERR_TEMPLATE,   /* template syntax or render error */
    AID_ERR_NETWORK,    /* connection, timeout, TLS */
    AID_ERR_HTTP,       /* an HTTP server answered with an error */
    AID_ERR_LLM,        /* the LLM's answer was unusable */
    AID_ERR_AUTH,       /* authentication refused */
    AID_ERR_GIT,        /* a git operation failed */
    AID_ERR_MAIL,       /* the mail could not be sent */
    AID_ERR_PDF,        /* the PDF could not be produced */
    AID_ERR_XLSX,       /* the XLSX could not be produced */
    AID_ERR_NOTFOUND,   /* something looked for does not exist */
    AID_ERR_LIMIT,      /* a size or count limit was exceeded */
    AID_ERR_ALERT,      /* run --fail-on-alert: everything was written, and alerts fired */
    AID_ERR__COUNT
} aid_err;

/* A static, human-readable text for an error code (never NULL). */
const char *aid_strerror(aid_err err);

/* Process exit code for an error: 0 ok, 1 bad input, 2 usage, 3 output,
 * 4 alerts fired (AID_ERR_ALERT, run --fail-on-alert). */
int aid_err_exit_code(aid_err err);

/* Room for one line of detail about a failure. */
typedef struct aid_errbuf {
    char msg[1024];
} aid_errbuf;

/* Format a detail line into eb (no-op when eb is NULL). Returns err so that
 * callers can write `return aid_errbuf_set(eb, AID_ERR_IO, "...", ...)`. */
aid_err aid_errbuf_set(aid_errbuf *eb, aid_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* For the static analysers (make analyze), which look at one file at a
 * time: say that aid_errbuf_set returns its err, so that an error path
 * is not taken for success. Analysis builds only; err is evaluated twice. */
#if defined(__clang_analyzer__) || defined(AID_ANALYZER)
#define aid_errbuf_set(eb, err, ...) \
    ({ aid_errbuf_set((eb), (err), __VA_ARGS__); (aid_err)(err); })
#endif

/* The detail line, or the error's generic text when none was set. */
const char *aid_errbuf_msg(const aid_errbuf *eb, aid_err err);

#endif
