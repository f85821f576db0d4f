/*
 * fuzz_event.c - libFuzzer target: one input line through the reader's
 * parser and validator (read/event.h), as ingest does for every line.
 *
 * The input is the line without its line end. The parser is made once and
 * reused, as one worker thread does; a short max_line (4 KiB) lets the
 * fuzzer reach the "line too long" path too. Every string of an accepted
 * event is read back, so a borrowed pointer or length that is off shows up
 * under ASan.
 */
#include "read/event.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The one place that names the constructor. */
static event_parser *fuzz_parser_new(size_t max_line)
{
    event_parser *p = NULL;
    return event_parser_new(&p, max_line, NULL) == AID_OK ? p : NULL;
}

static event_parser *parser;

static size_t touch(event_str s)
{
    size_t sum = 0;
    for (size_t i = 0; i < s.len; i++)
        sum += (unsigned char)s.s[i];
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!parser && !(parser = fuzz_parser_new(4096)))
        abort();
    event ev;
    char why[256];
    event_bad r = event_parse(parser, (const char *)data, size, &ev, why, sizeof why);
    if (r != EVENT_OK) {
        if ((int)r < 0 || r >= EVENT_BAD__COUNT || !event_bad_name(r) || !memchr(why, 0, sizeof why))
            abort();
        return 0;
    }
    volatile size_t sink = 0;
    event_str all[] = { ev.id, ev.ai_reply, ev.customer_message, ev.final_reply,
                        ev.conversation_id, ev.agent_id, ev.channel, ev.locale,
                        ev.prompt_id, ev.prompt_version, ev.suggestion_id,
                        ev.corrected_reply, ev.by, ev.reason, ev.from_version,
                        ev.to_version, ev.theme, ev.summary, ev.model };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sink += touch(all[i]);
    if (ev.type == EVENT_SUGGESTION && (ev.action < 0 || ev.action >= ACTION__COUNT))
        abort();
    if (ev.type == EVENT_SUGGESTION)
        sink += strlen(event_action_name(ev.action));
    if (ev.has_confidence && !(ev.confidence >= 0.0 && ev.confidence <= 1.0))
        abort();
    /* the cost and latency fields stay in their ranges (costagg relies on it) */
    if ((ev.has_latency && !(ev.latency_ms >= 0 && ev.latency_ms <= EVENT_MAX_LATENCY_MS)) ||
        (ev.has_tokens_in && !(ev.tokens_in >= 0 && ev.tokens_in <= EVENT_MAX_TOKENS)) ||
        (ev.has_tokens_out && !(ev.tokens_out >= 0 && ev.tokens_out <= EVENT_MAX_TOKENS)) ||
        (ev.has_cost && !(ev.cost_nano >= 0 && ev.cost_nano <= (int64_t)(EVENT_MAX_COST * 1e9))))
        abort();
    if (ev.examples_added)
        sink += json_object_array_length(ev.examples_added);
    if (ev.examples_removed)
        sink += json_object_array_length(ev.examples_removed);
    (void)sink;
    return 0;
}
