#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "narrate/factcheck.h"
#include "common/fsutil.h"
#include "tap.h"

static const char *root(void)
{
    const char *r = getenv("AIDIGEST_ROOT");
    return r ? r : ".";
}

static char badbuf[1024];

static int check(const factcheck *fc, const char *text)
{
    strbuf bad = STRBUF_INIT;
    int n = factcheck_text(fc, text, &bad);
    snprintf(badbuf, sizeof badbuf, "%s", bad.buf);
    strbuf_release(&bad);
    return n;
}

int main(void)
{
    factcheck_num nums[16];
    size_t n = factcheck_extract("Acceptance 36.9% (+2.4 pp) on 4,410 suggestions, −0.029, $49.99", nums, 16);
    is_int(n, 5, "five numbers extracted");
    is_double(nums[0].value, 36.9, 1e-9, "36.9%% value");
    is_int(nums[0].kind, FACTCHECK_PERCENT, "36.9%% is a percentage");
    is_int(nums[0].decimals, 1, "one decimal");
    is_int(nums[1].kind, FACTCHECK_PP, "+2.4 pp is percentage points");
    is_double(nums[2].value, 4410, 1e-9, "thousands separator");
    ok(nums[3].negative && nums[3].decimals == 3, "minus sign U+2212");
    is_double(nums[4].value, 49.99, 1e-9, "currency amount");
    is_int(factcheck_extract("In 2026-W47 (week 47, 2026-11-16 to 2026-11-22 at 09:30) the top 3 of 5-7 days, gpt-4o, prompt v4, s-1042",
                             nums, 16), 0, "years, weeks, dates, times, small numbers, identifiers are allowed");
    is_int(factcheck_extract("12.5 percent and 3 percentage points", nums, 16), 2, "spelled-out suffixes");
    is_int(nums[1].kind, FACTCHECK_PP, "percentage points spelled out");

    strbuf path = STRBUF_INIT;
    fsutil_join(&path, root(), "tests/fixtures/report-sample.json");
    json_object *report = json_object_from_file(path.buf);
    ok(report != NULL, "sample report loads");
    factcheck *fc = NULL;
    ok(factcheck_new(&fc, report, NULL) == AID_OK && fc != NULL, "figures collected");
    is_int(check(fc, "This week 4,410 suggestions were shown; 36.96% were accepted as is, 37% rounded, 0.37 as a share."), 0, "totals and rates, rounded");
    is_int(check(fc, "Acceptance rose by 2.4 pp from 34.6%; suggestions grew 9.7% (390 more)."), 0, "derived: deltas and relative change");
    is_int(check(fc, "Mean confidence fell by 0.029 to 0.742 (−2.9 pp); ECE 0.073, PSI 0.041."), 0, "confidence figures");
    is_int(check(fc, "About 4,400 suggestions and 1,600 accepted."), 0, "rounded to two significant digits");
    is_int(check(fc, "Acceptance on refunds rose from 28.6% to 51.6% after v4 (+23.0 pp)."), 0, "retraining impact");
    is_int(check(fc, "\"refund\" was mentioned in 410 messages, up from 180."), 0, "trends");
    is_int(check(fc, "\"refund\" x2.5 (410 from 163) and \"password reset\" x0.41 (20 from 49)."), 0,
           "a topic's change: ratio, count and expected count are figures");
    is_int(check(fc, "\"refund\" rose x9.4 (410 from 163)."), 1, "a wrong ratio after x is caught");
    is_str(badbuf, "9.4", "as written");
    is_int(check(fc, "Model gpt-4x7 and box 3x4."), 0, "x glued to a word or a number stays an identifier");
    is_int(check(fc, "We cannot process returns after 30 days; refund of $49.99."), 0, "numbers quoted from the report's texts");
    is_int(check(fc, "63.0% of suggestions were not accepted as is."), 0, "complement of a share");
    is_int(check(fc, "Acceptance was 41.7% on 4,999 suggestions and 4,000 accepted."), 3, "three wrong numbers");
    is_str(badbuf, "41.7%, 4,999, 4,000", "the wrong numbers, as written");
    is_int(check(fc, "Acceptance 36.8%"), 1, "36.8%% is not 36.96%% rounded");
    /* schema 2: intervals (also as points), the interval level, p-values */
    is_int(check(fc, "Acceptance 37.0% (95% interval 35.5\xe2\x80\x93" "38.4%), up 2.4 pp (95% interval +0.3 to +4.4 pp)."), 0,
           "intervals of a rate and of a change are known figures %s", badbuf);
    is_int(check(fc, "Mean confidence fell by 0.029 (95% interval \xe2\x88\x92" "0.035 to \xe2\x88\x92" "0.023)."), 0,
           "a Welch interval is a known figure %s", badbuf);
    is_int(check(fc, "PSI 0.041 (p < 0.001), KS 0.061 (p < 0.001); n = 4,110 scores this week, m = 4,169 last week, 20 bins; at least 100 each."), 0,
           "drift p-values, n, m, bins and the minimum are known figures %s", badbuf);
    is_int(check(fc, "Acceptance rose (95% interval +13.7 to +4.4 pp)."), 1, "an interval end that is not the report's is caught");
    /* direction claims against the verdicts: acceptance up, use/rejection/edit
     * steady, confidence down, the refunds update up */
    {
        strbuf why = STRBUF_INIT;
        is_int(factcheck_directions(fc, "Acceptance rose 2.4 pp; use held steady.", &why), 0, "agreeing claims");
        is_int(factcheck_directions(fc, "Acceptance fell 2.4 pp this week.", &why), 1, "a wrong direction");
        ok(strstr(why.buf, "\"fell\" about changes.acceptance.delta, whose verdict is up") != NULL, "named: %s", why.buf);
        strbuf_reset(&why);
        is_int(factcheck_directions(fc, "The rejection rate jumped to 30.4%.", &why), 1, "a change where steady");
        is_int(factcheck_directions(fc, "Rejections improved.", NULL), 1, "improved rejection is down: steady here");
        is_int(factcheck_directions(fc, "Mean confidence dropped; the calibration error did not improve.", NULL), 0,
               "confidence down; not improved is steady: %d", 0);
        is_int(factcheck_directions(fc, "Acceptance was steady.", NULL), 1, "steady claimed where the verdict is up");
        is_int(factcheck_directions(fc, "Agents ended up using it; the reply \u201cacceptance fell\u201d is quoted.",
                                    NULL), 0, "phrasal verbs and quotes are not claims");
        is_int(factcheck_directions(fc, "Rising topics were refunds.", NULL), 0, "a direction with no figure word");
        strbuf_release(&why);
        /* the claims: figure, verdict */
        factcheck_num n1 = { 0, 0, 2.4, 1, FACTCHECK_PP, false };
        ok(factcheck_matches(fc, &n1), "2.4 pp matches");
        char vb[96];
        is_str(factcheck_figure_verdict(report, "changes.acceptance.delta", vb, sizeof vb), "up", "verdict of a change");
        is_str(factcheck_figure_verdict(report, "retraining.0.impact.delta", vb, sizeof vb), "up", "of an impact");
        ok(factcheck_figure_verdict(report, "totals.suggestions", vb, sizeof vb) == NULL, "none for a count");
    }
    factcheck_free(fc);
    json_object_put(report);
    strbuf_release(&path);

    factcheck *empty = NULL;
    ok(factcheck_new(&empty, NULL, NULL) == AID_OK, "an empty set");
    ok(empty && factcheck_add(empty, 0.125) == 0, "add a figure");
    is_int(check(empty, "12.5% and 0.125 and 12.50%"), 0, "12.5%% matches 0.125");
    is_int(check(empty, "12.6%"), 1, "12.6%% does not");
    factcheck_free(empty);
    return tap_done();
}
