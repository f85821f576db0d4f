#include <string.h>

#include "common/coachfeat.h"
#include "tap.h"

static unsigned f(const char *reply, const char *customer)
{
    return (unsigned)coachfeat_detect(reply, strlen(reply), customer, customer ? strlen(customer) : 0);
}

#define HAS(mask, feat) (((mask) >> (feat)) & 1u)

int main(void)
{
    unsigned m = f("I'm sorry to hear that. Your refund was issued and arrives within 5-7 business days.", NULL);
    ok(HAS(m, COACHFEAT_EMPATHY_OPENER), "empathy in the first sentence");
    ok(HAS(m, COACHFEAT_APOLOGY), "an apology");
    ok(HAS(m, COACHFEAT_TIME_COMMITMENT), "a time frame (5-7 business days)");
    ok(!HAS(m, COACHFEAT_NEXT_STEPS), "no next step said");
    ok(!HAS(m, COACHFEAT_RESTATES_ISSUE), "no customer message, no restating");

    m = f("Your parcel is on its way. I understand how frustrating this is.", NULL);
    ok(!HAS(m, COACHFEAT_EMPATHY_OPENER), "empathy only after the first sentence is no opener");

    ok(HAS(f("I will email you a return label today.", NULL), COACHFEAT_NEXT_STEPS), "\"I will\" is a next step");
    ok(HAS(f("I\xe2\x80\x99ll check it.", NULL), COACHFEAT_NEXT_STEPS), "a typographic apostrophe (I’ll) counts too");
    ok(HAS(f("We will get back to you within 24 hours.", NULL), COACHFEAT_TIME_COMMITMENT), "within 24 hours");
    ok(HAS(f("It will be there by tomorrow.", NULL), COACHFEAT_TIME_COMMITMENT), "by tomorrow");
    ok(!HAS(f("Order 12345 is in the system.", NULL), COACHFEAT_TIME_COMMITMENT), "a number without a time unit is no time frame");
    ok(!HAS(f("Thanks!", NULL), COACHFEAT_APOLOGY), "no apology in thanks");

    m = f("Your blender arrived damaged and the refund is pending.", "my blender arrived damaged, where is the refund");
    ok(HAS(m, COACHFEAT_RESTATES_ISSUE), "3 shared terms (blender, arrived, damaged, refund) restate the issue");
    m = f("Your blender is fine.", "my blender arrived damaged");
    ok(!HAS(m, COACHFEAT_RESTATES_ISSUE), "one shared term does not");

    is_str(coachfeat_name(COACHFEAT_TIME_COMMITMENT), "time_commitment", "names for report.json");
    ok(strlen(coachfeat_label(COACHFEAT_APOLOGY)) > 0, "labels for people");
    is_str(coachfeat_name((coachfeat)99), "?", "an unknown feature");
    return tap_done();
}
