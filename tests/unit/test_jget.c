#include <math.h>

#include "common/jget.h"
#include "tap.h"

int main(void)
{
    struct json_object *r = json_tokener_parse(
        "{\"week\":\"2026-W47\",\"totals\":{\"suggestions\":12,\"rate\":0.5},"
        "\"daily\":[{\"mean\":0.7},{\"mean\":null}],\"nothing\":null}");
    is_str(jget_str(r, "week", "?"), "2026-W47", "a string");
    is_int(jget_int(r, "totals.suggestions", -1), 12, "a nested integer");
    is_double(jget_double(r, "totals.rate", NAN), 0.5, 1e-12, "a nested double");
    is_double(jget_double(r, "totals.suggestions", NAN), 12.0, 1e-12, "an integer read as double");
    is_double(jget_double(r, "daily.0.mean", NAN), 0.7, 1e-12, "an array index");
    ok(isnan(jget_double(r, "daily.1.mean", NAN)), "null gives the default");
    ok(isnan(jget_double(r, "daily.2.mean", NAN)), "an index past the end gives the default");
    is_str(jget_str(r, "totals", "dflt"), "dflt", "another type gives the default");
    ok(!jget_has(r, "nothing"), "null does not count as present");
    ok(jget_has(r, "totals.rate"), "a present value");
    is_int(jget_len(r, "daily"), 2, "array length");
    is_int(jget_len(r, "week"), 0, "length of a non-array is 0");
    ok(jget(r, "week.x") == NULL, "a path through a string is missing");
    json_object_put(r);

    struct json_object *o = (struct json_object *)1;
    ok(jget_parse("{\"a\":1}", &o) == 0 && json_object_is_type(o, json_type_object), "jget_parse: an object");
    json_object_put(o);
    ok(jget_parse(" null\n", &o) == 0 && o == NULL, "jget_parse: null is no value, not out of memory");
    ok(jget_parse("NULL", &o) == 0 && o == NULL, "jget_parse: json-c's case-insensitive null");
    ok(jget_parse("null x", &o) == 0 && o == NULL, "jget_parse: null and more is a null, not out of memory");
    ok(jget_parse("{\"a\":", &o) == 1 && o == NULL, "jget_parse: a cut text is not JSON");
    ok(jget_parse("", &o) == 1 && o == NULL, "jget_parse: nothing is not JSON");
    ok(jget_parse("nul", &o) == 1 && o == NULL, "jget_parse: a cut null is not JSON");
    ok(jget_parse("x", &o) == 1 && o == NULL, "jget_parse: text is not JSON");
    return tap_done();
}
