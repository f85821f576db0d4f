#include <string.h>

#include <stdio.h>

#include "common/coachfeat.h"
#include "read/agg.h"
#include "read/event.h"
#include "read/idindex.h"
#include "tap.h"
#include "common/timeutil.h"

/* Parse a line into ev (the parser owns the strings). */
static event_parser *P;
static event ev;

static const event *E(const char *line)
{
    char why[256];
    if (event_parse(P, line, strlen(line), &ev, why, sizeof why) != EVENT_OK) {
        printf("# bad test line: %s\n", why);
        return NULL;
    }
    return &ev;
}

static const char *LINES[] = {
    "{\"type\":\"suggestion\",\"id\":\"a\",\"ts\":\"2026-11-16T09:00:00Z\",\"ai_reply\":\"Sorry, it ships within 2 days.\",\"action\":\"accepted\",\"confidence\":0.35,\"customer_message\":\"where is my parcel\",\"prompt_id\":\"p\"}",
    "{\"type\":\"suggestion\",\"id\":\"b\",\"ts\":\"2026-11-17T09:00:00Z\",\"ai_reply\":\"Sorry, it ships within 3 days.\",\"action\":\"rejected\",\"confidence\":1,\"final_reply\":\"On its way!\",\"customer_message\":\"parcel late\",\"prompt_id\":\"p\"}",
    "{\"type\":\"suggestion\",\"id\":\"c\",\"ts\":\"2026-11-22T23:59:59Z\",\"ai_reply\":\"Hello\",\"action\":\"edited\",\"customer_message\":\"hello parcel\"}",
    "{\"type\":\"suggestion\",\"id\":\"d\",\"ts\":\"2026-11-10T09:00:00Z\",\"ai_reply\":\"Old\",\"action\":\"ignored\",\"confidence\":0.0}",
    "{\"type\":\"suggestion\",\"id\":\"e\",\"ts\":\"2026-11-23T00:00:00Z\",\"ai_reply\":\"Next week\",\"action\":\"accepted\"}",
};
#define NL (sizeof LINES / sizeof LINES[0])

static int64_t term(const agg *a, const char *t)
{
    int64_t *v = strmap_get(a->terms, t, strlen(t));
    return v ? *v : 0;
}

int main(void)
{
    timeutil_week w;
    timeutil_parse_week("2026-W47", &w);
    int64_t start = timeutil_week_start(w);
    agg *all, *x, *y;
    ok(event_parser_new(&P, 1 << 20, NULL) == AID_OK, "parser");
    ok(!agg_new(&all, start, NULL) && !agg_new(&x, start, NULL) && !agg_new(&y, start, NULL), "agg_new");
    int added = 0;
    for (size_t i = 0; i < NL; i++) {
        added += agg_add_suggestion(all, E(LINES[i]), +1, IDINDEX_POS(0, i + 1)) == 0;
        added += agg_add_suggestion(i % 2 ? x : y, E(LINES[i]), +1, IDINDEX_POS(0, i + 1)) == 0;
    }
    is_int(added, 2 * (int)NL, "every suggestion added");
    is_int(all->cur.suggestions, 3, "three suggestions in the week (the last instant included, the next Monday not)");
    is_int(all->prev.suggestions, 1, "one in the week before");
    is_int(all->dq.out_of_week, 2, "two out of the week");
    is_int(all->cur.hist[7], 1, "0.35 falls in histogram bin 7");
    is_int(all->cur.hist[19], 1, "1.0 falls in the last bin");
    is_int(all->cur.cal_n[3], 1, "0.35 falls in calibration bin 3");
    is_int(all->cur.with_conf, 2, "two confidences");
    is_int(all->cur.conf_nano, 1350000000LL, "their sum in fixed point");
    is_int(all->cur.day_suggestions[0], 1, "Monday");
    is_int(all->cur.day_suggestions[6], 1, "Sunday");
    is_int(term(all, "parcel"), 3, "a term counted once per message");
    is_int(strmap_count(all->groups), 2, "digits normalised: two reply groups");
    is_int(all->feat.n_win, 1, "one AI win");
    is_int(all->feat.n_rejected, 1, "one rejection");

    is_int(agg_merge(x, y), 0, "merge");
    ok(memcmp(&x->cur, &all->cur, sizeof x->cur) == 0, "merged week counters equal the single pass");
    ok(memcmp(&x->prev, &all->prev, sizeof x->prev) == 0, "and the previous week's");
    ok(memcmp(&x->dq, &all->dq, sizeof x->dq) == 0, "and data quality");
    is_int(term(x, "parcel"), 3, "and the terms");
    is_int(strmap_count(x->groups), 2, "and the groups");
    ok(x->feat.example_pos[COACHFEAT_TIME_COMMITMENT] == IDINDEX_POS(0, 1), "the example kept is the earliest");

    int back = 0;
    for (size_t i = 0; i < NL; i++)
        back += agg_add_suggestion(all, E(LINES[i]), -1, IDINDEX_POS(0, i + 1)) == 0;
    is_int(back, (int)NL, "every suggestion taken back");
    agg_week zero;
    memset(&zero, 0, sizeof zero);
    ok(memcmp(&all->cur, &zero, sizeof zero) == 0, "taking every suggestion back leaves nothing this week");
    ok(memcmp(&all->prev, &zero, sizeof zero) == 0, "nor the week before");
    is_int(term(all, "parcel"), 0, "nor in the terms");

    /* topics: stems, phrases of two different stems, once per message, words with their stems */
    agg *t;
    ok(!agg_new(&t, start, NULL), "agg_new for topics");
    const char *tl = "{\"type\":\"suggestion\",\"id\":\"t\",\"ts\":\"2026-11-17T09:00:00Z\",\"ai_reply\":\"r\","
                     "\"action\":\"accepted\",\"customer_message\":\"Delayed, DELAY! My gift card, gift card. Refunds refund\"}";
    is_int(agg_add_suggestion(t, E(tl), +1, IDINDEX_POS(0, 1)), 0, "a message with topics");
    is_int(term(t, "delay"), 1, "delayed and delay: one stem, once");
    is_int(term(t, "gift card"), 1, "a phrase, once although twice in the message");
    is_int(term(t, "card gift"), 1, "adjacent across punctuation");
    is_int(term(t, "delay delay"), 0, "no phrase of one stem twice");
    is_int(term(t, "refund refund"), 0, "nor of two forms of one stem");
    is_int(term(t, "delay gift"), 0, "a stop word (my) between: no phrase");
    agg_word *wd = strmap_get(t->words, "delayed", 7);
    ok(wd && wd->count == 1 && wd->stem && !strcmp(wd->stem, "delay"), "the word delayed, with its stem");
    wd = strmap_get(t->words, "refunds", 7);
    ok(wd && wd->count == 1 && wd->stem && !strcmp(wd->stem, "refund"), "refunds -> refund");
    is_int(agg_add_suggestion(t, E(tl), +1, IDINDEX_POS(0, 2)), 0, "the same message again");
    is_int(term(t, "delay"), 2, "a second message counts again");
    is_int(agg_add_suggestion(t, E(tl), -1, IDINDEX_POS(0, 2)), 0, "taken back");
    is_int(term(t, "gift card"), 1, "taken back once");
    wd = strmap_get(t->words, "delay", 5);
    is_int(wd ? wd->count : -1, 1, "and the word too");
    agg_free(t);

    /* the per-worker cache of AI texts: what it gives is what
     * coachfeat_detect and textnorm_reply give, repeated texts come from it,
     * and it stops growing at AGG_AI_CACHE_MAX texts (a week of distinct
     * replies does not keep a copy of each) */
    agg *c;
    ok(!agg_new(&c, start, NULL), "agg_new for the cache");
    int n = AGG_AI_CACHE_MAX + 20, fine = 0;
    for (int i = 0; i < n; i++) {
        char line[512];
        snprintf(line, sizeof line,
                 "{\"type\":\"suggestion\",\"id\":\"c%d\",\"ts\":\"2026-11-18T09:00:00Z\","
                 "\"ai_reply\":\"Sorry, parcel %d ships within 2 days.\",\"action\":\"%s\","
                 "\"customer_message\":\"the parcel ships within days, still late, sorry\"}",
                 i, i % (AGG_AI_CACHE_MAX + 10), i % 2 ? "rejected" : "accepted");
        fine += agg_add_suggestion(c, E(line), +1, IDINDEX_POS(0, i + 1)) == 0;
    }
    is_int(fine, n, "every suggestion added");
    is_int((int64_t)strmap_count(c->edits.ai_cache), AGG_AI_CACHE_MAX, "the cache holds AGG_AI_CACHE_MAX texts");
    is_int((int64_t)strmap_count(c->groups), 1, "one reply group (digits normalised)");
    agg_group *g = strmap_get(c->groups, "sorry, parcel # ships within # days.", 36);
    ok(g && g->by_action[ACTION_ACCEPTED] + g->by_action[ACTION_REJECTED] == n, "the group's key from the cache");
    int m = coachfeat_detect("Sorry, parcel 1 ships within 2 days.", 36,
                             "the parcel ships within days, still late, sorry", 47);
    ok(m > 0 && (m & (1 << COACHFEAT_RESTATES_ISSUE)) && (m & (1 << COACHFEAT_APOLOGY)), "the test text's habits");
    int same = 1;
    for (int k = 0; k < COACHFEAT__COUNT; k++)
        same &= c->feat.win[k] + c->feat.rejected[k] == ((m >> k) & 1) * n;
    ok(same, "every habit counted as coachfeat_detect finds it, cached or not");
    agg_free(c);
    agg_free(all);
    agg_free(x);
    agg_free(y);
    agg_free(NULL);
    event_parser_free(P);
    return tap_done();
}
