/* test_textnorm.c - reply normalisation, words, terms, Jaccard, UTF-8 validation. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "common/textnorm.h"

static char got[512];

static const char *norm(const char *s)
{
    strbuf sb = STRBUF_INIT;
    textnorm_reply(s, strlen(s), &sb);
    snprintf(got, sizeof got, "%.*s", (int)sb.len, sb.buf ? sb.buf : "");
    strbuf_release(&sb);
    return got;
}

static int collect(const char *w, size_t len, void *ctx)
{
    strbuf *sb = ctx;
    strbuf_addf(sb, "[%.*s]", (int)len, w);
    return 0;
}

static const char *words(const char *s)
{
    strbuf sb = STRBUF_INIT;
    textnorm_words(s, strlen(s), collect, &sb);
    snprintf(got, sizeof got, "%.*s", (int)sb.len, sb.buf ? sb.buf : "");
    strbuf_release(&sb);
    return got;
}

static double jac(const char *a, const char *b)
{
    uint64_t *sa = NULL, *sb = NULL;
    size_t na = 0, nb = 0;
    textnorm_word_set(a, strlen(a), &sa, &na);
    textnorm_word_set(b, strlen(b), &sb, &nb);
    double j = textnorm_jaccard(sa, na, sb, nb);
    free(sa);
    free(sb);
    return j;
}

static int valid(const char *s)
{
    return textnorm_utf8_valid(s, strlen(s));
}

int main(void)
{
    is_str(norm("  Hello   World 123\t\n 45x "), "hello world # #x", "lower-case, digit runs, white space runs, trim");
    is_str(norm("Order 0042-17, ref 9"), "order #-#, ref #", "every digit run is one #");
    is_str(norm("a\r\n\f\vb"), "a b", "CR LF FF VT are white space");
    is_str(norm("ÉCOLE Ünï"), "École Ünï", "ASCII-only lower-casing keeps UTF-8 bytes");
    is_str(norm(""), "", "empty");
    is_str(norm(" \t "), "", "only white space");
    is_str(words("Don't stop-believing, 42 café!"), "[don][t][stop][believing][42][café]", "words split on non-alphanumerics, UTF-8 kept");
    is_str(words("HeLLo\xf0\x9f\x99\x82x"), "[hello\xf0\x9f\x99\x82x]", "bytes >= 0x80 are letters");
    is_str(words("..."), "", "no words");
    ok(textnorm_is_term("abc", 3), "abc is a term");
    ok(!textnorm_is_term("ab", 2), "2 bytes is not");
    ok(!textnorm_is_term("123", 3), "all digits is not");
    ok(textnorm_is_term("a12", 3), "mixed digits is");
    ok(!textnorm_is_term("the", 3) && !textnorm_is_term("please", 6), "stop words are not");
    ok(textnorm_is_term("hr2051", 6), "4 digits in a word (a model number) is a term");
    ok(!textnorm_is_term("ref12345", 8) && !textnorm_is_term("1z123abc456def789", 17),
       "5 or more digits (a reference, a tracking number) is not: personal data");
    ok(textnorm_is_term("déjà", strlen("déjà")), "UTF-8 term");
    is_double(jac("a b c", "a b d"), 0.5, 1e-12, "Jaccard 2/4");
    is_double(jac("Alpha beta gamma delta", "alpha BETA gamma omega"), 0.6, 1e-12, "Jaccard 3/5, case-insensitive");
    is_double(jac("a a a b", "b a"), 1.0, 1e-12, "sets, not bags");
    is_double(jac("", ""), 0.0, 1e-12, "both empty: 0");
    is_double(jac("x", ""), 0.0, 1e-12, "one empty: 0");

    ok(valid("") && valid("plain") && valid("café") && valid("\xf0\x9f\x99\x82"), "valid UTF-8");
    ok(valid("\xef\xbf\xbf") && valid("\xf4\x8f\xbf\xbf") && valid("\xed\x9f\xbf") && valid("\xee\x80\x80"),
       "U+FFFF, U+10FFFF, U+D7FF, U+E000 are valid");
    ok(!valid("\xc0\xaf"), "overlong 2-byte /");
    ok(!valid("\xc1\xbf"), "overlong C1");
    ok(!valid("\xe0\x80\xaf"), "overlong 3-byte");
    ok(!valid("\xf0\x80\x80\xaf"), "overlong 4-byte");
    ok(!valid("\xed\xa0\x80") && !valid("\xed\xbf\xbf"), "surrogates");
    ok(!valid("\xf4\x90\x80\x80"), "above U+10FFFF");
    ok(!valid("\xf5\x80\x80\x80") && !valid("\xf8\x88\x80\x80\x80") && !valid("\xff"), "F5..FF");
    ok(!valid("\x80") && !valid("a\xbf" "b"), "lone continuation bytes");
    ok(!valid("\xc3") && !valid("\xe2\x82") && !valid("caf\xc3"), "truncated sequences");
    ok(!valid("\xc3\x28"), "bad continuation");
    ok(textnorm_utf8_valid("a\0b", 3), "NUL is valid UTF-8");
    strbuf sb = STRBUF_INIT;
    textnorm_utf8_sanitize("a\xff" "b\xc3", 4, &sb);
    ok(sb.len == 8 && memcmp(sb.buf, "a\xef\xbf\xbd" "b\xef\xbf\xbd", 8) == 0, "sanitize: U+FFFD for each bad sequence");
    strbuf_release(&sb);
    return tap_done();
}
