#include <string.h>

#include "common/err.h"
#include "read/event.h"
#include "common/stopwords.h"
#include "tap.h"

int main(void)
{
    for (int e = 0; e < AID_ERR__COUNT; e++)
        ok(strcmp(aid_strerror((aid_err)e), "unknown error") != 0, "error %d has a text: %s", e,
           aid_strerror((aid_err)e));
    is_str(aid_strerror((aid_err)999), "unknown error", "an unknown code");
    is_int(aid_err_exit_code(AID_OK), 0, "ok exits 0");
    is_int(aid_err_exit_code(AID_ERR_BADINPUT), 1, "bad input exits 1");
    is_int(aid_err_exit_code(AID_ERR_USAGE), 2, "usage exits 2");
    is_int(aid_err_exit_code(AID_ERR_IO), 3, "an output problem exits 3");
    is_int(aid_err_exit_code(AID_ERR_MAIL), 3, "a mail failure exits 3");
    is_int(aid_err_exit_code(AID_ERR_ALERT), 4, "alerts (run --fail-on-alert) exit 4");
    aid_errbuf eb = { { 0 } };
    is_str(aid_errbuf_msg(&eb, AID_ERR_IO), "input/output error", "no detail: the generic text");
    ok(aid_errbuf_set(&eb, AID_ERR_PARSE, "f:%d: bad", 3) == AID_ERR_PARSE, "set returns its code");
    is_str(aid_errbuf_msg(&eb, AID_ERR_PARSE), "f:3: bad", "the detail");
    ok(aid_errbuf_set(NULL, AID_ERR_IO, "x") == AID_ERR_IO, "a NULL buffer is fine");

    for (int r = 0; r < EVENT_BAD__COUNT; r++)
        ok(strcmp(event_bad_name((event_bad)r), "ok") != 0, "bad-line reason %d is named %s", r,
           event_bad_name((event_bad)r));

    ok(stopwords_contains("the", 3), "\"the\" is a stop word");
    ok(stopwords_contains("thanks", 6), "chat filler is too");
    ok(!stopwords_contains("refund", 6), "\"refund\" is not");
    ok(!stopwords_contains("th", 2), "a prefix of a stop word is not one");
    ok(!stopwords_contains("thee", 4), "nor a longer word");
    int sorted = 1;
    for (size_t i = 1; i < stopwords_count(); i++)
        sorted = sorted && strcmp(stopwords_at(i - 1), stopwords_at(i)) < 0;
    ok(sorted, "the list is sorted and has no repeats (%zu words)", stopwords_count());
    size_t found = 0;
    for (size_t i = 0; i < stopwords_count(); i++)
        found += stopwords_contains(stopwords_at(i), strlen(stopwords_at(i)));
    is_int(found, stopwords_count(), "every listed word is found");
    return tap_done();
}
