/* read/aggseg: the segments part of the aggregates - counted by field
 * value for both weeks, merged workers equal one pass, and taking every
 * contribution back leaves nothing. */
#include <string.h>

#include "read/agg.h"
#include "read/event.h"
#include "read/idindex.h"
#include "tap.h"
#include "common/timeutil.h"

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
    /* this week */
    "{\"type\":\"suggestion\",\"id\":\"a\",\"ts\":\"2026-11-16T09:00:00Z\",\"ai_reply\":\"one two three four five\",\"action\":\"accepted\",\"confidence\":0.65,\"channel\":\"chat\",\"prompt_id\":\"p\",\"prompt_version\":\"v2\",\"agent_id\":\"x\"}",
    "{\"type\":\"suggestion\",\"id\":\"b\",\"ts\":\"2026-11-17T09:00:00Z\",\"ai_reply\":\"one two three four five six seven eight nine ten\",\"action\":\"edited\",\"final_reply\":\"one two three four five six seven eight nine eleven\",\"confidence\":1,\"channel\":\"chat\",\"prompt_id\":\"p\",\"agent_id\":\"y\"}",
    "{\"type\":\"suggestion\",\"id\":\"c\",\"ts\":\"2026-11-18T09:00:00Z\",\"ai_reply\":\"Hello\",\"action\":\"rejected\",\"channel\":\"\",\"prompt_id\":\"p\",\"prompt_version\":\"v2\"}",
    /* the week before: an edit measured here (agg measures only this week's) */
    "{\"type\":\"suggestion\",\"id\":\"d\",\"ts\":\"2026-11-10T09:00:00Z\",\"ai_reply\":\"one two three four five\",\"action\":\"edited\",\"final_reply\":\"a b c d e\",\"confidence\":0.2,\"channel\":\"chat\",\"prompt_id\":\"p\",\"prompt_version\":\"v1\"}",
    /* neither week */
    "{\"type\":\"suggestion\",\"id\":\"e\",\"ts\":\"2026-11-23T00:00:00Z\",\"ai_reply\":\"Next\",\"action\":\"accepted\",\"channel\":\"chat\"}",
};
#define NL (sizeof LINES / sizeof LINES[0])

static const aggseg_entry *get(const agg *a, aggseg_dim d, const char *k)
{
    return strmap_get(a->seg.tab[d], k, strlen(k));
}

static int64_t version(const aggseg_entry *e, const char *v)
{
    int64_t *c = e && e->versions ? strmap_get(e->versions, v, strlen(v)) : NULL;
    return c ? *c : 0;
}

static int empty_week(const aggseg_week *w)
{
    static const aggseg_week zero;
    return !memcmp(w, &zero, sizeof zero);
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
    const aggseg_entry *chat = get(all, AGGSEG_CHANNEL, "chat");
    ok(chat != NULL, "a chat segment");
    is_int(chat ? chat->w[0].n : -1, 2, "chat: two suggestions this week (the next Monday's left out)");
    is_int(chat ? chat->w[1].n : -1, 1, "chat: one the week before");
    is_int(chat ? chat->w[0].by_action[ACTION_EDITED] : -1, 1, "chat: one edit this week");
    is_int(chat ? chat->w[0].measured : -1, 1, "chat: measured");
    is_int(chat ? chat->w[0].light : -1, 1, "chat: one word of ten is a light edit");
    is_int(chat ? chat->w[1].measured : -1, 1, "chat: the week before's edit is measured too");
    is_int(chat ? chat->w[1].light : -1, 0, "chat: five of five is not light");
    is_int(chat ? chat->w[0].with_conf : -1, 2, "chat: two confidences");
    is_int(chat ? chat->w[0].conf_nano : -1, 1650000000LL, "chat: their sum in fixed point");
    is_int(chat ? chat->w[0].cal_n[6] : -1, 1, "chat: 0.65 in calibration bin 6");
    is_int(chat ? chat->w[0].cal_accepted[6] : -1, 1, "chat: accepted there");
    is_int(chat ? chat->w[0].cal_n[9] : -1, 1, "chat: 1.0 in the last bin");
    is_int(all->seg.none[AGGSEG_CHANNEL].w[0].n, 1, "an empty channel counts as none");
    is_int(all->seg.none[AGGSEG_AGENT].w[0].n, 1, "no agent_id: none");
    is_int(all->seg.none[AGGSEG_AGENT].w[1].n, 1, "and the week before's");
    const aggseg_entry *p = get(all, AGGSEG_PROMPT, "p");
    is_int(p ? p->w[0].n : -1, 3, "prompt p: three this week");
    is_int(version(p, "v2"), 2, "prompt p: v2 twice");
    is_int(p ? p->no_version : -1, 1, "prompt p: once without a version");
    is_int(version(p, "v1"), 0, "versions are this week's only");
    is_int((int64_t)strmap_count(all->seg.tab[AGGSEG_AGENT]), 2, "two agents");

    is_int(agg_merge(x, y), 0, "merge");
    int same = 1;
    for (int d = 0; d < AGGSEG__DIMS; d++) {
        same &= !memcmp(&x->seg.none[d].w, &all->seg.none[d].w, sizeof all->seg.none[d].w);
        same &= strmap_count(x->seg.tab[d]) == strmap_count(all->seg.tab[d]);
        for (size_t i = 0; i < strmap_capacity(all->seg.tab[d]); i++) {
            const char *k;
            size_t kl;
            void *v;
            if (!strmap_slot(all->seg.tab[d], i, &k, &kl, &v))
                continue;
            const aggseg_entry *a = v, *b = strmap_get(x->seg.tab[d], k, kl);
            same &= b && !memcmp(a->w, b->w, sizeof a->w) && a->no_version == b->no_version;
        }
    }
    ok(same, "merged workers equal the single pass, every table and week");
    const aggseg_entry *mp = get(x, AGGSEG_PROMPT, "p");
    is_int(version(mp, "v2"), 2, "and the versions merge");

    int back = 0;
    for (size_t i = 0; i < NL; i++)
        back += agg_add_suggestion(all, E(LINES[i]), -1, IDINDEX_POS(0, i + 1)) == 0;
    is_int(back, (int)NL, "every suggestion taken back");
    int zero = 1;
    for (int d = 0; d < AGGSEG__DIMS; d++) {
        zero &= empty_week(&all->seg.none[d].w[0]) && empty_week(&all->seg.none[d].w[1]);
        for (size_t i = 0; i < strmap_capacity(all->seg.tab[d]); i++) {
            void *v;
            if (strmap_slot(all->seg.tab[d], i, NULL, NULL, &v))
                zero &= empty_week(&((aggseg_entry *)v)->w[0]) && empty_week(&((aggseg_entry *)v)->w[1]);
        }
    }
    ok(zero, "taking back leaves every count at zero");
    is_int(version(get(all, AGGSEG_PROMPT, "p"), "v2"), 0, "and the versions");
    is_str(aggseg_dim_name(AGGSEG_AGENT), "agent", "dimension names");
    agg_free(all);
    agg_free(x);
    agg_free(y);
    event_parser_free(P);
    return tap_done();
}
