#include <math.h>

#include "common/numfmt.h"
#include "tap.h"

#define CHECK(call, want, what) do { strbuf sb = STRBUF_INIT; call; is_str(sb.buf, want, what); strbuf_release(&sb); } while (0)

int main(void)
{
    CHECK(numfmt_int(&sb, 0), "0", "int 0");
    CHECK(numfmt_int(&sb, 999), "999", "int below a thousand");
    CHECK(numfmt_int(&sb, 12345), "12,345", "thousands separator");
    CHECK(numfmt_int(&sb, 1234567), "1,234,567", "millions");
    CHECK(numfmt_int(&sb, -4200), "\xe2\x88\x92" "4,200", "negative with a minus sign");
    CHECK(numfmt_pct(&sb, 0.36912, 1), "36.9%", "percent");
    CHECK(numfmt_pct(&sb, 1.0, 0), "100%", "percent, no decimals");
    CHECK(numfmt_pct(&sb, NAN, 1), "\xe2\x80\x93", "NaN is an en dash");
    CHECK(numfmt_pp(&sb, 0.0235, 1), "+2.4 pp", "percentage points, up");
    CHECK(numfmt_pp(&sb, -0.01, 1), "\xe2\x88\x92" "1.0 pp", "percentage points, down");
    CHECK(numfmt_pp(&sb, 0.00001, 1), "\xc2\xb1" "0.0 pp", "a change that rounds to zero has no direction");
    CHECK(numfmt_dec(&sb, 0.74213, 3), "0.742", "decimal");
    CHECK(numfmt_signed(&sb, -0.0291, 3), "\xe2\x88\x92" "0.029", "signed, down");
    CHECK(numfmt_signed(&sb, 0.01, 3), "+0.010", "signed, up");
    char b[32];
    is_str(numfmt_group(b, sizeof b, 179147), "179,147", "group: human messages");
    is_str(numfmt_group(b, sizeof b, 999), "999", "group: below a thousand");
    is_str(numfmt_group(b, sizeof b, -1234567), "-1,234,567", "group: negative, ASCII minus");
    is_str(numfmt_group(b, sizeof b, INT64_MIN), "-9,223,372,036,854,775,808", "group: INT64_MIN fits");
    is_str(numfmt_group(b, 6, 1234567), "1,234", "group: cut to the buffer, terminated");
    return tap_done();
}
