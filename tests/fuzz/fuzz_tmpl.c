/*
 * fuzz_tmpl.c - libFuzzer target: the template engine (common/tmpl/tmpl.h)
 * parsing and rendering a fuzzed template text, in safe and compat mode.
 *
 * Input: the first byte picks the mode (bit 0: 0 safe, 1 compat), the rest
 * is the template text. It is rendered with tmpl_render_string against a
 * fixed set of variables: simple ones (with characters every escape mode
 * changes), a loop with rows, a nested loop and an empty loop. The root
 * is templates/ (FUZZ_ROOT/templates), so TMPL_INCLUDE of partials works;
 * the engine reads regular files only. Safe mode has a format function
 * "pct" registered.
 *
 * Both engines are made once and reused (as a renderer does): the parse
 * caches and compat's warning generations are exercised across inputs.
 * Compat messages go to /dev/null.
 */
#include "common/strbuf.h"
#include "common/tmpl/tmpl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_ROOT
#define FUZZ_ROOT "."
#endif

/* The one place that names the constructors. */
static tmpl_engine *fuzz_engine_new(const char *root, tmpl_mode mode)
{
    tmpl_engine *e = NULL;
    return tmpl_engine_new(&e, root, mode, NULL) == AID_OK ? e : NULL;
}

static tmpl_vars *fuzz_vars_new(void)
{
    tmpl_vars *v = NULL;
    return tmpl_vars_new(&v) == AID_OK ? v : NULL;
}

static int pct(const char *value, strbuf *out, void *ctx)
{
    (void)ctx;
    char *end;
    double d = strtod(value, &end);
    if (end == value)
        return -1;
    return strbuf_addf(out, "%.1f%%", d * 100.0);
}

static tmpl_engine *engines[2];
static tmpl_vars *vars;
static FILE *devnull;

static void must(int ok)
{
    if (!ok)
        abort();
}

static void setup(void)
{
    devnull = fopen("/dev/null", "w");
    must(devnull != NULL);
    must((engines[0] = fuzz_engine_new(FUZZ_ROOT "/templates", TMPL_SAFE)) != NULL);
    must((engines[1] = fuzz_engine_new(FUZZ_ROOT "/templates", TMPL_COMPAT)) != NULL);
    must(tmpl_engine_add_fmt(engines[0], "pct", pct, NULL) == 0);
    tmpl_engine_set_errout(engines[1], devnull);
    must((vars = fuzz_vars_new()) != NULL);
    must(tmpl_vars_set(vars, "title", "Tom & <Jerry> \"q\" 'a' / ? = \xc3\xa9") == 0);
    must(tmpl_vars_set(vars, "week", "2026-W47") == 0);
    must(tmpl_vars_set(vars, "rate", "0.125") == 0);
    must(tmpl_vars_set(vars, "empty", "") == 0);
    must(tmpl_vars_set(vars, "css", "body { color: red }") == 0);
    for (int i = 0; i < 3; i++) {
        tmpl_vars *row = tmpl_vars_add_row(vars, "items");
        must(row != NULL);
        must(tmpl_vars_setf(row, "label", "item <%d>", i) == 0);
        must(tmpl_vars_setf(row, "rate", "0.%d", i + 1) == 0);
        for (int j = 0; j < i; j++) {
            tmpl_vars *sub = tmpl_vars_add_row(row, "sub");
            must(sub != NULL);
            must(tmpl_vars_setf(sub, "name", "s%d.%d", i, j) == 0);
        }
    }
    /* A loop that exists but has one empty row, and one that is never set. */
    must(tmpl_vars_add_row(vars, "blank") != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!vars)
        setup();
    if (size < 1 || size > 64 * 1024)
        return 0;
    tmpl_engine *e = engines[data[0] & 1];
    char *text = malloc(size);
    must(text != NULL);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    strbuf out = STRBUF_INIT;
    aid_errbuf eb = { { 0 } };
    aid_err err = tmpl_render_string(e, "fuzz.tmpl", text, vars, &out, &eb);
    if (err && (!memchr(eb.msg, 0, sizeof eb.msg) || !*aid_errbuf_msg(&eb, err)))
        abort();
    if (out.len && strlen(out.buf) > out.len)
        abort();
    strbuf_release(&out);
    free(text);
    return 0;
}
