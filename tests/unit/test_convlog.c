/* test_convlog.c - the conversations and outcomes gathered while reading
 * (read/convlog.h): class precedence, take-back, last outcome by position
 * whatever the order of adding, the window, and merging. */
#include <string.h>

#include "common/timeutil.h"
#include "read/convlog.h"
#include "tap.h"

#define W0 1794787200000LL /* 2026-11-16 */

static event sugg(const char *conv, const char *prompt, event_action a)
{
    event e;
    memset(&e, 0, sizeof e);
    e.type = EVENT_SUGGESTION;
    e.ts_ms = W0 + 3600000;
    e.conversation_id = (event_str){ conv, conv ? strlen(conv) : 0 };
    e.prompt_id = (event_str){ prompt, prompt ? strlen(prompt) : 0 };
    e.action = a;
    return e;
}

static event outc(const char *conv, int64_t ts, int csat, int resolved)
{
    event e;
    memset(&e, 0, sizeof e);
    e.type = EVENT_OUTCOME;
    e.ts_ms = ts;
    e.conversation_id = (event_str){ conv, strlen(conv) };
    e.csat = csat;
    e.resolved = resolved;
    return e;
}

int main(void)
{
    int64_t n[CONVLOG__CLASSES] = { 0, 0, 0 };
    is_int(convlog_class_of(n), -1, "no suggestion: no class");
    n[CONVLOG_NOT_USED] = 2;
    is_int(convlog_class_of(n), CONVLOG_NOT_USED, "only rejected/ignored: not used");
    n[CONVLOG_EDITED] = 1;
    is_int(convlog_class_of(n), CONVLOG_EDITED, "edited beats not used");
    n[CONVLOG_AS_IS] = 1;
    is_int(convlog_class_of(n), CONVLOG_AS_IS, "as is beats edited");
    is_str(convlog_class_name(CONVLOG_NOT_USED), "not_used", "class name");

    convlog *a = NULL, *b = NULL;
    ok(!convlog_new(&a, W0, NULL) && !convlog_new(&b, W0, NULL), "two logs");
    event e = sugg("c1", "P", ACTION_ACCEPTED);
    ok(convlog_add_suggestion(a, &e, 0, +1) == 0, "add a suggestion");
    ok(convlog_add_suggestion(a, &e, 0, -1) == 0, "take it back (a duplicate id that lost)");
    e = sugg("c1", "P", ACTION_REJECTED);
    ok(convlog_add_suggestion(a, &e, 0, +1) == 0, "the winner");
    convlog_conv *cv = strmap_get(a->convs, "c1", 2);
    is_int(cv ? convlog_class_of(cv->n[0]) : -9, CONVLOG_NOT_USED, "after take-back: not used");
    cv = strmap_get(a->prompts, "c1\0P", 4);
    is_int(cv ? cv->n[0][CONVLOG_NOT_USED] : -9, 1, "the conversation's prompt counted under its key");
    e = sugg(NULL, "P", ACTION_ACCEPTED);
    ok(convlog_add_suggestion(a, &e, 0, +1) == 0 && strmap_count(a->convs) == 1, "no conversation_id: not counted");

    /* the later position wins, whichever is added first and in which log */
    e = outc("c1", W0 + 7200000, 2, 0);
    ok(convlog_add_outcome(a, &e, 900) == 0, "outcome at 900");
    e = outc("c1", W0 + 3600000, 5, 1);
    ok(convlog_add_outcome(b, &e, 100) == 0, "outcome at 100 in another log");
    e = outc("c1", W0 - 8 * TIMEUTIL_DAY_MS, 1, 1);
    ok(convlog_add_outcome(b, &e, 2000) == 0, "an outcome before the window");
    e = outc("c1", W0 + 14 * TIMEUTIL_DAY_MS, 1, 1);
    ok(convlog_add_outcome(b, &e, 2001) == 0, "an outcome after the window");
    is_int(b->outside, 2, "both outside the window, counted");
    ok(convlog_merge(b, a) == 0, "merge a into b");
    convlog_outcome *o = strmap_get(b->outcomes, "c1", 2);
    ok(o && o->pos == 900 && o->csat == 2 && o->resolved == 0, "the outcome at the later position wins");
    is_int(o ? o->events : -1, 2, "two outcome events for the conversation");
    cv = strmap_get(b->convs, "c1", 2);
    is_int(cv ? cv->n[0][CONVLOG_NOT_USED] : -9, 1, "merged conversation counts");
    convlog_free(a);
    convlog_free(b);
    convlog_free(NULL);
    return tap_done();
}
