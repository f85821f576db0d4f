/*
 * test_stem: common/stem (Snowball English through libstemmer) against
 * the Snowball project's own English reference: the sample vocabulary
 * and its stemmed output published with the algorithm
 * (https://snowballstem.org/algorithms/english/stemmer.html, the
 * "consign ... constant" and "knack ... knots" columns; the full lists are
 * snowball-data's english/voc.txt and english/output.txt), plus the pairs
 * the topics figure relies on (docs/figures.md "Trends": delay, delayed
 * and delaying are one topic). The expected stems are copied from those
 * lists, not from running libstemmer.
 */
#include <stdlib.h>
#include <string.h>

#include "common/stem.h"
#include "tap.h"

static const char *const pairs[][2] = {
    /* snowballstem.org, English stemmer, sample of the vocabulary */
    { "consign", "consign" },       { "consigned", "consign" },     { "consigning", "consign" },
    { "consignment", "consign" },   { "consist", "consist" },       { "consisted", "consist" },
    { "consistency", "consist" },   { "consistent", "consist" },    { "consistently", "consist" },
    { "consisting", "consist" },    { "consists", "consist" },      { "consolation", "consol" },
    { "consolations", "consol" },   { "consolatory", "consolatori" }, { "console", "consol" },
    { "consoled", "consol" },       { "consoles", "consol" },       { "consolidate", "consolid" },
    { "consolidated", "consolid" }, { "consolidating", "consolid" }, { "consoling", "consol" },
    { "consolingly", "consol" },    { "consols", "consol" },        { "consonant", "conson" },
    { "consort", "consort" },       { "consorted", "consort" },     { "consorting", "consort" },
    { "conspicuous", "conspicu" },  { "conspicuously", "conspicu" }, { "conspiracy", "conspiraci" },
    { "conspirator", "conspir" },   { "conspirators", "conspir" },  { "conspire", "conspir" },
    { "conspired", "conspir" },     { "conspiring", "conspir" },    { "constable", "constabl" },
    { "constables", "constabl" },   { "constance", "constanc" },    { "constancy", "constanc" },
    { "constant", "constant" },
    { "knack", "knack" },           { "knackeries", "knackeri" },   { "knacks", "knack" },
    { "knag", "knag" },             { "knave", "knave" },           { "knaves", "knave" },
    { "knavish", "knavish" },       { "kneaded", "knead" },         { "kneading", "knead" },
    { "knee", "knee" },             { "kneel", "kneel" },           { "kneeled", "kneel" },
    { "kneeling", "kneel" },        { "kneels", "kneel" },          { "knees", "knee" },
    { "knell", "knell" },           { "knelt", "knelt" },           { "knew", "knew" },
    { "knick", "knick" },           { "knif", "knif" },             { "knife", "knife" },
    { "knight", "knight" },         { "knightly", "knight" },       { "knights", "knight" },
    { "knit", "knit" },             { "knits", "knit" },            { "knitted", "knit" },
    { "knitting", "knit" },         { "knives", "knive" },          { "knob", "knob" },
    { "knobs", "knob" },            { "knock", "knock" },           { "knocked", "knock" },
    { "knocker", "knocker" },       { "knockers", "knocker" },      { "knocking", "knock" },
    { "knocks", "knock" },          { "knopp", "knopp" },           { "knot", "knot" },
    { "knots", "knot" },
    /* the algorithm's description: special R1 of gener-, y -> i, doubles */
    { "delay", "delay" },           { "delayed", "delay" },         { "delaying", "delay" },
    { "generously", "generous" },   { "running", "run" },
};

int main(void)
{
    stemmer *s = NULL;
    aid_errbuf eb = { 0 };
    ok(stem_new(&s, &eb) == AID_OK && s, "stem_new");
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const char *st = NULL;
        size_t n = 0;
        int rc = stem_word(s, pairs[i][0], strlen(pairs[i][0]), &st, &n);
        char got[64] = "";
        if (rc == 0 && n < sizeof got) {
            memcpy(got, st, n);
            got[n] = '\0';
        }
        if (!ok(!strcmp(got, pairs[i][1]), "%s -> %s", pairs[i][0], pairs[i][1]))
            printf("#   got %s\n", got);
    }
    /* the length is what counts: a word inside a longer buffer */
    const char *st = NULL;
    size_t n = 0;
    ok(stem_word(s, "delayed refunds", 7, &st, &n) == 0 && n == 5 && !memcmp(st, "delay", 5), "a word by its length");
    /* UTF-8 words go through whole (the stemmer reads UTF-8) */
    ok(stem_word(s, "d\xc3\xa9j\xc3\xa0", 6, &st, &n) == 0 && n == 6 && !memcmp(st, "d\xc3\xa9j\xc3\xa0", 6),
       "UTF-8 word kept");
    stem_free(s);
    stem_free(NULL);
    return tap_done();
}
