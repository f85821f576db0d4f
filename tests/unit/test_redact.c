#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/redact.h"
#include "tap.h"

static char got[4096];

static const char *R(const redact_rules *r, const char *in)
{
    strbuf sb = STRBUF_INIT;
    int n = redact_text(r, in, strlen(in), &sb);
    snprintf(got, sizeof got, "%s", n < 0 ? "(nomem)" : sb.buf);
    strbuf_release(&sb);
    return got;
}

static const char *root(void)
{
    const char *r = getenv("AIDIGEST_ROOT");
    return r ? r : ".";
}

int main(void)
{
    aid_errbuf eb;
    redact_rules *r = NULL;
    ok(redact_rules_new(&r, NULL, &eb) == AID_OK && r != NULL, "built-in rules");

    is_str(R(r, "mail me at jane.doe+x@mail.example.co.uk, thanks"), "mail me at [email], thanks", "e-mail");
    is_str(R(r, "cminh730@email.com"), "[email]", "e-mail with digits is one mask");
    is_str(R(r, "@home and a@b are not addresses"), "@home and a@b are not addresses", "no domain, no mask");
    is_str(R(r, "call (977) 625-2661 now"), "call [phone] now", "US phone with parentheses");
    is_str(R(r, "or +44 20 7946 0958."), "or [phone].", "international phone");
    is_str(R(r, "977-625-2661"), "[phone]", "dashed phone");
    is_str(R(r, "card 4111 1111 1111 1111 ok"), "card [card] ok", "card with spaces (Luhn ok)");
    is_str(R(r, "card 4111-1111-1111-1111"), "card [card]", "card with dashes");
    is_str(R(r, "4111111111111112"), "[number]", "Luhn-invalid 16 digits: just a long number");
    is_str(R(r, "IBAN GB82 WEST 1234 5698 7654 32 please"), "IBAN [iban] please", "grouped IBAN");
    is_str(R(r, "DE89370400440532013000"), "[iban]", "compact IBAN");
    is_str(R(r, "GB82WEST12345698765433"), "GB82WEST[number]", "bad IBAN checksum: the digits are still a long number");
    is_str(R(r, "Order ID: 3348917502"), "Order ID: [order]", "order id");
    is_str(R(r, "ref ORD123456789"), "ref ORD[number]", "digits glued to letters");
    is_str(R(r, "on 2026-11-17 at 09:30 we refunded $49.99 within 5-7 business days, 36.9% of 4,410"),
           "on 2026-11-17 at 09:30 we refunded $49.99 within 5-7 business days, 36.9% of 4,410",
           "dates, times, amounts, ranges and counts are left alone");
    is_str(R(r, "12345 is short"), "12345 is short", "5 digits are not masked by default");
    is_str(R(r, "Hi, my name is Crystal Minh and I'm upset"), "Hi, my name is [name] and I'm upset",
           "name after a cue");
    is_str(R(r, "Crystal Minh: hi\nJoyce Wu: hello\nOrder ID: 12"), "[name]: hi\n[name]: hello\nOrder ID: 12", "speaker labels");
    is_str(R(r, "Try again, Crystal Minh. Thanks, Joyce! Yes, Please do"), "Try again, [name]. Thanks, [name]! Yes, Please do", "vocatives");
    is_str(R(r, "2026-11-17 977-625-2661"), "2026-11-17 [phone]", "date next to a phone");
    is_str(R(r, "caf\xc3\xa9 \xf0\x9f\x98\x8a 3348917502"), "caf\xc3\xa9 \xf0\x9f\x98\x8a [number]", "UTF-8 passes through");
    strbuf sb = STRBUF_INIT;
    is_int(redact_text(r, "a@b.com 3348917502 x", 20, &sb), 2, "returns the number of masks");
    strbuf_release(&sb);

    /* the ABCD sample: no e-mail, phone or order id survives */
    strbuf path = STRBUF_INIT;
    char *turns = NULL, *pii = NULL;
    size_t len;
    fsutil_join(&path, root(), "tests/fixtures/abcd-turns.jsonl");
    ok(fsutil_read_file(path.buf, &turns, &len, &eb) == AID_OK, "read abcd-turns.jsonl");
    strbuf_reset(&path);
    fsutil_join(&path, root(), "tests/fixtures/abcd-pii.txt");
    ok(fsutil_read_file(path.buf, &pii, &len, &eb) == AID_OK, "read abcd-pii.txt");
    strbuf all = STRBUF_INIT;
    int masks = 0, lines = 0;
    for (char *p = turns; p && *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        json_object *o = json_tokener_parse(p);
        const char *t = json_object_get_string(json_object_object_get(o, "text"));
        int n = redact_text(r, t, strlen(t), &all);
        strbuf_addc(&all, '\n');
        masks += n;
        lines++;
        json_object_put(o);
        p = nl ? nl + 1 : NULL;
    }
    ok(lines > 50, "abcd: %d turns", lines);
    is_int(masks, 7, "abcd: 7 masks (2 e-mails, 1 phone, 2 order ids, 2 names are in the turns)");
    int leaks = 0;
    for (char *p = pii; p && *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (*p && strstr(all.buf, p)) {
            printf("# leaked: %s\n", p);
            leaks++;
        }
        p = nl ? nl + 1 : NULL;
    }
    is_int(leaks, 0, "abcd: no e-mail, phone or order id left");
    ok(strstr(all.buf, "in the last 90 days") != NULL, "abcd: ordinary numbers kept");
    strbuf_release(&all);
    free(turns);
    free(pii);

    /* the lead's fixture: sentences with their exact PII (tests/fixtures/README.md) */
    strbuf_reset(&path);
    fsutil_join(&path, root(), "tests/fixtures/abcd-pii.jsonl");
    char *fx = NULL;
    ok(fsutil_read_file(path.buf, &fx, &len, &eb) == AID_OK, "read abcd-pii.jsonl");
    int fx_lines = 0, fx_leaks = 0, fx_changed_clean = 0;
    for (char *p = fx; p && *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        json_object *o = json_tokener_parse(p);
        const char *t = json_object_get_string(json_object_object_get(o, "text"));
        json_object *list = json_object_object_get(o, "pii");
        strbuf m = STRBUF_INIT;
        redact_text(r, t, strlen(t), &m);
        for (size_t k = 0; k < json_object_array_length(list); k++)
            if (strstr(m.buf, json_object_get_string(json_object_array_get_idx(list, k)))) {
                printf("# leaked '%s' in: %s\n", json_object_get_string(json_object_array_get_idx(list, k)), m.buf);
                fx_leaks++;
            }
        if (!json_object_array_length(list) && strcmp(m.buf, t)) {
            printf("# changed: %s\n", m.buf);
            fx_changed_clean++;
        }
        fx_lines++;
        strbuf_release(&m);
        json_object_put(o);
        p = nl ? nl + 1 : NULL;
    }
    free(fx);
    ok(fx_lines >= 20, "abcd-pii.jsonl: %d sentences", fx_lines);
    is_int(fx_leaks, 0, "abcd-pii.jsonl: no listed PII survives (names, e-mails, phones, order ids)");
    is_int(fx_changed_clean, 0, "abcd-pii.jsonl: sentences without PII come out unchanged");

    /* the personal-data forms corpus: nothing listed survives, exact output where given */
    strbuf_reset(&path);
    fsutil_join(&path, root(), "tests/fixtures/pii-forms.tsv");
    char *pf = NULL;
    ok(fsutil_read_file(path.buf, &pf, &len, &eb) == AID_OK, "read pii-forms.tsv");
    int pf_lines = 0, pf_leaks = 0, pf_wrong = 0, pf_exact = 0;
    for (char *p = pf; p && *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (*p && *p != '#') {
            char *field[16];
            int nf = 0;
            for (char *q = p; q && nf < 16;) {
                field[nf++] = q;
                q = strchr(q, '\t');
                if (q)
                    *q++ = '\0';
            }
            strbuf m = STRBUF_INIT;
            if (redact_text(r, field[0], strlen(field[0]), &m) < 0)
                pf_wrong++;
            for (int k = 2; k < nf; k++)
                if (*field[k] && strstr(m.buf, field[k])) {
                    printf("# leaked '%s' in: %s\n", field[k], m.buf);
                    pf_leaks++;
                }
            if (nf > 1 && strcmp(field[1], "-")) {
                pf_exact++;
                if (strcmp(field[1], m.buf)) {
                    printf("# expected '%s', got '%s'\n", field[1], m.buf);
                    pf_wrong++;
                }
            }
            pf_lines++;
            strbuf_release(&m);
        }
        p = nl ? nl + 1 : NULL;
    }
    free(pf);
    ok(pf_lines >= 60, "pii-forms.tsv: %d cases", pf_lines);
    is_int(pf_leaks, 0, "pii-forms.tsv: no must-mask substring survives");
    ok(pf_exact >= 10, "pii-forms.tsv: %d cases with an exact output", pf_exact);
    is_int(pf_wrong, 0, "pii-forms.tsv: exact outputs as expected");

    /* redact_strip: a mask becomes one space */
    strbuf st = STRBUF_INIT;
    is_int(redact_strip(r, "ramesh1980@gmail.com wrote 4111 1111 1111 1111", 46, &st), 2, "strip: 2 masks");
    is_str(st.buf, "  wrote  ", "strip: masks are spaces, no mask words");
    strbuf_reset(&st);
    is_int(redact_strip(r, "ref ORD123456789, ok", 20, &st), 1, "strip: glued mask");
    is_str(st.buf, "ref  , ok", "strip: the word a mask is glued to goes too");
    strbuf_release(&st);
    is_str(R(r, "caf\xc3\xa9 \xef\xbc\x95 days, 5\xe2\x80\x93" "7"), "caf\xc3\xa9 \xef\xbc\x95 days, 5\xe2\x80\x93" "7",
           "unmasked full-width digits and dashes are copied as given");

    /* a rules file */
    char tmpl[] = "/tmp/aidigest-redact-XXXXXX";
    int fd = mkstemp(tmpl);
    FILE *fp = fdopen(fd, "w");
    fputs("# test rules\noff phone\nmask email <e-mail>\nnumber_min_digits 4\n"
          "regex [ticket] TCK-[A-Z]+\nname_cue customer\n", fp);
    fclose(fp);
    redact_rules *r2 = NULL;
    ok(redact_rules_new(&r2, tmpl, &eb) == AID_OK && r2 != NULL, "rules file loads");
    if (r2) {
        is_str(R(r2, "x@y.org (977) 625-2661 TCK-ABC 1234 customer Joyce"),
               "<e-mail> (977) 625-[number] [ticket] [number] customer [name]",
               "off, mask, number_min_digits, regex, name_cue");
    }
    redact_rules_free(r2);
    fp = fopen(tmpl, "w");
    fputs("frobnicate 3\n", fp);
    fclose(fp);
    redact_rules *r3 = NULL;
    ok(redact_rules_new(&r3, tmpl, &eb) == AID_ERR_CONFIG && !r3 && strstr(eb.msg, ":1: unknown directive"),
       "bad rules file: %s", eb.msg);
    fp = fopen(tmpl, "w");
    fputs("regex [x] a(b\n", fp);
    fclose(fp);
    ok(redact_rules_new(&r3, tmpl, &eb) == AID_ERR_CONFIG && !r3 && strstr(eb.msg, "bad regular expression"),
       "bad regex: %s", eb.msg);
    unlink(tmpl);

    /* linear time: a pathological text of 2 MB */
    size_t big = 2u << 20;
    char *s = malloc(big + 1);
    for (size_t k = 0; k < big; k++)
        s[k] = "a@1 (-+.9"[k % 9];
    s[big] = '\0';
    clock_t t0 = clock();
    strbuf o = STRBUF_INIT;
    ok(redact_text(r, s, big, &o) >= 0, "2 MB of adversarial text");
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    ok(secs < 2.0, "fast: %.3f s for 2 MB (sanitizer build)", secs);
    strbuf_release(&o);
    free(s);
    strbuf_release(&path);
    redact_rules_free(r);
    return tap_done();
}
