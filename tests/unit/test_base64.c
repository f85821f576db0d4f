#include <string.h>

#include "common/base64.h"
#include "tap.h"

int main(void)
{
    static const struct { const char *in, *out; } v[] = { /* RFC 4648 test vectors */
        { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        strbuf sb = STRBUF_INIT;
        base64_encode(&sb, v[i].in, strlen(v[i].in));
        is_str(sb.buf, v[i].out, "base64(\"%s\")", v[i].in);
        strbuf_release(&sb);
    }
    strbuf sb = STRBUF_INIT;
    base64_encode(&sb, "\xff\xfe\x00\x80", 4);
    is_str(sb.buf, "//4AgA==", "binary bytes, NUL included");
    strbuf_release(&sb);
    return tap_done();
}
