/* test_event.c - one line -> an event or a bad-line reason. */
#include <string.h>

#include "read/event.h"
#include "tap.h"

static event_parser *p;
static event ev;

static event_bad parse(const char *line)
{
    char why[256] = "";
    return event_parse(p, line, strlen(line), &ev, why, sizeof why);
}

#define S "\"type\":\"suggestion\",\"id\":\"s1\",\"ts\":\"2026-11-17T09:30:00Z\""

int main(void)
{
    ok(event_parser_new(&p, 200, NULL) == AID_OK && p != NULL, "parser");
    is_int(parse("{" S ",\"ai_reply\":\"hi\",\"action\":\"edited\",\"confidence\":0.82,\"final_reply\":\"yo\",\"prompt_id\":null}"),
           EVENT_OK, "a good suggestion");
    ok(ev.type == EVENT_SUGGESTION && ev.action == ACTION_EDITED && ev.has_confidence && ev.confidence == 0.82 &&
       ev.ai_reply.len == 2 && !memcmp(ev.ai_reply.s, "hi", 2) && ev.final_reply.len == 2 && ev.prompt_id.s == NULL,
       "its fields (null optional string = absent)");
    is_int(parse("{" S ",\"ai_reply\":\"hi\",\"action\":\"accepted\",\"confidence\":null}"), EVENT_OK, "confidence null");
    ok(!ev.has_confidence, "null confidence: none");
    is_int(parse("{" S ",\"ai_reply\":\"hi\",\"action\":\"accepted\",\"confidence\":0}"), EVENT_OK, "confidence 0 (integer)");
    is_int(parse("{" S ",\"ai_reply\":\"hi\",\"action\":\"accepted\",\"confidence\":1}"), EVENT_OK, "confidence 1");
    is_int(parse("{\"type\":\"correction\",\"suggestion_id\":\"s1\",\"ts\":\"2026-11-17T09:30:00Z\",\"corrected_reply\":\"x\"}"),
           EVENT_OK, "a correction");
    is_int(parse("{\"type\":\"prompt_update\",\"prompt_id\":\"p\",\"ts\":\"2026-11-17T09:30:00Z\",\"examples_added\":[\"a\",\"b\"]}"),
           EVENT_OK, "a prompt_update");
    ok(ev.type == EVENT_PROMPT_UPDATE && ev.examples_added != NULL, "with examples");
    is_int(parse("{\"type\":\"feedback\",\"csat\":5}"), EVENT_OK, "unknown type: not bad");
    is_int(ev.type, EVENT_UNKNOWN_TYPE, "unknown type");

    is_int(parse("{\"type\":"), EVENT_BAD_INVALID_JSON, "invalid_json: cut");
    is_int(parse("{'type':'suggestion'}"), EVENT_BAD_INVALID_JSON, "invalid_json: single quotes");
    is_int(parse("{\"type\":\"x\",}"), EVENT_BAD_INVALID_JSON, "invalid_json: trailing comma");
    is_int(parse("{\"type\":\"x\"} {}"), EVENT_BAD_INVALID_JSON, "invalid_json: two values");
    is_int(parse("{\"type\":\"x\",\"c\":NaN}"), EVENT_BAD_INVALID_JSON, "invalid_json: NaN");
    is_int(parse("null"), EVENT_BAD_INVALID_JSON, "invalid_json: null (no value, not out of memory)");
    char nul_why[256];
    is_int(event_parse(p, "null\0", 5, &ev, nul_why, sizeof nul_why), EVENT_BAD_INVALID_JSON,
           "invalid_json: null and a NUL byte (json-c stops after the null; not out of memory: fuzz_event)");
    is_int(parse("null x"), EVENT_BAD_INVALID_JSON, "invalid_json: null and more");
    is_int(parse(" NULL "), EVENT_BAD_INVALID_JSON, "invalid_json: NULL with spaces");
    is_int(parse("{\"type\":\"x\",\"c\":[-Infinity]}"), EVENT_BAD_INVALID_JSON, "invalid_json: -Infinity");
    is_int(parse("{\"type\":\"x\",\"c\":1e999}"), EVENT_OK, "1e999 is JSON");
    is_int(parse("{\"type\":\"x\"} "), EVENT_OK, "white space after the value is fine");
    is_int(parse("{\"type\":\"x\",\"a\":\"\xff\"}"), EVENT_BAD_INVALID_UTF8, "invalid_utf8");
    is_int(parse("{\"type\":\"x\",\"a\":\"\xed\xa0\x80\"}"), EVENT_BAD_INVALID_UTF8, "invalid_utf8: surrogate bytes");
    char longl[256];
    memset(longl, ' ', sizeof longl);
    memcpy(longl, "{\"type\":\"x\"}", 12);
    char w[64];
    is_int(event_parse(p, longl, 201, &ev, w, sizeof w), EVENT_BAD_LINE_TOO_LONG, "line_too_long: 201 > 200");
    is_int(event_parse(p, longl, 200, &ev, w, sizeof w), EVENT_OK, "200 bytes is within the limit");
    char deep[256];
    strcpy(deep, "{\"type\":\"x\",\"a\":");
    for (int i = 0; i < 31; i++)
        strcat(deep, "[");
    for (int i = 0; i < 31; i++)
        strcat(deep, "]");
    strcat(deep, "}");
    is_int(parse(deep), EVENT_OK, "32 levels is fine");
    strcpy(deep, "{\"type\":\"x\",\"a\":");
    for (int i = 0; i < 32; i++)
        strcat(deep, "[");
    for (int i = 0; i < 32; i++)
        strcat(deep, "]");
    strcat(deep, "}");
    is_int(parse(deep), EVENT_BAD_TOO_DEEP, "too_deep: 33 levels");
    is_int(parse("[1]"), EVENT_BAD_NOT_OBJECT, "not_object: array");
    is_int(parse("\"x\""), EVENT_BAD_NOT_OBJECT, "not_object: string");
    is_int(parse("{\"id\":\"x\"}"), EVENT_BAD_MISSING_FIELD, "missing_field: type");
    is_int(parse("{" S ",\"action\":\"accepted\"}"), EVENT_BAD_MISSING_FIELD, "missing_field: ai_reply");
    is_int(parse("{" S ",\"ai_reply\":\"\",\"action\":\"accepted\"}"), EVENT_BAD_MISSING_FIELD, "missing_field: empty ai_reply");
    is_int(parse("{" S ",\"ai_reply\":null,\"action\":\"accepted\"}"), EVENT_BAD_MISSING_FIELD, "missing_field: null ai_reply");
    is_int(parse("{\"type\":\"correction\",\"suggestion_id\":\"s1\",\"ts\":\"2026-11-17T09:30:00Z\"}"), EVENT_BAD_MISSING_FIELD,
           "missing_field: corrected_reply");
    is_int(parse("{\"type\":\"prompt_update\",\"ts\":\"2026-11-17T09:30:00Z\"}"), EVENT_BAD_MISSING_FIELD, "missing_field: prompt_id");
    is_int(parse("{" S ",\"ai_reply\":5,\"action\":\"accepted\"}"), EVENT_BAD_WRONG_TYPE, "wrong_type: ai_reply number");
    is_int(parse("{" S ",\"ai_reply\":\"x\",\"action\":\"accepted\",\"confidence\":\"0.5\"}"), EVENT_BAD_WRONG_TYPE,
           "wrong_type: confidence string");
    is_int(parse("{" S ",\"ai_reply\":\"x\",\"action\":\"accepted\",\"agent_id\":7}"), EVENT_BAD_WRONG_TYPE, "wrong_type: agent_id");
    is_int(parse("{\"type\":5}"), EVENT_BAD_WRONG_TYPE, "wrong_type: type");
    is_int(parse("{\"type\":\"prompt_update\",\"prompt_id\":\"p\",\"ts\":\"2026-11-17T09:30:00Z\",\"examples_added\":[1]}"),
           EVENT_BAD_WRONG_TYPE, "wrong_type: examples not strings");
    is_int(parse("{" S ",\"ai_reply\":\"x\",\"action\":\"accepted\",\"confidence\":1.5}"), EVENT_BAD_CONFIDENCE_RANGE, "confidence 1.5");
    is_int(parse("{" S ",\"ai_reply\":\"x\",\"action\":\"accepted\",\"confidence\":-0.01}"), EVENT_BAD_CONFIDENCE_RANGE, "confidence -0.01");
    is_int(parse("{" S ",\"ai_reply\":\"x\",\"action\":\"maybe\"}"), EVENT_BAD_UNKNOWN_ACTION, "unknown_action");
    is_int(parse("{" S ",\"ai_reply\":\"x\",\"action\":\"Accepted\"}"), EVENT_BAD_UNKNOWN_ACTION, "unknown_action: case matters");
    is_int(parse("{\"type\":\"suggestion\",\"id\":\"s\",\"ts\":\"yesterday\",\"ai_reply\":\"x\",\"action\":\"accepted\"}"),
           EVENT_BAD_BAD_TIME, "bad_time");
    is_int(parse("{\"type\":\"suggestion\",\"id\":\"s\",\"ts\":5,\"ai_reply\":\"x\",\"action\":\"accepted\"}"),
           EVENT_BAD_WRONG_TYPE, "ts a number: wrong_type");
    /* strict JSON: control characters inside strings must be escaped */
    is_int(parse("{" S ",\"ai_reply\":\"a\tb\",\"action\":\"accepted\"}"), EVENT_BAD_INVALID_JSON,
           "invalid_json: a raw tab inside a string");
    is_int(parse("{" S ",\"ai_reply\":\"a\x01\",\"action\":\"accepted\"}"), EVENT_BAD_INVALID_JSON,
           "invalid_json: a raw 0x01 inside a string");
    is_int(parse("{" S ",\"ai_reply\":\"a\\tb \\\" \\\\\",\t\"action\":\"accepted\"}\t"), EVENT_OK,
           "escaped tab, quote and backslash inside, raw tab outside strings: fine");
    {
        char why[256] = "";
        const char *l = "{" S ",\"ai_reply\":\"x\",\"action\":\"accepted\",\"confidence\":1.0000000000000002}";
        is_int(event_parse(p, l, strlen(l), &ev, why, sizeof why), EVENT_BAD_CONFIDENCE_RANGE,
               "confidence just above 1");
        ok(strstr(why, "1.0000000000000002") != NULL, "its detail shows the value, not 1 (%s)", why);
        l = "{" S ",\"ai_reply\":\"x\",\"action\":\"accepted\",\"confidence\":1.1}";
        event_parse(p, l, strlen(l), &ev, why, sizeof why);
        ok(strstr(why, "confidence 1.1 is") != NULL, "and 1.1 as 1.1 (%s)", why);
    }
    /* outcome: ts, conversation_id, then csat (integer 1..5), then resolved (boolean) */
#define O "\"type\":\"outcome\",\"ts\":\"2026-11-17T09:30:00Z\",\"conversation_id\":\"c1\""
    is_int(parse("{" O ",\"csat\":5,\"resolved\":false}"), EVENT_OK, "outcome: csat 5, resolved false");
    ok(ev.type == EVENT_OUTCOME && ev.csat == 5 && ev.resolved == 0 && ev.conversation_id.len == 2, "its fields");
    is_int(parse("{" O "}"), EVENT_OK, "outcome without csat or resolved");
    ok(ev.csat == 0 && ev.resolved == -1, "both absent");
    is_int(parse("{" O ",\"csat\":null,\"resolved\":null}"), EVENT_OK, "null is absent");
    ok(ev.csat == 0 && ev.resolved == -1, "null: absent");
    is_int(parse("{" O ",\"csat\":1,\"resolved\":true}"), EVENT_OK, "csat 1, resolved true");
    ok(ev.csat == 1 && ev.resolved == 1, "csat 1 and true");
    is_int(parse("{" O ",\"csat\":0}"), EVENT_BAD_CSAT_RANGE, "csat 0: csat_range");
    is_int(parse("{" O ",\"csat\":6}"), EVENT_BAD_CSAT_RANGE, "csat 6: csat_range");
    is_int(parse("{" O ",\"csat\":-3}"), EVENT_BAD_CSAT_RANGE, "csat -3: csat_range");
    is_int(parse("{" O ",\"csat\":4.0}"), EVENT_BAD_WRONG_TYPE, "csat 4.0: wrong_type (a rating is a whole number)");
    is_int(parse("{" O ",\"csat\":\"4\"}"), EVENT_BAD_WRONG_TYPE, "csat a string: wrong_type");
    is_int(parse("{" O ",\"csat\":true}"), EVENT_BAD_WRONG_TYPE, "csat a boolean: wrong_type");
    is_int(parse("{" O ",\"resolved\":1}"), EVENT_BAD_WRONG_TYPE, "resolved 1: wrong_type");
    is_int(parse("{" O ",\"resolved\":\"true\"}"), EVENT_BAD_WRONG_TYPE, "resolved a string: wrong_type");
    is_int(parse("{\"type\":\"outcome\",\"ts\":\"2026-11-17T09:30:00Z\",\"csat\":9}"), EVENT_BAD_MISSING_FIELD,
           "no conversation_id comes before a bad csat");
    is_int(parse("{\"type\":\"outcome\",\"ts\":\"soon\",\"conversation_id\":\"c\",\"csat\":9}"), EVENT_BAD_BAD_TIME,
           "a bad ts comes before a bad csat");
    is_int(parse("{" O ",\"csat\":9,\"resolved\":\"x\"}"), EVENT_BAD_CSAT_RANGE, "csat is checked before resolved");
    {
        char why[256] = "";
        const char *l = "{" O ",\"csat\":100000000000000000000000}";
        is_int(event_parse(p, l, strlen(l), &ev, why, sizeof why), EVENT_BAD_CSAT_RANGE, "a huge csat");
        ok(strstr(why, "csat 100000000000000000000000 is outside 1 to 5") != NULL, "quoted as written (%s)", why);
    }
#undef O
    const char *names[] = { "invalid_json", "invalid_utf8", "line_too_long", "too_deep", "not_object",
                            "missing_field", "wrong_type", "confidence_range", "unknown_action", "bad_time",
                            "value_range", "csat_range" };
    for (int i = 0; i < EVENT_BAD__COUNT; i++)
        is_str(event_bad_name((event_bad)i), names[i], "reason name %d", i);
    /* the cost and latency fields */
    {
        char why[256] = "";
        const char *l = "{" S ",\"ai_reply\":\"x\",\"action\":\"accepted\",\"latency_ms\":250.7,\"model\":\"m\","
                        "\"tokens_in\":1210,\"tokens_out\":0,\"cost\":0.00022}";
        is_int(event_parse(p, l, strlen(l), &ev, why, sizeof why), EVENT_OK, "latency, model, tokens and cost parse");
        ok(ev.has_latency && ev.latency_ms == 250.7 && ev.has_tokens_in && ev.tokens_in == 1210 && ev.has_tokens_out &&
               ev.tokens_out == 0 && ev.has_cost && ev.cost_nano == 220000 && ev.model.len == 1,
           "their values (the cost in nano-units: 220000)");
        l = "{" S ",\"ai_reply\":\"x\",\"action\":\"accepted\",\"latency_ms\":null,\"model\":\"\",\"cost\":null}";
        is_int(event_parse(p, l, strlen(l), &ev, why, sizeof why), EVENT_OK, "nulls parse");
        ok(!ev.has_latency && !ev.has_cost && !ev.has_tokens_in && !ev.model.s, "null and \"\" are absent, not 0");
        static const struct {
            const char *field;
            event_bad want;
            const char *detail;
        } bad[] = {
            { "\"latency_ms\":-0.5", EVENT_BAD_VALUE_RANGE, "latency_ms -0.5 is outside [0, 1000000000]" },
            { "\"latency_ms\":1000000000.5", EVENT_BAD_VALUE_RANGE, "outside" },
            { "\"latency_ms\":\"12\"", EVENT_BAD_WRONG_TYPE, "'latency_ms' must be a number" },
            { "\"tokens_in\":1.5", EVENT_BAD_WRONG_TYPE, "'tokens_in' must be an integer" },
            { "\"tokens_in\":2.0", EVENT_BAD_WRONG_TYPE, "'tokens_in' must be an integer" },
            { "\"tokens_out\":-3", EVENT_BAD_VALUE_RANGE, "tokens_out -3 is outside" },
            { "\"tokens_out\":18446744073709551616", EVENT_BAD_VALUE_RANGE, "tokens_out 18446744073709551616 is" },
            { "\"cost\":true", EVENT_BAD_WRONG_TYPE, "'cost' must be a number" },
            { "\"cost\":1e10", EVENT_BAD_VALUE_RANGE, "cost 1e10 is outside" },
            { "\"model\":[\"m\"]", EVENT_BAD_WRONG_TYPE, "'model' must be a string" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            char line[512];
            snprintf(line, sizeof line, "{" S ",\"ai_reply\":\"x\",\"action\":\"accepted\",%s}", bad[i].field);
            event_bad r = event_parse(p, line, strlen(line), &ev, why, sizeof why);
            ok(r == bad[i].want && strstr(why, bad[i].detail), "%s: %s (%s)", bad[i].field, event_bad_name(bad[i].want), why);
        }
    }
    /* "\u0000" is legal JSON but ends a C string: it becomes U+FFFD */
    is_int(parse("{\"type\":\"suggestion\",\"id\":\"a\\u0000b\",\"ts\":\"2026-11-17T09:30:00Z\","
                 "\"ai_reply\":\"x\\u0000y\\u0000\",\"action\":\"accepted\"}"), EVENT_OK, "NUL in strings parses");
    is_int(ev.id.len, 5, "the id with U+FFFD for its NUL has 5 bytes");
    ok(ev.id.len == 5 && !memcmp(ev.id.s, "a\xef\xbf\xbd" "b", 5), "a U+FFFD b");
    is_str(ev.ai_reply.s, "x\xef\xbf\xbdy\xef\xbf\xbd", "every NUL of a text replaced");
    is_int(ev.ai_reply.len, strlen(ev.ai_reply.s), "and the length agrees with the C string");
    event_parser_free(p);
    event_parser_free(NULL);
    return tap_done();
}
