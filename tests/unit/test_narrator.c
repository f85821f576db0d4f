#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "narrate/factcheck.h"
#include "common/fsutil.h"
#include "common/jget.h"
#include "narrate/narrator.h"
#include "tap.h"

static const char *root(void)
{
    const char *r = getenv("AIDIGEST_ROOT");
    return r ? r : ".";
}

static int count_paragraphs(const char *s)
{
    int n = 1;
    for (const char *p = strstr(s, "\n\n"); p; p = strstr(p + 2, "\n\n"))
        n++;
    return n;
}

/* Narrate a report, check shape and facts; returns the summary (caller frees). */
static char *narrate_and_check(json_object *report, const char *what)
{
    strbuf sum = STRBUF_INIT, self = STRBUF_INIT, notes[3] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
    ok(narrator_summary(report, &sum) == 0, "%s: summary written", what);
    ok(narrator_self_summary(report, &self) == 0, "%s: self-summary written", what);
    ok(narrator_coach_notes(report, notes) == 0, "%s: coach notes written", what);
    if (narrator_too_little(report)) {
        is_int(count_paragraphs(sum.buf), 1, "%s: too little data: one paragraph", what);
        ok(notes[0].len && !notes[1].len && !notes[2].len, "%s: too little data: one coach note", what);
    } else {
        is_int(count_paragraphs(sum.buf), 5, "%s: five paragraphs", what);
        ok(notes[0].len && notes[1].len && notes[2].len && strcmp(notes[0].buf, notes[1].buf) &&
               strcmp(notes[1].buf, notes[2].buf), "%s: three distinct coach notes", what);
    }
    ok(self.len > 40, "%s: self-summary is not empty", what);
    factcheck *fc = NULL;
    if (factcheck_new(&fc, report, NULL))
        return NULL;
    strbuf bad = STRBUF_INIT;
    is_int(factcheck_text(fc, sum.buf, &bad), 0, "%s: every number of the summary is a figure %s", what, bad.buf);
    is_int(factcheck_directions(fc, sum.buf, &bad), 0, "%s: every direction of the summary agrees with its verdict %s",
           what, bad.buf);
    is_int(factcheck_directions(fc, self.buf, &bad), 0, "%s: and of the self-summary %s", what, bad.buf);
    /* quotes: at most ~120 characters, at most one long (over 60) a paragraph */
    {
        int longq = 0, maxq = 0;
        for (const char *p = sum.buf; (p = strstr(p, "\xe2\x80\x9c")); ) {
            const char *e = strstr(p, "\xe2\x80\x9d");
            if (!e)
                break;
            int n = (int)(e - p - 3);
            maxq = n > maxq ? n : maxq;
            const char *para = strstr(sum.buf, "\n\n");
            (void)para;
            if (n > 64) {
                /* count long quotes in this paragraph */
                const char *start = p;
                while (start > sum.buf && !(start[-1] == '\n' && start - 1 > sum.buf && start[-2] == '\n'))
                    start--;
                int inpara = 0;
                for (const char *q = start; q < p; q++)
                    inpara += !strncmp(q, "\xe2\x80\x9c", 3) && strstr(q, "\xe2\x80\x9d") &&
                              strstr(q, "\xe2\x80\x9d") - q - 3 > 64;
                longq = inpara > longq ? inpara : longq;
            }
            p = e + 3;
        }
        ok(maxq <= 124, "%s: no quote over 120 characters (longest %d)", what, maxq);
        is_int(longq, 0, "%s: no second long quote in a paragraph", what);
    }
    is_int(factcheck_text(fc, self.buf, &bad), 0, "%s: every number of the self-summary is a figure %s", what, bad.buf);
    for (int k = 0; k < 3; k++)
        is_int(factcheck_text(fc, notes[k].buf, &bad), 0, "%s: coach note %d passes the fact check %s", what, k + 1, bad.buf);
    if (getenv("NARRATOR_SHOW"))
        printf("# %s\n# ---\n# %s\n# %s\n# %s\n# %s\n", sum.buf, self.buf, notes[0].buf, notes[1].buf, notes[2].buf);
    strbuf_release(&bad);
    factcheck_free(fc);
    strbuf_release(&self);
    for (int k = 0; k < 3; k++)
        strbuf_release(&notes[k]);
    return strbuf_detach(&sum, NULL);
}

int main(void)
{
    strbuf path = STRBUF_INIT;
    fsutil_join(&path, root(), "tests/fixtures/report-sample.json");
    json_object *report = json_object_from_file(path.buf);
    ok(report != NULL, "sample report loads");

    char *s1 = narrate_and_check(report, "sample");
    char *s1b = narrate_and_check(report, "sample again");
    is_str(s1, s1b, "deterministic");
    ok(strstr(s1, "4,410") && strstr(s1, "37.0%") && strstr(s1, "Acceptance rose 2.4 pp to 37.0%"),
       "the summary leads with the change whose verdict is up: %s", s1);
    ok(strstr(s1, "use, rejection and the edit rate held steady") != NULL, "the steady rates in one clause");
    ok(!strstr(s1, "a sign that its wording fits") && !strstr(s1, "what customers needed to hear") &&
           !strstr(s1, "should hold"), "no sentence that carries no information");
    ok(strstr(s1, "Please restart your device") != NULL, "names the most rejected reply");
    ok(strstr(s1, "Rising topics in customer messages were \xe2\x80\x9crefund\xe2\x80\x9d x2.5 (410 from 163)") &&
           strstr(s1, "Falling: \xe2\x80\x9cpassword reset\xe2\x80\x9d x0.41 (20 from 49).") && !strstr(s1, "%) ("),
       "topics: rising and falling, each change as x<ratio> (<count> from <expected>), never a percentage");

    /* a different week: falling acceptance, no previous week for confidence, nothing rejected,
     * no trends, no retraining, no tips */
    json_object *r2 = NULL;
    json_object_deep_copy(report, &r2, NULL);
    json_object *rates = json_object_object_get(r2, "rates");
    json_object_object_add(rates, "acceptance", json_object_new_double(0.301));
    json_object_object_add(jget(r2, "changes.acceptance"), "delta", json_object_new_double(-0.044771));
    json_object_object_add(jget(r2, "changes.acceptance"), "verdict", json_object_new_string("down"));
    json_object *dci = json_object_new_array();
    json_object_array_add(dci, json_object_new_double(-0.064));
    json_object_array_add(dci, json_object_new_double(-0.025));
    json_object_object_add(jget(r2, "changes.acceptance"), "delta_ci", dci);
    json_object_object_add(json_object_object_get(r2, "confidence"), "delta_verdict", NULL);
    json_object_object_add(json_object_object_get(r2, "confidence"), "previous_mean", NULL);
    json_object_object_add(json_object_object_get(r2, "confidence"), "delta", NULL);
    json_object_object_add(json_object_object_get(r2, "confidence"), "psi", NULL);
    json_object_object_add(r2, "top_rejected", json_object_new_array());
    json_object_object_add(r2, "trends", json_object_new_array());
    json_object_object_add(r2, "retraining", json_object_new_array());
    json_object_object_add(json_object_object_get(r2, "coach"), "tips", json_object_new_array());
    char *s2 = narrate_and_check(r2, "variant");
    ok(strcmp(s1, s2) != 0, "the text changes with the data");
    ok(strstr(s2, "Acceptance fell 4.5 pp") != NULL, "falling acceptance is said so: %s", s2);
    {
        /* two weeks with different verdicts read differently: no paragraph
         * but the rejected-replies one is the same */
        const char *p1 = s1, *p2 = s2;
        int same = 0;
        for (int k = 0; k < 5 && p1 && p2; k++) {
            const char *e1 = strstr(p1, "\n\n"), *e2 = strstr(p2, "\n\n");
            size_t l1 = e1 ? (size_t)(e1 - p1) : strlen(p1), l2 = e2 ? (size_t)(e2 - p2) : strlen(p2);
            same += l1 == l2 && !strncmp(p1, p2, l1);
            p1 = e1 ? e1 + 2 : NULL;
            p2 = e2 ? e2 + 2 : NULL;
        }
        ok(same <= 2 && strncmp(s1, s2, 200), "different verdicts: the opening and most paragraphs read differently (%d the same)", same);
    }
    ok(strstr(s2, "No topic") != NULL, "no trends is said so");

    /* schema 2: the drift and change sentences follow the verdicts */
    ok(strstr(s1, "moved beyond chance, but too little to matter (PSI 0.041, p < 0.001; KS 0.061, p < 0.001; "
                  "n = 4,110 scores this week, m = 4,169 last week, 20 bins)") && !strstr(s1, "barely moved"),
       "drift verdict none with significant tests: beyond chance but too little to matter");
    {
        static const struct { const char *verdict, *says, *what; } cases[] = {
            { "small", "shifted, beyond chance but by a small amount (PSI", "a small drift is said so" },
            { "large", "shifted a lot, beyond chance (PSI", "a large drift is said so" },
            { "too_few", "too few scores to judge drift (n = 4,110 this week, m = 4,169 last week; at least 100",
              "too few scores: no verdict, and why" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            json_object *r5 = NULL;
            json_object_deep_copy(report, &r5, NULL);
            json_object_object_add(jget(r5, "confidence.drift"), "verdict", json_object_new_string(cases[i].verdict));
            char *s5 = narrate_and_check(r5, cases[i].verdict);
            ok(s5 && strstr(s5, cases[i].says) && !strstr(s5, "barely moved"), "%s", cases[i].what);
            free(s5);
            json_object_put(r5);
        }
        /* a change whose interval contains 0 is steady, whatever its sign */
        json_object *r6 = NULL;
        json_object_deep_copy(report, &r6, NULL);
        json_object *acc = jget(r6, "changes.acceptance");
        json_object_object_add(acc, "verdict", json_object_new_string("steady"));
        json_object *ci = json_object_new_array();
        json_object_array_add(ci, json_object_new_double(-0.003351));
        json_object_array_add(ci, json_object_new_double(0.044282));
        json_object_object_add(acc, "delta_ci", ci);
        char *s6 = narrate_and_check(r6, "steady acceptance");
        ok(s6 && strstr(s6, "Nothing moved beyond chance against the previous week: acceptance held at 37.0%") &&
               strstr(s6, "lies within the 95% interval +0.3 to +4.4 pp") == NULL && !strstr(s6, "cceptance rose"),
           "a steady verdict is not told as a rise: %s", s6);
        free(s6);
        json_object_put(r6);
        /* a retraining impact within chance is too early to judge */
        json_object *r7 = NULL;
        json_object_deep_copy(report, &r7, NULL);
        json_object *u = json_object_array_get_idx(jget(r7, "retraining"), 0);
        json_object_object_add(json_object_object_get(u, "impact"), "verdict", json_object_new_string("steady"));
        char *s7 = narrate_and_check(r7, "steady impact");
        ok(s7 && strstr(s7, "The refunds update moved acceptance by 23.0 pp, within noise (95% interval") &&
               !strstr(s7, "should hold"), "a steady retraining impact is within noise, with its interval: %s", s7);
        strbuf self = STRBUF_INIT;
        ok(narrator_self_summary(r7, &self) == 0 && strstr(self.buf, "a change within what chance gives"),
           "the self-summary says the impact is within chance: %s", self.buf);
        strbuf_release(&self);
        free(s7);
        json_object_put(r7);
    }

    /* wording of the self-summary: "the prompt for <theme>", not "<theme> messages" */
    {
        strbuf self = STRBUF_INIT;
        ok(narrator_self_summary(report, &self) == 0, "self-summary written");
        ok(strstr(self.buf, "It changed the prompt for refund requests (refunds,") && !strstr(self.buf, "the the") &&
               !strstr(self.buf, "requests messages"),
           "self-summary names the prompt by its theme in plain English: %s", self.buf);
        strbuf_release(&self);
    }

    /* a habit of schema 1 (no test, no "qualifies") is never advised: it is
     * at most named in a note that says the evidence is weak */
    {
        json_object *r4 = NULL;
        json_object_deep_copy(report, &r4, NULL);
        json_object *t0 = json_object_array_get_idx(jget(r4, "coach.tips"), 0);
        json_object_object_add(t0, "ai_win_share", json_object_new_double(0.11));
        json_object_object_add(t0, "rejected_share", json_object_new_double(0.42));
        json_object_object_add(t0, "lift", json_object_new_double(-0.31));
        strbuf notes[3] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
        ok(narrator_coach_notes(r4, notes) == 0, "negative lift: coach notes written");
        int bad = 0;
        for (int k = 0; k < 3; k++) {
            bad += strstr(notes[k].buf, "Give a time frame") && strncmp(notes[k].buf, "No advice on", 12);
            strbuf_release(&notes[k]);
        }
        is_int(bad, 0, "negative lift: the tip agents' kept replies show less is not advised");
        json_object_put(r4);
    }

    /* schema 2: one habit backed by the shares, one by edits, the rest weak */
    {
        json_object *r5 = NULL;
        json_object_deep_copy(report, &r5, NULL);
        json_object *coach = json_tokener_parse(
            "{\"ai_wins\":1630,\"vindicated\":12,\"qualifying\":2,\"weak\":true,\"q_level\":0.05,"
            "\"min_lift\":0.05,\"settle_p\":0.01,\"ci_level\":0.95,\"replies_tested\":2300,\"tips\":["
            "{\"feature\":\"time_commitment\",\"label\":\"Commit to a time frame\",\"qualifies\":true,"
            "\"basis\":\"shares\",\"ai_win_share\":0.42,\"ai_win_share_ci\":[0.396,0.444],\"worked_n\":1642,"
            "\"rejected_share\":0.11,\"rejected_share_ci\":[0.088,0.137],\"rejected_n\":658,\"lift\":0.31,"
            "\"p\":0.000001,\"q\":0.000005,\"edits_added\":3,\"edits_removed\":2,\"edits_p\":1,\"edits_q\":1,"
            "\"more_replies\":null,\"example\":\"You should see it within 5-7 business days.\"},"
            "{\"feature\":\"apology\",\"label\":\"Apologise when something went wrong\",\"qualifies\":true,"
            "\"basis\":\"edits\",\"ai_win_share\":0.2,\"ai_win_share_ci\":[0.181,0.22],\"worked_n\":1642,"
            "\"rejected_share\":0.21,\"rejected_share_ci\":[0.181,0.243],\"rejected_n\":658,\"lift\":-0.01,"
            "\"p\":0.58,\"q\":0.72,\"edits_added\":41,\"edits_removed\":14,\"edits_p\":0.000355,"
            "\"edits_q\":0.000592,\"more_replies\":null,\"example\":\"I'm sorry your parcel is late.\"},"
            "{\"feature\":\"empathy_opener\",\"label\":\"Open with empathy\",\"qualifies\":false,"
            "\"basis\":null,\"ai_win_share\":0.3,\"ai_win_share_ci\":[0.278,0.323],\"worked_n\":1642,"
            "\"rejected_share\":0.27,\"rejected_share_ci\":[0.237,0.306],\"rejected_n\":658,\"lift\":0.03,"
            "\"p\":0.154,\"q\":0.257,\"edits_added\":0,\"edits_removed\":0,\"edits_p\":1,\"edits_q\":1,"
            "\"more_replies\":412,\"example\":null}]}");
        json_object_object_add(r5, "coach", coach);
        strbuf notes[3] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
        ok(narrator_coach_notes(r5, notes) == 0, "schema 2: coach notes written");
        ok(!strncmp(notes[0].buf, "Commit to a time frame.", 23) && strstr(notes[0].buf, "42.0% (95% interval 39.6% to 44.4%, n = 1,642)") &&
               strstr(notes[0].buf, "11.0% (8.8% to 13.7%, n = 658)") && strstr(notes[0].buf, "31.0 pp") &&
               strstr(notes[0].buf, "p < 0.01, adjusted q < 0.05"),
           "a habit backed by its shares carries them with intervals, n and the test: %s", notes[0].buf);
        ok(strstr(notes[1].buf, "added it 41 times and removed it 14 times") != NULL,
           "a habit backed by edits carries the edit counts: %s", notes[1].buf);
        ok(!strncmp(notes[2].buf, "No advice on \xe2\x80\x9cOpen with empathy\xe2\x80\x9d this week, as the evidence is weak: it",
                    66) &&
               strstr(notes[2].buf, "3.0 pp (p = 0.154, adjusted q = 0.257)") &&
               strstr(notes[2].buf, "Only a difference of 5 pp or more counts; showing one would take about 412 more replies."),
           "fewer than 3 qualify: the third note says the evidence is weak and what would settle it: %s", notes[2].buf);
        factcheck *fc = NULL;
        ok(factcheck_new(&fc, r5, NULL) == AID_OK, "fact checker");
        strbuf bad = STRBUF_INIT;
        for (int k = 0; k < 3; k++)
            is_int(factcheck_text(fc, notes[k].buf, &bad), 0, "schema 2: note %d passes the fact check %s", k + 1, bad.buf);
        strbuf_release(&bad);
        factcheck_free(fc);
        /* none qualifies: three weak-evidence notes, none a finding */
        for (size_t i = 0; i < 3; i++) {
            json_object *t = json_object_array_get_idx(jget(r5, "coach.tips"), i);
            json_object_object_add(t, "qualifies", json_object_new_boolean(0));
            json_object_object_add(t, "more_replies", json_object_new_int(0));
            strbuf_release(&notes[i]);
        }
        ok(narrator_coach_notes(r5, notes) == 0, "none qualifies: notes written");
        int weak = 0;
        for (int k = 0; k < 3; k++) {
            weak += !strncmp(notes[k].buf, "No advice on", 12) && strstr(notes[k].buf, "the evidence is weak");
            strbuf_release(&notes[k]);
        }
        is_int(weak, 3, "none qualifies: all three notes say the evidence is weak");
        json_object_put(r5);
    }

    /* an empty week: everything null or empty */
    json_object *r3 = json_tokener_parse("{\"week\":\"2026-W01\",\"totals\":{\"suggestions\":0},"
                                         "\"rates\":{\"acceptance\":null},\"confidence\":{\"mean\":null}}");
    char *s3 = narrate_and_check(r3, "empty week");
    ok(strstr(s3, "No AI reply suggestions") != NULL, "empty week is said so");

    /* a week of 10 suggestions: too little data to judge, no coach findings */
    {
        json_object *r8 = NULL;
        json_object_deep_copy(report, &r8, NULL);
        json_object_object_add(jget(r8, "totals"), "suggestions", json_object_new_int(10));
        ok(narrator_too_little(r8), "10 suggestions are too little");
        char *s8 = narrate_and_check(r8, "10 suggestions");
        ok(s8 && strstr(s8, "only 10 reply suggestions, too little data to judge") && !strstr(s8, "rose"),
           "the short narrative says so and claims nothing: %s", s8);
        strbuf notes[3] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
        ok(narrator_coach_notes(r8, notes) == 0 && strstr(notes[0].buf, "Too little data") && !notes[1].len,
           "one coach note, not a finding");
        for (int k = 0; k < 3; k++)
            strbuf_release(&notes[k]);
        free(s8);
        json_object_put(r8);
    }
    /* a removed example still rejected is named */
    {
        json_object *r9 = NULL;
        json_object_deep_copy(report, &r9, NULL);
        json_object *u = json_object_array_get_idx(jget(r9, "retraining"), 0);
        json_object *rm = json_object_new_array();
        json_object_array_add(rm, json_object_new_string(jget_str(r9, "top_rejected.0.reply", "")));
        json_object_object_add(u, "examples_removed", rm);
        char *s9 = narrate_and_check(r9, "removed but rejected");
        ok(s9 && strstr(s9, "from its examples, yet it is still the #1 most rejected reply"),
           "a reply the update removed but still rejected is named: %s", s9);
        free(s9);
        json_object_put(r9);
    }
    /* a removed example still used is named too */
    {
        json_object *r10 = NULL;
        json_object_deep_copy(report, &r10, NULL);
        json_object *u = json_object_array_get_idx(jget(r10, "retraining"), 0);
        json_object *rm = json_object_new_array();
        json_object_array_add(rm, json_object_new_string(jget_str(r10, "top_accepted.0.reply", "")));
        json_object_object_add(u, "examples_removed", rm);
        char *s10 = narrate_and_check(r10, "removed but used");
        ok(s10 && strstr(s10, "from its examples, yet it is still suggested and used (#1, "),
           "a reply the update removed but still used is named: %s", s10);
        free(s10);
        json_object_put(r10);
    }
    /* a rising topic mostly answered by one reply group is linked to it,
     * with the share, the group's use and rejection and their intervals;
     * not when the share's interval reaches a half */
    {
        static const char ab[] =
            "{\"reply\": \"I'm sorry your delivery is delayed. I have checked with our courier partner.\","
            " \"messages\": 300, \"sampled\": 64, \"share\": 0.71875, \"share_ci\": [0.598661, 0.814066],"
            " \"mostly\": true, \"suggested\": 512, \"use_rate\": 0.826172, \"use_rate_ci\": [0.79095, 0.856536],"
            " \"rejection_rate\": 0.099609, \"rejection_rate_ci\": [0.076576, 0.128606],"
            " \"top_accepted_rank\": 2, \"top_rejected_rank\": null}";
        json_object *r11 = NULL;
        json_object_deep_copy(report, &r11, NULL);
        json_object *t0 = json_object_array_get_idx(jget(r11, "trends.rising"), 0);
        json_object_object_add(t0, "answered_by", json_tokener_parse(ab));
        json_object_object_add(jget(t0, "answered_by"), "messages", json_object_new_int(46));
        char *s11 = narrate_and_check(r11, "answered by one group");
        ok(s11 && strstr(s11, "Most messages about \xe2\x80\x9crefund\xe2\x80\x9d, 46 of 64 sampled (71.9%, 95% "
                              "interval 59.9% to 81.4%), were answered by \xe2\x80\x9cI'm sorry your delivery is "
                              "delayed.\xe2\x80\x9d, the #2 most used reply: used 82.6% of the 512 times it was "
                              "suggested (79.1% to 85.7%) and rejected 10.0% (7.7% to 12.9%)."),
           "the rising topic is linked to the group that mostly answered it: %s", s11);
        json_object_object_add(jget(t0, "answered_by"), "mostly", json_object_new_boolean(0));
        char *s12 = narrate_and_check(r11, "answered by many groups");
        ok(s12 && !strstr(s12, "Most messages about"), "no link when the share may be half or less: %s", s12);
        free(s12);
        free(s11);
        json_object_put(r11);
    }
    /* the habit agents add when they edit, when a coach tip on it is advice */
    {
        json_object *r13 = NULL;
        json_object_deep_copy(report, &r13, NULL);
        json_object *ed = json_object_new_object(), *hs = json_object_new_array(),
                    *h = json_tokener_parse("{\"feature\": \"time_commitment\", \"label\": \"Give a time frame\","
                                            " \"added\": 41, \"removed\": 14}");
        json_object_array_add(hs, h);
        json_object_object_add(ed, "habits", hs);
        json_object_object_add(r13, "edits", ed);
        json_object *tip = json_object_array_get_idx(jget(r13, "coach.tips"), 0);
        json_object_object_add(tip, "qualifies", json_object_new_boolean(1));
        json_object_object_add(tip, "basis", json_object_new_string("edits"));
        json_object_object_add(tip, "edits_added", json_object_new_int(41));
        json_object_object_add(tip, "edits_removed", json_object_new_int(14));
        json_object_object_add(tip, "edits_p", json_object_new_double(0.0004));
        json_object_object_add(tip, "edits_q", json_object_new_double(0.0012));
        char *s13 = narrate_and_check(r13, "edit habit advised");
        ok(s13 && strstr(s13, "When agents edit, they most often add \xe2\x80\x9cGive a time frame\xe2\x80\x9d (41 "
                              "times, removed 14), a habit the coach notes back."),
           "the habit agents add in edits is linked to the coach tip: %s", s13);
        json_object_object_add(tip, "basis", json_object_new_string("shares+edits"));
        json_object_object_add(tip, "lift", json_object_new_double(-0.31));
        char *s14 = narrate_and_check(r13, "edit habit used with care");
        ok(s14 && !strstr(s14, "When agents edit"), "not when the tip says to use it with care: %s", s14);
        json_object_object_add(tip, "lift", json_object_new_double(0.31));
        json_object_object_add(tip, "qualifies", json_object_new_boolean(0));
        char *s15 = narrate_and_check(r13, "edit habit not advice");
        ok(s15 && !strstr(s15, "When agents edit"), "not when the tip does not qualify as advice: %s", s15);
        free(s15);
        free(s14);
        free(s13);
        json_object_put(r13);
    }

    free(s1);
    free(s1b);
    free(s2);
    free(s3);
    json_object_put(r3);
    json_object_put(r2);
    json_object_put(report);
    strbuf_release(&path);
    return tap_done();
}
