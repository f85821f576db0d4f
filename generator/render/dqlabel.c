#include "render/dqlabel.h"

#include <string.h>

const dqlabel_field dqlabel_fields[] = {
    { "files", "data_quality.files", "Files read", NULL },
    { "lines", "data_quality.lines", "Lines read", "Log lines read" },
    { "events", "data_quality.events", "Events", "Events parsed" },
    { "bad_lines", "data_quality.bad_lines", "Bad lines", "Bad lines (kept in rejected.jsonl)" },
    { "duplicates", "data_quality.duplicates", "Duplicate suggestions",
      "Duplicate suggestions (last one kept)" },
    { "out_of_week", "data_quality.out_of_week", "Events outside the week", "Events outside the week" },
    { "unknown_types", "data_quality.unknown_types", "Events of unknown type",
      "Events of unknown type (skipped)" },
    { "orphan_corrections", "data_quality.orphan_corrections", "Orphan corrections",
      "Corrections of unknown suggestions" },
};
const size_t dqlabel_nfields = sizeof dqlabel_fields / sizeof dqlabel_fields[0];

const char *dqlabel_reason(const char *reason)
{
    static const struct {
        const char *key, *label;
    } labels[] = {
        { "invalid_json", "Not valid JSON" },
        { "invalid_utf8", "Not valid UTF-8" },
        { "line_too_long", "Line too long" },
        { "too_deep", "Nested too deeply" },
        { "not_object", "Not a JSON object" },
        { "missing_field", "A required field is missing" },
        { "wrong_type", "A field has the wrong type" },
        { "confidence_range", "Confidence outside 0\xe2\x80\x93" "1" },
        { "unknown_action", "Unknown action" },
        { "bad_time", "Unparseable time" },
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        if (!strcmp(labels[i].key, reason))
            return labels[i].label;
    }
    return reason;
}
