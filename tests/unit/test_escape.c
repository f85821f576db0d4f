#include <string.h>

#include "common/err.h"
#include "common/escape.h"
#include "tap.h"

static const char *esc(const char *s)
{
    static char buf[256];
    esc_copy(buf, sizeof buf, s);
    return buf;
}

int main(void)
{
    is_str(esc("plain text, caf\xc3\xa9 \xe2\x82\xac"), "plain text, caf\xc3\xa9 \xe2\x82\xac", "printable UTF-8 as it is");
    is_str(esc("a\nb\rc\td"), "a\\nb\\rc\\td", "\\n \\r \\t");
    is_str(esc("\x1b[31mred\x01\x7f"), "\\x1b[31mred\\x01\\x7f", "ESC, other C0, DEL as \\xNN");
    is_str(esc("x\xc2\x85y\xc2\x9b"), "x\\u0085y\\u009b", "C1 controls as \\u00NN");
    is_str(esc("\xff\xc3(\xed\xa0\x80\xc0\xaf"), "\\xff\\xc3(\\xed\\xa0\\x80\\xc0\\xaf",
           "invalid UTF-8 (lone, surrogate, overlong) as \\xNN");
    is_str(esc("back\\slash \\n"), "back\\slash \\n", "a backslash is kept");
    char twice[256];
    esc_copy(twice, sizeof twice, esc("a\n\x1b\xc2\x85\xff"));
    is_str(twice, esc("a\n\x1b\xc2\x85\xff"), "escaping is idempotent");
    char small[6];
    esc_copy(small, sizeof small, "ab\ncd");
    is_str(small, "ab\\nc", "cut to the buffer");
    esc_copy(small, sizeof small, "abcd\n");
    is_str(small, "abcd", "an escape that does not fit is left out whole");
    aid_errbuf eb = { { 0 } };
    (void)aid_errbuf_set(&eb, AID_ERR_IO, "%s: not found", "x\ny\x1b");
    is_str(eb.msg, "x\\ny\\x1b: not found", "aid_errbuf_set escapes its detail line");
    char in[32] = "t\tu";
    esc_inplace(in, sizeof in);
    is_str(in, "t\\tu", "in place");
    return tap_done();
}
