/*
 * tmplcli.h - `aidigest template [--compat] FILE ARGS...`: renders one
 * template from command-line variables, like C Template's own `template`
 * command (NAME VALUE pairs; loops as NAME { NAME VALUE ... } { ... }).
 * Writes the text to stdout, diagnostics to stderr; returns the exit code.
 */
#ifndef AID_TMPLCLI_H
#define AID_TMPLCLI_H

int tmplcli_main(int argc, char **argv);

#endif
