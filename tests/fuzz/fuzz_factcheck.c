/*
 * fuzz_factcheck.c - libFuzzer target: the narrative fact checker
 * (narrate/factcheck.h) reading the numbers of a fuzzed text and checking
 * them against the figures of tests/fixtures/report-sample.json.
 *
 * Checks beyond the sanitizers: factcheck_extract's spans lie inside the
 * text and agree with what a second call with room for all of them says;
 * factcheck_text's count is >= 0 and never more than the numbers found;
 * factcheck_claims' spans lie inside the text, its count is at least the
 * wrong numbers, and the wrong directions are among them.
 */
#include "narrate/factcheck.h"
#include "common/strbuf.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_ROOT
#define FUZZ_ROOT "."
#endif

/* The one place that names the constructor. */
static factcheck *fuzz_factcheck_new(const struct json_object *r)
{
    factcheck *f = NULL;
    return factcheck_new(&f, r, NULL) == AID_OK ? f : NULL;
}

static factcheck *fc;
static struct json_object *report;

/* A claim's span must lie inside the text (ctx: {text length, errors}). */
static int fuzz_claim(void *ctx, const char *text, const factcheck_claim *c)
{
    size_t *s = ctx;
    (void)text;
    if (c->off > s[0] || c->len > s[0] - c->off || (c->direction && (!c->len || !c->said || !c->figure)))
        s[1]++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fc) {
        report = json_object_from_file(FUZZ_ROOT "/tests/fixtures/report-sample.json");
        if (!report || !(fc = fuzz_factcheck_new(report)))
            abort();
    }
    if (size > 64 * 1024)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    size_t tlen = strlen(text);

    factcheck_num few[4];
    size_t n = factcheck_extract(text, few, 4);
    factcheck_num *all = calloc(n ? n : 1, sizeof *all);
    if (!all || factcheck_extract(text, all, n) != n)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (all[i].off > tlen || all[i].len > tlen - all[i].off || all[i].len == 0)
            abort();
        if (i < 4 && (all[i].off != few[i].off || all[i].len != few[i].len ||
                      all[i].kind != few[i].kind || all[i].negative != few[i].negative ||
                      all[i].decimals != few[i].decimals))
            abort();
        (void)factcheck_matches(fc, &all[i]);
    }
    strbuf bad = STRBUF_INIT;
    int wrong = factcheck_text(fc, text, &bad);
    if (wrong < 0 || (size_t)wrong > n)
        abort();
    strbuf_release(&bad);
    /* claims: every span inside the text, direction claims on a word */
    size_t spans[2] = { tlen, 0 };
    int cw = factcheck_claims(fc, text, fuzz_claim, spans);
    if (cw < wrong || spans[1])
        abort();
    int dw = factcheck_directions(fc, text, &bad);
    if (dw < 0 || dw > cw)
        abort();
    strbuf_release(&bad);
    free(all);
    free(text);
    return 0;
}
