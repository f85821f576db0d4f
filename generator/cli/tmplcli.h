/*
 * tmplcli.h - `aidigest template [--compat] FILE ARGS...`: renders one
 * template from command-line variables, like C Template's own `template`
 * command (NAME VALUE pairs; loops as NAME { NAME VALUE ... } { ... }).
 * Writes the text to stdout, diagnostics to stderr (this module prints
 * them itself). argv[0] is "template".
 *
 * Returns AID_OK (also for --help), AID_ERR_USAGE (no FILE; the usage is
 * printed), AID_ERR_BADINPUT (bad arguments, or the template does not
 * parse or render), AID_ERR_NOMEM, or AID_ERR_IO (stdout not written);
 * main maps it to the exit code with aid_err_exit_code.
 */
#ifndef AID_TMPLCLI_H
#define AID_TMPLCLI_H

#include "common/err.h"

AID_MUST_CHECK aid_err tmplcli_main(int argc, char **argv);

#endif
