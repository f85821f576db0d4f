#include "compute/textout.h"

#include "common/strbuf.h"
#include "common/textnorm.h"

int textout_json(const redact_rules *rules, const char *s, size_t len, struct json_object **out)
{
    *out = NULL;
    if (!s)
        return 0;
    strbuf sb = STRBUF_INIT, clean = STRBUF_INIT;
    int rc = -1;
    if (textnorm_utf8_sanitize(s, len, &clean) < 0)
        goto cleanup;
    if (rules) {
        if (redact_text(rules, clean.buf, clean.len, &sb) < 0)
            goto cleanup;
        *out = json_object_new_string_len(sb.buf, (int)sb.len);
    } else {
        *out = json_object_new_string_len(clean.buf, (int)clean.len);
    }
    rc = *out ? 0 : -1;
cleanup:
    strbuf_release(&sb);
    strbuf_release(&clean);
    return rc;
}
