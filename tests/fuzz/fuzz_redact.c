/*
 * fuzz_redact.c - libFuzzer target: redact_text (common/redact.h) over the
 * built-in rules, on arbitrary bytes (invalid UTF-8 included).
 *
 * Checks beyond the sanitizers: the result is a count >= 0, and with no
 * mask made the output is the input byte for byte; redact_strip (the terms'
 * text) makes as many masks and is never longer than the input plus one
 * byte a mask.
 */
#include "common/redact.h"
#include "common/strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The one place that names the constructor. */
static redact_rules *fuzz_rules_new(void)
{
    redact_rules *r = NULL;
    return redact_rules_new(&r, NULL, NULL) == AID_OK ? r : NULL;
}

static redact_rules *rules;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rules && !(rules = fuzz_rules_new()))
        abort();
    strbuf out = STRBUF_INIT;
    int n = redact_text(rules, (const char *)data, size, &out);
    if (n < 0)
        abort();
    if (n == 0 && (out.len != size || (size && memcmp(out.buf, data, size))))
        abort();
    strbuf st = STRBUF_INIT;
    int m = redact_strip(rules, (const char *)data, size, &st);
    if (m != n || st.len > size + (size_t)m)
        abort();
    strbuf_release(&st);
    strbuf_release(&out);
    return 0;
}
