#include <stdlib.h>

#include "common/strbuf.h"
#include "tap.h"

int main(void)
{
    strbuf sb = STRBUF_INIT;
    is_str(sb.buf, "", "a new buffer is the empty string");
    strbuf_adds(&sb, "  hello");
    strbuf_addf(&sb, " %d world  ", 42);
    is_str(sb.buf, "  hello 42 world  ", "adds and addf append");
    strbuf_trim(&sb);
    is_str(sb.buf, "hello 42 world", "trim removes white space at both ends");
    for (int i = 0; i < 1000; i++)
        strbuf_addc(&sb, 'x');
    is_int(sb.len, 14 + 1000, "grows past its first allocation");
    strbuf_setlen(&sb, 5);
    is_str(sb.buf, "hello", "setlen shortens");
    size_t len;
    char *p = strbuf_detach(&sb, &len);
    is_str(p, "hello", "detach hands over the bytes");
    is_int(len, 5, "detach reports the length");
    is_str(sb.buf, "", "detach leaves an empty buffer");
    free(p);
    strbuf_release(&sb);
    strbuf_release(&sb);
    ok(1, "release twice is harmless");
    return tap_done();
}
