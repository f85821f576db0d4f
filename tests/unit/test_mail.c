/* test_mail.c - the header helpers of mail.c (sending is tested end to end
 * against a real SMTP server in tests/func/71-mail.t). */
#include <stdlib.h>
#include <string.h>

#include "publish/mail.h"
#include "tap.h"

static const char *enc(const char *s)
{
    static strbuf sb = STRBUF_INIT;
    strbuf_reset(&sb);
    if (mail_encode_header(&sb, s) < 0)
        return "(out of memory)";
    return sb.buf;
}

int main(void)
{
    is_str(enc("Weekly AI Intelligence Digest \xE2\x80\x94 2026-W47"),
           "=?UTF-8?B?V2Vla2x5IEFJIEludGVsbGlnZW5jZSBEaWdlc3Qg4oCUIDIwMjYtVzQ3?=", "subject with an em dash");
    is_str(enc("plain ascii"), "plain ascii", "ASCII text stays as is");
    ok(strncmp(enc("a =?x?= b"), "=?UTF-8?B?", 10) == 0, "text that looks encoded is encoded");
    ok(strncmp(enc("line\r\nBcc: x@y"), "=?UTF-8?B?", 10) == 0, "control characters are encoded, no header injection");
    /* 30 x "é" (60 bytes): 44 bytes in the first word (45 would cut a character) */
    strbuf s = STRBUF_INIT;
    for (int i = 0; i < 30; i++)
        strbuf_adds(&s, "\xC3\xA9");
    is_str(enc(s.buf),
           "=?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?= "
           "=?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqQ==?=",
           "long text: words split between characters");
    const char *e = enc(s.buf);
    const char *sp = strchr(e, ' ');
    ok(sp && sp - e <= 75 && strlen(sp + 1) <= 75, "encoded words at most 75 characters");
    strbuf_release(&s);

    char d[40];
    mail_format_date(951782400000LL, d, sizeof d);
    is_str(d, "Tue, 29 Feb 2000 00:00:00 +0000", "leap day");
    mail_format_date(0, d, sizeof d);
    is_str(d, "Thu, 01 Jan 1970 00:00:00 +0000", "epoch");
    mail_format_date(1764547200000LL + 3723000, d, sizeof d);
    is_str(d, "Mon, 01 Dec 2025 01:02:03 +0000", "time of day");
    return tap_done();
}
