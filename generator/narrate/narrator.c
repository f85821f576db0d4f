#include "narrate/narrator.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jget.h"
#include "common/numfmt.h"

#define LQ "\xe2\x80\x9c" /* “ */
#define RQ "\xe2\x80\x9d" /* ” */
#define ELLIPSIS "\xe2\x80\xa6"
#define ARROW "\xe2\x86\x92"

static int cnt(strbuf *sb, double v) { return numfmt_int(sb, (int64_t)llround(v)); }
static int pct(strbuf *sb, double share) { return numfmt_pct(sb, share, 1); }
static int dec(strbuf *sb, double v) { return numfmt_dec(sb, v, 3); }

/* A quoted excerpt: white space runs become one space; a text longer than
 * max bytes is cut at the last sentence or clause end (". ", "! ", "? ",
 * "; ", ", ", ": ") within max, or failing one at a word end with an
 * ellipsis (never inside a UTF-8 sequence or a number). */
static int quote(strbuf *sb, const char *text, size_t max)
{
    strbuf t = STRBUF_INIT;
    int rc = 0;
    bool space = false;
    for (const char *p = text ? text : ""; *p && !rc; p++) {
        if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
            space = t.len > 0;
            continue;
        }
        if (space)
            rc |= strbuf_addc(&t, ' ');
        space = false;
        rc |= strbuf_addc(&t, *p);
    }
    if (!rc && t.len > max) {
        size_t cut = 0;
        /* a sentence end first, then a clause end, at least a fifth of max in */
        for (int pass = 0; pass < 2 && !cut; pass++)
            for (size_t k = max; k > max / 5 && !cut; k--)
                if (t.buf[k] == ' ' && strchr(pass ? ",;:" : ".!?", t.buf[k - 1]))
                    cut = k;
        if (cut) {
            if (t.buf[cut - 1] == ',' || t.buf[cut - 1] == ';' || t.buf[cut - 1] == ':')
                cut--;
            strbuf_setlen(&t, cut);
            if (!strchr(".!?", t.buf[cut - 1]))
                rc |= strbuf_adds(&t, ELLIPSIS);
        } else {
            cut = max;
            while (cut > 0 && t.buf[cut] != ' ')
                cut--;
            if (cut == 0) {
                cut = max;
                while (cut > 0 && ((unsigned char)t.buf[cut] & 0xC0) == 0x80)
                    cut--;
            }
            while (cut > 0 && (t.buf[cut - 1] == ',' || t.buf[cut - 1] == '.' || t.buf[cut - 1] == ';'))
                cut--;
            strbuf_setlen(&t, cut);
            rc |= strbuf_adds(&t, ELLIPSIS);
        }
    }
    if (!rc)
        rc |= strbuf_addf(sb, LQ "%s" RQ, t.buf);
    strbuf_release(&t);
    return rc;
}

/* The one long quote a paragraph may have, and the short ones. */
#define QUOTE_LONG 120
#define QUOTE_SHORT 60

static double num(const struct json_object *o, const char *path)
{
    return jget_double(o, path, NAN);
}

/* "up"/"down"/"unchanged" wording of a change with its size. */
static const char *direction(double delta, double eps)
{
    if (isnan(delta))
        return NULL;
    if (fabs(delta) < eps)
        return "flat";
    return delta > 0 ? "up" : "down";
}

/* ---- the summary ------------------------------------------------------- */

/* One rate of changes.*: what the narrator says about it. */
typedef struct rate_change {
    const char *key;   /* acceptance, use, rejection, edit */
    const char *name;  /* as written at the start of a clause */
    const char *count; /* the totals.* (or sum) behind it */
    const char *what;  /* "sent as is" */
    double now, delta, lo, hi;
    const char *verdict; /* up / down / steady */
    int order;           /* the fixed order of the steady ones */
} rate_change;

static double rate_count(const struct json_object *r, const rate_change *c)
{
    if (!strcmp(c->key, "use"))
        return num(r, "totals.accepted") + num(r, "totals.edited");
    char path[64];
    snprintf(path, sizeof path, "totals.%s", c->count);
    return num(r, path);
}

/* Changed rates first, the largest change first; the steady ones after,
 * in their fixed order. */
static int cmp_change(const void *a, const void *b)
{
    const rate_change *x = a, *y = b;
    bool sx = !strcmp(x->verdict, "steady"), sy = !strcmp(y->verdict, "steady");
    if (sx != sy)
        return sx ? 1 : -1;
    if (!sx && fabs(x->delta) != fabs(y->delta))
        return fabs(x->delta) < fabs(y->delta) ? 1 : -1;
    return x->order - y->order;
}

/* "acceptance rose 4.2 pp to 46.5% (1,617 sent as is; 95% interval of the
 * change +1.9 to +6.5 pp)" */
static int change_clause(const struct json_object *r, const rate_change *c, bool first, strbuf *sb)
{
    int rc = strbuf_addf(sb, "%c%s %s ", first ? (char)(c->name[0] - 32) : c->name[0], c->name + 1,
                         !strcmp(c->verdict, "up") ? "rose" : "fell");
    rc |= numfmt_dec(sb, fabs(c->delta) * 100, 1);
    rc |= strbuf_adds(sb, " pp to ");
    rc |= pct(sb, c->now);
    rc |= strbuf_adds(sb, " (");
    rc |= cnt(sb, rate_count(r, c));
    rc |= strbuf_addf(sb, " %s", c->what);
    if (!isnan(c->lo) && !isnan(c->hi)) {
        rc |= strbuf_adds(sb, first ? "; 95% interval of the change " : "; ");
        rc |= numfmt_signed(sb, c->lo * 100, 1);
        rc |= strbuf_adds(sb, " to ");
        rc |= numfmt_pp(sb, c->hi, 1);
    }
    rc |= strbuf_adds(sb, ")");
    return rc;
}

/* The second sentence of the summary: what changed against the week
 * before, ordered by evidence; the steady rates in one short clause. */
static int changes_sentence(const struct json_object *r, strbuf *sb)
{
    rate_change c[4] = {
        { "acceptance", "acceptance", "accepted", "sent as is", 0, 0, 0, 0, NULL, 0 },
        { "use", "use", "", "used", 0, 0, 0, 0, NULL, 1 },
        { "rejection", "rejection", "rejected", "rejected", 0, 0, 0, 0, NULL, 2 },
        { "edit", "the edit rate", "edited", "edited", 0, 0, 0, 0, NULL, 3 },
    };
    int rc = 0, changed = 0, nc = 0;
    char path[96];
    for (int k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "rates.%s", c[k].key);
        c[k].now = num(r, path);
        snprintf(path, sizeof path, "previous.rates.%s", c[k].key);
        double prev = num(r, path);
        c[k].delta = c[k].now - prev;
        snprintf(path, sizeof path, "changes.%s.delta_ci.0", c[k].key);
        c[k].lo = num(r, path);
        snprintf(path, sizeof path, "changes.%s.delta_ci.1", c[k].key);
        c[k].hi = num(r, path);
        snprintf(path, sizeof path, "changes.%s.verdict", c[k].key);
        c[k].verdict = jget_str(r, path, NULL);
        if (!c[k].verdict && !isnan(c[k].delta)) /* schema 1: its sign */
            c[k].verdict = c[k].delta > 0.0005 ? "up" : c[k].delta < -0.0005 ? "down" : "steady";
        if (!c[k].verdict || isnan(c[k].now))
            continue;
        c[nc++] = c[k];
    }
    if (!nc) {
        rc |= strbuf_adds(sb, " There is no previous week to compare with, so nothing can be called a change "
                              "yet: agents sent ");
        rc |= cnt(sb, num(r, "totals.accepted"));
        rc |= strbuf_adds(sb, " as they were (");
        rc |= pct(sb, num(r, "rates.acceptance"));
        rc |= strbuf_adds(sb, "), used ");
        rc |= pct(sb, num(r, "rates.use"));
        rc |= strbuf_adds(sb, " in all (");
        rc |= cnt(sb, num(r, "totals.edited"));
        rc |= strbuf_adds(sb, " after editing) and rejected ");
        rc |= cnt(sb, num(r, "totals.rejected"));
        rc |= strbuf_adds(sb, " (");
        rc |= pct(sb, num(r, "rates.rejection"));
        rc |= strbuf_adds(sb, ").");
        return rc;
    }
    qsort(c, (size_t)nc, sizeof c[0], cmp_change);
    for (int k = 0; k < nc; k++)
        changed += strcmp(c[k].verdict, "steady") != 0;
    if (!changed) {
        rc |= strbuf_adds(sb, " Nothing moved beyond chance against the previous week: acceptance held at ");
        rc |= pct(sb, c[0].now);
        rc |= strbuf_adds(sb, " (");
        rc |= cnt(sb, rate_count(r, &c[0]));
        rc |= strbuf_adds(sb, " sent as is");
        if (!isnan(c[0].lo) && !isnan(c[0].hi)) {
            rc |= strbuf_adds(sb, "; its change of ");
            rc |= numfmt_dec(sb, fabs(c[0].delta) * 100, 1);
            rc |= strbuf_adds(sb, " pp lies within the 95% interval ");
            rc |= numfmt_signed(sb, c[0].lo * 100, 1);
            rc |= strbuf_adds(sb, " to ");
            rc |= numfmt_pp(sb, c[0].hi, 1);
        }
        rc |= strbuf_adds(sb, ")");
    } else {
        rc |= strbuf_adds(sb, " ");
        for (int k = 0; k < changed; k++) {
            if (k)
                rc |= strbuf_adds(sb, k + 1 == changed ? " and " : ", ");
            rc |= change_clause(r, &c[k], k == 0, sb);
        }
    }
    /* the steady ones, in one short clause */
    int first = changed ? changed : 1;
    if (first < nc) {
        rc |= strbuf_adds(sb, changed ? "; " : ", ");
        for (int k = first; k < nc; k++) {
            if (k > first)
                rc |= strbuf_adds(sb, k + 1 == nc ? " and " : ", ");
            rc |= strbuf_adds(sb, c[k].name);
        }
        rc |= strbuf_adds(sb, changed ? (nc - first > 1 ? " held steady (" : " held steady (") : " at ");
        for (int k = first; k < nc; k++) {
            if (k > first)
                rc |= strbuf_adds(sb, k + 1 == nc ? (changed ? " and " : " and ") : ", ");
            rc |= pct(sb, c[k].now);
        }
        if (changed)
            rc |= strbuf_adds(sb, ")");
    }
    rc |= strbuf_adds(sb, ".");
    return rc;
}

static int para_volume(const struct json_object *r, strbuf *sb)
{
    int rc = 0;
    const char *week = jget_str(r, "week", "this week");
    double n = num(r, "totals.suggestions");
    if (isnan(n) || n <= 0) {
        rc |= strbuf_addf(sb, "No AI reply suggestions were recorded in week %s, so there is nothing to "
                              "measure for acceptance or use this time.", week);
        double prev = num(r, "previous.totals.suggestions");
        if (!isnan(prev) && prev > 0) {
            rc |= strbuf_adds(sb, " The week before had ");
            rc |= cnt(sb, prev);
            rc |= strbuf_adds(sb, " suggestions: check that the logs of this week were exported.");
        }
        return rc;
    }
    rc |= strbuf_addf(sb, "In week %s the assistant made ", week);
    rc |= cnt(sb, n);
    rc |= strbuf_adds(sb, " reply suggestions");
    double prev = num(r, "previous.totals.suggestions");
    if (!isnan(prev) && prev > 0) {
        const char *d = direction(n / prev - 1, 0.0005);
        if (!strcmp(d, "flat")) {
            rc |= strbuf_adds(sb, ", about as many as the week before");
        } else {
            rc |= strbuf_addf(sb, ", %s ", !strcmp(d, "up") ? "more than" : "fewer than");
            rc |= cnt(sb, prev);
            rc |= strbuf_adds(sb, " the week before");
        }
    }
    rc |= strbuf_adds(sb, "; ");
    rc |= cnt(sb, num(r, "totals.ignored"));
    rc |= strbuf_adds(sb, " of them got no decision.");
    rc |= changes_sentence(r, sb);
    return rc;
}

/* "Use rose 3.9 pp to 73.5%" / "Use held steady at 69.2%" / "" (no
 * previous week): how a paragraph about one rate starts. */
static int rate_lead(const struct json_object *r, const char *key, const char *name, strbuf *sb)
{
    char path[64];
    snprintf(path, sizeof path, "changes.%s.verdict", key);
    const char *v = jget_str(r, path, NULL);
    if (!v)
        return 0;
    snprintf(path, sizeof path, "rates.%s", key);
    double now = num(r, path);
    snprintf(path, sizeof path, "changes.%s.delta", key);
    double d = num(r, path);
    int rc = 0;
    if (!strcmp(v, "steady")) {
        rc |= strbuf_addf(sb, "With %s steady at ", name);
        rc |= pct(sb, now);
    } else {
        rc |= strbuf_addf(sb, "With %s %s ", name, !strcmp(v, "up") ? "up" : "down");
        rc |= numfmt_dec(sb, fabs(d) * 100, 1);
        rc |= strbuf_adds(sb, " pp to ");
        rc |= pct(sb, now);
    }
    rc |= strbuf_adds(sb, ", ");
    return rc;
}

/* " When agents edit, they most often add “Apologise ...” (41 times,
 * removed 14), a habit the coach notes back.": the habit agents add most
 * in their edits, when a coach tip on it qualifies as advice (not one
 * whose replies were rejected more often). */
static int edit_habit_clause(const struct json_object *r, strbuf *sb)
{
    const struct json_object *best = NULL;
    double bestn = 0;
    size_t nh = jget_len(r, "edits.habits");
    for (size_t k = 0; k < nh; k++) {
        const struct json_object *h = json_object_array_get_idx(jget(r, "edits.habits"), k);
        double d = num(h, "added") - num(h, "removed");
        if (!isnan(d) && d > bestn) {
            best = h;
            bestn = d;
        }
    }
    if (!best)
        return 0;
    const char *feature = jget_str(best, "feature", "");
    size_t nt = jget_len(r, "coach.tips");
    for (size_t k = 0; k < nt; k++) {
        const struct json_object *t = json_object_array_get_idx(jget(r, "coach.tips"), k);
        if (strcmp(jget_str(t, "feature", ""), feature) || !json_object_get_boolean(jget(t, "qualifies")) ||
            (!strncmp(jget_str(t, "basis", ""), "shares", 6) && num(t, "lift") < 0))
            continue;
        int rc = strbuf_addf(sb, " When agents edit, they most often add " LQ "%s" RQ " (",
                             jget_str(best, "label", feature));
        rc |= cnt(sb, num(best, "added"));
        rc |= strbuf_adds(sb, " times, removed ");
        rc |= cnt(sb, num(best, "removed"));
        rc |= strbuf_adds(sb, "), a habit the coach notes back.");
        return rc;
    }
    return 0;
}

static int para_worked(const struct json_object *r, strbuf *sb)
{
    int rc = 0;
    size_t n = jget_len(r, "top_accepted");
    const struct json_object *top = jget(r, "top_accepted");
    if (!n) {
        return strbuf_adds(sb, "No suggestion was sent as is or after edits this week, so there is no "
                               "winning reply to point to.");
    }
    const struct json_object *a = json_object_array_get_idx(top, 0);
    size_t lead = sb->len;
    rc |= rate_lead(r, "use", "use", sb);
    rc |= strbuf_adds(sb, sb->len > lead ? "the reply agents used most was " : "The reply agents used most was ");
    rc |= quote(sb, jget_str(a, "reply", ""), QUOTE_LONG);
    rc |= strbuf_adds(sb, ": ");
    rc |= cnt(sb, num(a, "uses"));
    rc |= strbuf_adds(sb, " uses");
    double sug = num(a, "suggested");
    if (!isnan(sug) && sug > 0) {
        rc |= strbuf_adds(sb, " of ");
        rc |= cnt(sb, sug);
        rc |= strbuf_adds(sb, " suggestions (");
        double ur = jget_has(a, "use_rate") ? num(a, "use_rate") : num(a, "uses") / sug;
        rc |= pct(sb, ur);
        rc |= strbuf_adds(sb, ")");
    }
    double acc = num(a, "accepted"), ed = num(a, "edited");
    if (!isnan(acc) && !isnan(ed)) {
        rc |= strbuf_adds(sb, ", ");
        rc |= cnt(sb, acc);
        rc |= strbuf_adds(sb, " of them sent without an edit");
    }
    rc |= strbuf_adds(sb, ".");
    if (n >= 2) {
        const struct json_object *b = json_object_array_get_idx(top, 1);
        strbuf_setlen(sb, sb->len - 1);
        rc |= strbuf_adds(sb, "; next were ");
        rc |= quote(sb, jget_str(b, "reply", ""), QUOTE_SHORT);
        rc |= strbuf_adds(sb, " (");
        rc |= cnt(sb, num(b, "uses"));
        rc |= strbuf_adds(sb, " uses)");
        if (n >= 3) {
            const struct json_object *c = json_object_array_get_idx(top, 2);
            rc |= strbuf_adds(sb, " and ");
            rc |= quote(sb, jget_str(c, "reply", ""), QUOTE_SHORT);
            rc |= strbuf_adds(sb, " (");
            rc |= cnt(sb, num(c, "uses"));
            rc |= strbuf_adds(sb, ")");
        }
        rc |= strbuf_adds(sb, ".");
    }
    rc |= edit_habit_clause(r, sb);
    return rc;
}

/* What agents wrote instead of a rejected reply: as written, or (reports
 * made before that field) normalised. */
static const char *replacement_of(const struct json_object *a)
{
    const char *t = jget_str(a, "top_replacement_text", NULL);
    return t && *t ? t : jget_str(a, "top_replacement", NULL);
}

/* Loose equality of two reply texts: the same first 40 letters and
 * digits, case ignored. */
static bool same_reply(const char *x, const char *y)
{
    int k = 0;
    while (k < 40) {
        while (*x && !isalnum((unsigned char)*x))
            x++;
        while (*y && !isalnum((unsigned char)*y))
            y++;
        if (!*x || !*y)
            return !*x && !*y && k > 10;
        if (tolower((unsigned char)*x) != tolower((unsigned char)*y))
            return false;
        x++, y++, k++;
    }
    return true;
}

/* A reply the week's prompt update removed from its examples but that is
 * still among the most rejected or used replies. */
static int removed_but_suggested(const struct json_object *r, strbuf *sb)
{
    int rc = 0;
    size_t nu = jget_len(r, "retraining");
    static const char *const lists[] = { "top_rejected", "top_accepted" };
    for (size_t u = 0; u < nu; u++) {
        const struct json_object *up = json_object_array_get_idx(jget(r, "retraining"), u);
        size_t nr = jget_len(up, "examples_removed");
        for (size_t e = 0; e < nr; e++) {
            const char *ex = json_object_get_string(json_object_array_get_idx(jget(up, "examples_removed"), e));
            for (size_t l = 0; l < 2; l++) {
                size_t nt = jget_len(r, lists[l]);
                for (size_t k = 0; k < nt; k++) {
                    const struct json_object *t = json_object_array_get_idx(jget(r, lists[l]), k);
                    if (!ex || !same_reply(ex, jget_str(t, "reply", "")))
                        continue;
                    rc |= strbuf_addf(sb, " The %s update (%s) removed ", jget_str(up, "prompt_id", "prompt"),
                                      jget_str(up, "to_version", "new version"));
                    rc |= quote(sb, ex, QUOTE_SHORT);
                    rc |= strbuf_adds(sb, " from its examples, yet it is still ");
                    if (l == 0) {
                        rc |= strbuf_addf(sb, "the #%zu most rejected reply (", k + 1);
                        rc |= cnt(sb, num(t, "rejections"));
                        rc |= strbuf_adds(sb, " rejections of ");
                        rc |= cnt(sb, num(t, "suggested"));
                        rc |= strbuf_adds(sb, " suggestions).");
                    } else {
                        rc |= strbuf_addf(sb, "suggested and used (#%zu, ", k + 1);
                        rc |= cnt(sb, num(t, "uses"));
                        rc |= strbuf_adds(sb, " uses).");
                    }
                    return rc;
                }
            }
        }
    }
    return rc;
}

static int para_rejected(const struct json_object *r, strbuf *sb)
{
    int rc = 0;
    size_t n = jget_len(r, "top_rejected");
    const struct json_object *top = jget(r, "top_rejected");
    if (!n) {
        rc |= strbuf_adds(sb, "No suggestion was rejected this week");
    } else {
        const struct json_object *a = json_object_array_get_idx(top, 0);
        size_t lead = sb->len;
        rc |= rate_lead(r, "rejection", "rejection", sb);
        rc |= strbuf_adds(sb, sb->len > lead ? "the most rejected reply was " : "The most rejected reply was ");
        rc |= quote(sb, jget_str(a, "reply", ""), QUOTE_LONG);
        rc |= strbuf_adds(sb, ", turned down ");
        rc |= cnt(sb, num(a, "rejections"));
        double sug = num(a, "suggested");
        if (!isnan(sug) && sug > 0) {
            rc |= strbuf_adds(sb, " of ");
            rc |= cnt(sb, sug);
        }
        rc |= strbuf_adds(sb, " times");
        double mc = num(a, "mean_confidence"), all = num(r, "confidence.mean");
        if (!isnan(mc) && !isnan(all)) {
            rc |= strbuf_adds(sb, " at a mean confidence of ");
            rc |= dec(sb, mc);
            rc |= strbuf_adds(sb, mc >= all ? ", no lower than the week's " : " against the week's ");
            rc |= dec(sb, all);
        }
        const char *rep = replacement_of(a);
        double rn = num(a, "top_replacement_count");
        if (rep && *rep) {
            rc |= strbuf_adds(sb, "; agents wrote ");
            rc |= quote(sb, rep, QUOTE_SHORT);
            rc |= strbuf_adds(sb, " instead");
            if (!isnan(rn)) {
                rc |= strbuf_adds(sb, " ");
                rc |= cnt(sb, rn);
                rc |= strbuf_adds(sb, " of ");
                rc |= cnt(sb, num(a, "rejections"));
                rc |= strbuf_adds(sb, " times");
            }
        }
        rc |= strbuf_adds(sb, ".");
        rc |= removed_but_suggested(r, sb);
    }
    double vind = num(r, "coach.vindicated");
    if (!isnan(vind) && vind > 0) {
        if (n && sb->len && sb->buf[sb->len - 1] == '.')
            strbuf_setlen(sb, sb->len - 1);
        rc |= strbuf_adds(sb, n ? "; QA later corrected " : ". Yet QA later corrected ");
        rc |= cnt(sb, vind);
        rc |= strbuf_adds(sb, vind == 1 ? " human reply" : " human replies");
        rc |= strbuf_adds(sb, " back to close to what the AI had suggested.");
    } else if (!n) {
        rc |= strbuf_adds(sb, ", and no human override was later corrected toward the AI's wording.");
    }
    return rc;
}

/* "p = 0.012" / "p < 0.001" */
static int pval(strbuf *sb, double p)
{
    if (p < 0.001)
        return strbuf_adds(sb, "p < 0.001");
    return strbuf_adds(sb, "p = ") | numfmt_dec(sb, p, 3);
}

/* The drift sentence of a schema-2 report: what its verdict says (a
 * significant and large enough shift, none beyond chance, too few scores
 * to judge), with the tests and the sample sizes. */
static int drift_sentence(const struct json_object *r, const struct json_object *d, strbuf *sb)
{
    int rc = 0;
    const char *v = jget_str(d, "verdict", "none");
    if (!strcmp(v, "too_few")) {
        rc |= strbuf_adds(sb, " There are too few scores to judge drift (n = ");
        rc |= cnt(sb, num(d, "n"));
        rc |= strbuf_adds(sb, " this week, m = ");
        rc |= cnt(sb, num(d, "m"));
        rc |= strbuf_adds(sb, " last week; at least ");
        rc |= cnt(sb, num(d, "min_scores"));
        rc |= strbuf_adds(sb, " each are needed).");
        return rc;
    }
    rc |= strbuf_adds(sb, !strcmp(v, "large")   ? " The distribution of scores shifted a lot, beyond chance (PSI "
                          : !strcmp(v, "small") ? " The distribution of scores shifted, beyond chance but by a small amount (PSI "
                          : num(d, "psi_p") < num(d, "alpha") || num(d, "ks_p") < num(d, "alpha")
                              ? " The distribution of scores moved beyond chance, but too little to matter (PSI "
                              : " The distribution of scores did not shift beyond chance (PSI ");
    rc |= dec(sb, num(r, "confidence.psi"));
    rc |= strbuf_adds(sb, ", ");
    rc |= pval(sb, num(d, "psi_p"));
    rc |= strbuf_adds(sb, "; KS ");
    rc |= dec(sb, num(r, "confidence.ks"));
    rc |= strbuf_adds(sb, ", ");
    rc |= pval(sb, num(d, "ks_p"));
    rc |= strbuf_adds(sb, "; n = ");
    rc |= cnt(sb, num(d, "n"));
    rc |= strbuf_adds(sb, " scores this week, m = ");
    rc |= cnt(sb, num(d, "m"));
    rc |= strbuf_adds(sb, " last week, ");
    rc |= cnt(sb, num(d, "bins"));
    rc |= strbuf_adds(sb, strcmp(v, "none") ? " bins), worth a check of what changed in the traffic or the prompts."
                                            : " bins).");
    return rc;
}

static int para_confidence(const struct json_object *r, strbuf *sb)
{
    int rc = 0;
    double mean = num(r, "confidence.mean");
    if (isnan(mean))
        return strbuf_adds(sb, "No suggestion carried a confidence score this week, so calibration and "
                               "drift cannot be judged.");
    rc |= strbuf_adds(sb, "Mean confidence was ");
    rc |= dec(sb, mean);
    double prev = num(r, "confidence.previous_mean");
    double delta = num(r, "confidence.delta");
    if (isnan(delta) && !isnan(prev))
        delta = mean - prev;
    if (!isnan(prev) && !isnan(delta)) {
        const char *d = direction(delta, 0.0005);
        const char *cv = jget_str(r, "confidence.delta_verdict", NULL);
        double clo = num(r, "confidence.delta_ci.0"), chi = num(r, "confidence.delta_ci.1");
        if (!strcmp(d, "flat")) {
            rc |= strbuf_adds(sb, ", unchanged from the week before");
        } else if (cv && !strcmp(cv, "steady") && !isnan(clo) && !isnan(chi)) {
            rc |= strbuf_adds(sb, " against ");
            rc |= dec(sb, prev);
            rc |= strbuf_adds(sb, " the week before, a difference within chance (95% interval ");
            rc |= numfmt_signed(sb, clo, 3);
            rc |= strbuf_adds(sb, " to ");
            rc |= numfmt_signed(sb, chi, 3);
            rc |= strbuf_adds(sb, ")");
        } else {
            rc |= strbuf_addf(sb, ", %s ", d);
            rc |= dec(sb, fabs(delta));
            rc |= strbuf_adds(sb, " from ");
            rc |= dec(sb, prev);
            const char *v = jget_str(r, "confidence.delta_verdict", NULL);
            double lo = num(r, "confidence.delta_ci.0"), hi = num(r, "confidence.delta_ci.1");
            if (v && !strcmp(v, "steady") && !isnan(lo) && !isnan(hi)) {
                rc |= strbuf_adds(sb, ", within chance (95% interval ");
                rc |= numfmt_signed(sb, lo, 3);
                rc |= strbuf_adds(sb, " to ");
                rc |= numfmt_signed(sb, hi, 3);
                rc |= strbuf_adds(sb, ")");
            }
        }
    }
    rc |= strbuf_adds(sb, ".");
    double psi = num(r, "confidence.psi"), ks = num(r, "confidence.ks");
    const struct json_object *drift = jget(r, "confidence.drift");
    if (!isnan(psi) && drift && json_object_is_type(drift, json_type_object)) {
        rc |= drift_sentence(r, drift, sb);
    } else if (!isnan(psi)) {
        rc |= strbuf_addf(sb, " The distribution of scores %s (PSI ",
                          psi < 0.1 ? "barely moved" : psi < 0.25 ? "shifted moderately" : "shifted a lot");
        rc |= dec(sb, psi);
        if (!isnan(ks)) {
            rc |= strbuf_adds(sb, ", KS ");
            rc |= dec(sb, ks);
        }
        rc |= strbuf_adds(sb, psi < 0.1 ? ")." : "), worth a check of what changed in the traffic or the prompts.");
    } else {
        rc |= strbuf_adds(sb, " Drift cannot be measured without a previous week.");
    }
    double ece = num(r, "confidence.ece");
    if (!isnan(ece)) {
        rc |= strbuf_adds(sb, " The expected calibration error is ");
        rc |= dec(sb, ece);
        double pece = num(r, "previous.ece");
        if (!isnan(pece)) {
            rc |= strbuf_addf(sb, " (%s ", ece > pece + 0.0005 ? "worse than" : ece < pece - 0.0005 ? "better than" : "the same as");
            rc |= dec(sb, pece);
            rc |= strbuf_adds(sb, " last week)");
        }
    }
    /* the fullest calibration bin among the upper half: over- or under-confident? */
    size_t nb = jget_len(r, "confidence.calibration");
    const struct json_object *cal = jget(r, "confidence.calibration");
    const struct json_object *best = NULL;
    double bestn = 0;
    for (size_t k = 0; k < nb; k++) {
        const struct json_object *b = json_object_array_get_idx(cal, k);
        double bn = num(b, "n");
        if (!isnan(bn) && bn > bestn && !isnan(num(b, "acceptance")) && !isnan(num(b, "mean_confidence"))) {
            best = b;
            bestn = bn;
        }
    }
    if (best) {
        double mc = num(best, "mean_confidence"), ac = num(best, "acceptance");
        rc |= strbuf_adds(sb, isnan(ece) ? " In the busiest band, scores from " : "; in the busiest band, scores from ");
        rc |= numfmt_dec(sb, num(best, "lower"), 1);
        rc |= strbuf_adds(sb, " to ");
        rc |= numfmt_dec(sb, num(best, "upper"), 1);
        rc |= strbuf_adds(sb, ", ");
        rc |= pct(sb, ac);
        rc |= strbuf_adds(sb, " of suggestions were accepted at a mean confidence of ");
        rc |= dec(sb, mc);
        rc |= strbuf_adds(sb, mc > ac + 0.05 ? ": the model is overconfident there."
                          : mc < ac - 0.05 ? ": the model is more cautious than it needs to be."
                                           : ": scores and outcomes agree well.");
    } else if (!isnan(ece)) {
        rc |= strbuf_adds(sb, ".");
    }
    return rc;
}

/* "“delay” x4.3 (11 from 2), “late delivery” x3.0 (9 from 2) and ..." */
static int topic_list(const struct json_object *arr, size_t n, bool with_change, strbuf *sb)
{
    int rc = 0;
    size_t shown = n < 3 ? n : 3;
    for (size_t k = 0; k < shown; k++) {
        const struct json_object *t = json_object_array_get_idx(arr, k);
        if (k)
            rc |= strbuf_adds(sb, k + 1 == shown ? " and " : ", ");
        rc |= strbuf_addf(sb, LQ "%s" RQ " ", jget_str(t, "topic", ""));
        if (with_change) {
            rc |= strbuf_adds(sb, jget_str(t, "change", ""));
        } else {
            rc |= strbuf_adds(sb, "(");
            rc |= cnt(sb, num(t, "count"));
            rc |= strbuf_adds(sb, " messages)");
        }
    }
    return rc;
}


/* " (95% interval −1.2 to +3.4 pp" and tail, when both ends are known:
 * a change's Newcombe interval in points. 0, or -1 when out of memory. */
static int pp_interval(strbuf *sb, double lo, double hi, const char *tail)
{
    if (isnan(lo) || isnan(hi))
        return 0;
    int rc = strbuf_adds(sb, " (95% interval ");
    rc |= numfmt_signed(sb, lo * 100, 1);
    rc |= strbuf_adds(sb, " to ");
    rc |= numfmt_pp(sb, hi, 1);
    rc |= strbuf_adds(sb, tail);
    return rc;
}
/* " (12.5% to 27.8%)" of a share's interval at path, when known. */
static int share_interval(strbuf *sb, const struct json_object *o, const char *path)
{
    char p0[64], p1[64];
    snprintf(p0, sizeof p0, "%s.0", path);
    snprintf(p1, sizeof p1, "%s.1", path);
    double lo = num(o, p0), hi = num(o, p1);
    if (isnan(lo) || isnan(hi))
        return 0;
    int rc = strbuf_adds(sb, " (");
    rc |= pct(sb, lo);
    rc |= strbuf_adds(sb, " to ");
    rc |= pct(sb, hi);
    rc |= strbuf_adds(sb, ")");
    return rc;
}

/* " Most messages about “delay”, 80 of its 100 (80.0%, 95% interval ...),
 * were answered by “...”, the #2 most used reply: used 82.6% of the 109
 * times it was suggested (...) and rejected 10.1% (...).": the first
 * shown rising topic that one
 * reply group answered mostly (answered_by.mostly: the share's lower
 * bound above a half). */
static int answered_clause(const struct json_object *r, strbuf *sb)
{
    size_t nr = jget_len(r, "trends.rising");
    for (size_t k = 0; k < nr && k < 3; k++) {
        const struct json_object *t = json_object_array_get_idx(jget(r, "trends.rising"), k);
        const struct json_object *ab = jget(t, "answered_by");
        if (!ab || !json_object_get_boolean(jget(ab, "mostly")))
            continue;
        double m = num(ab, "messages"), n = num(ab, "sampled"), count = num(t, "count");
        int rc = strbuf_addf(sb, " Most messages about " LQ "%s" RQ ", ", jget_str(t, "topic", ""));
        rc |= cnt(sb, m);
        if (!isnan(count) && count > n) {
            rc |= strbuf_adds(sb, " of ");
            rc |= cnt(sb, n);
            rc |= strbuf_adds(sb, " sampled");
        } else {
            rc |= strbuf_adds(sb, " of its ");
            rc |= cnt(sb, n);
        }
        rc |= strbuf_adds(sb, " (");
        rc |= pct(sb, num(ab, "share"));
        double lo = num(ab, "share_ci.0"), hi = num(ab, "share_ci.1");
        if (!isnan(lo) && !isnan(hi)) {
            rc |= strbuf_adds(sb, ", 95% interval ");
            rc |= pct(sb, lo);
            rc |= strbuf_adds(sb, " to ");
            rc |= pct(sb, hi);
        }
        rc |= strbuf_adds(sb, "), were answered by ");
        rc |= quote(sb, jget_str(ab, "reply", ""), QUOTE_SHORT);
        double ra = num(ab, "top_accepted_rank"), rr = num(ab, "top_rejected_rank");
        if (!isnan(rr))
            rc |= strbuf_addf(sb, ", the #%lld most rejected reply", (long long)llround(rr));
        else if (!isnan(ra))
            rc |= strbuf_addf(sb, ", the #%lld most used reply", (long long)llround(ra));
        double sug = num(ab, "suggested");
        if (!isnan(sug) && sug > 0 && jget_has(ab, "use_rate") && !isnan(num(ab, "use_rate"))) {
            rc |= strbuf_adds(sb, ": used ");
            rc |= pct(sb, num(ab, "use_rate"));
            rc |= strbuf_adds(sb, " of the ");
            rc |= cnt(sb, sug);
            rc |= strbuf_adds(sb, sug == 1 ? " time it was suggested" : " times it was suggested");
            rc |= share_interval(sb, ab, "use_rate_ci");
            rc |= strbuf_adds(sb, " and rejected ");
            rc |= pct(sb, num(ab, "rejection_rate"));
            rc |= share_interval(sb, ab, "rejection_rate_ci");
        }
        rc |= strbuf_adds(sb, ".");
        return rc;
    }
    return 0;
}

static int para_trends(const struct json_object *r, strbuf *sb)
{
    int rc = 0;
    size_t nr = jget_len(r, "trends.rising"), nf = jget_len(r, "trends.falling");
    size_t nq = jget_len(r, "trends.frequent");
    if (nr) {
        rc |= strbuf_adds(sb, "Rising topics in customer messages were ");
        rc |= topic_list(jget(r, "trends.rising"), nr, true, sb);
        rc |= strbuf_adds(sb, ".");
        rc |= answered_clause(r, sb);
    }
    if (nf) {
        rc |= strbuf_adds(sb, nr ? " Falling: " : "Falling topics in customer messages were ");
        rc |= topic_list(jget(r, "trends.falling"), nf, true, sb);
        rc |= strbuf_adds(sb, ".");
    }
    if (!nr && !nf) {
        if (!jget_len(r, "trend_baseline.weeks") && nq) {
            rc |= strbuf_adds(sb, "With no earlier weeks to compare with, the most frequent topics were ");
            rc |= topic_list(jget(r, "trends.frequent"), nq, false, sb);
            rc |= strbuf_adds(sb, ".");
        } else {
            rc |= strbuf_adds(sb, "No topic in customer messages rose or fell clearly this week.");
        }
    }
    /* what to watch */
    size_t nu = jget_len(r, "retraining");
    const struct json_object *up = jget(r, "retraining");
    if (nu) {
        const struct json_object *u = json_object_array_get_idx(up, 0);
        double d = num(u, "impact.delta");
        double lo = num(u, "impact.delta_ci.0"), hi = num(u, "impact.delta_ci.1");
        const char *v = jget_str(u, "impact.verdict", NULL); /* schema 2 */
        rc |= strbuf_addf(sb, " The %s update", jget_str(u, "prompt_id", "prompt"));
        if (nu > 1)
            rc |= strbuf_addf(sb, " (one of %zu)", nu);
        if (!isnan(d) && v && !strcmp(v, "steady")) {
            rc |= strbuf_adds(sb, " moved acceptance by ");
            rc |= numfmt_dec(sb, fabs(d) * 100, 1);
            rc |= strbuf_adds(sb, " pp, within noise");
            rc |= pp_interval(sb, lo, hi, ")");
            rc |= strbuf_adds(sb, ": too early to judge.");
        } else if (!isnan(d)) {
            rc |= strbuf_adds(sb, d >= 0 ? " raised acceptance by " : " lowered acceptance by ");
            rc |= numfmt_dec(sb, fabs(d) * 100, 1);
            rc |= strbuf_adds(sb, " pp on its messages");
            rc |= pp_interval(sb, lo, hi, ", beyond chance)");
            rc |= strbuf_adds(sb, d >= 0 ? "." : ": a candidate to roll back.");
        } else {
            rc |= strbuf_adds(sb, ": its impact is not measurable yet.");
        }
    }
    /* confidence against calibration: a fall towards the observed
     * acceptance is good news */
    const char *cv = jget_str(r, "confidence.delta_verdict", NULL);
    double ece = num(r, "confidence.ece"), pece = num(r, "previous.ece");
    if (cv && strcmp(cv, "steady") && !isnan(ece) && !isnan(pece)) {
        bool better = ece < pece - 0.0005;
        rc |= strbuf_addf(sb, " Mean confidence moved %s while the calibration error went from ",
                          better ? "towards the observed acceptance" : "away from the observed acceptance");
        rc |= dec(sb, pece);
        rc |= strbuf_adds(sb, " to ");
        rc |= dec(sb, ece);
        rc |= strbuf_adds(sb, better ? ", so the scores are more honest than the week before."
                                     : ": check the scores before trusting them as a threshold.");
    } else if (!nu && !nr && !nf) {
        rc |= strbuf_adds(sb, " No prompt was updated, so there is no retraining effect to follow.");
    }
    return rc;
}

bool narrator_too_little(const struct json_object *report)
{
    double n = jget_double(report, "totals.suggestions", 0);
    return n < NARRATOR_MIN_SUGGESTIONS;
}

/* The short, honest narrative of a week with too little data. */
static int summary_short(const struct json_object *r, strbuf *sb)
{
    double n = num(r, "totals.suggestions");
    if (isnan(n) || n <= 0)
        return para_volume(r, sb);
    int rc = strbuf_addf(sb, "Week %s had only ", jget_str(r, "week", ""));
    rc |= cnt(sb, n);
    rc |= strbuf_adds(sb, n == 1 ? " reply suggestion" : " reply suggestions");
    rc |= strbuf_addf(sb, ", too little data to judge: with fewer than %d, a change in acceptance, confidence "
                          "or topics cannot be told from chance, so this digest draws no conclusions. The "
                          "counts are in the tables below.", NARRATOR_MIN_SUGGESTIONS);
    return rc;
}

int narrator_summary(const struct json_object *report, strbuf *out)
{
    if (narrator_too_little(report))
        return summary_short(report, out) ? -1 : 0;
    int (*const paras[])(const struct json_object *, strbuf *) = {
        para_volume, para_worked, para_rejected, para_confidence, para_trends
    };
    int rc = 0;
    for (size_t k = 0; k < 5 && !rc; k++) {
        if (k)
            rc |= strbuf_adds(out, "\n\n");
        rc |= paras[k](report, out);
    }
    return rc ? -1 : 0;
}

/* ---- self-summary ------------------------------------------------------ */

static int cmp_impact(const void *a, const void *b)
{
    const struct json_object *x = *(const struct json_object *const *)a;
    const struct json_object *y = *(const struct json_object *const *)b;
    double dx = fabs(jget_double(x, "impact.delta", 0)), dy = fabs(jget_double(y, "impact.delta", 0));
    if (dx != dy)
        return dx < dy ? 1 : -1;
    return strcmp(jget_str(x, "prompt_id", ""), jget_str(y, "prompt_id", ""));
}

int narrator_self_summary(const struct json_object *r, strbuf *sb)
{
    int rc = 0;
    size_t n = jget_len(r, "retraining");
    if (!n) {
        rc |= strbuf_adds(sb, "No prompt updates were made this week, so there are no training deltas to "
                              "explain: the assistant ran on the same prompts and examples as before.");
        if (jget_len(r, "top_rejected")) {
            rc |= strbuf_adds(sb, " The best candidate for the next update is ");
            rc |= quote(sb, jget_str(r, "top_rejected.0.reply", ""), 80);
            rc |= strbuf_adds(sb, ", the suggestion agents rejected most.");
        }
        return rc ? -1 : 0;
    }
    const struct json_object **ups = calloc(n, sizeof *ups);
    if (!ups)
        return -1;
    const struct json_object *arr = jget(r, "retraining");
    for (size_t k = 0; k < n; k++)
        ups[k] = json_object_array_get_idx(arr, k);
    qsort(ups, n, sizeof *ups, cmp_impact);
    if (n == 1)
        rc |= strbuf_adds(sb, "This week one prompt was updated.");
    else
        rc |= strbuf_addf(sb, "This week %s prompts were updated; they are listed by the size of their effect.",
                          n <= 10 ? (const char *[]){ "", "", "two", "three", "four", "five", "six", "seven",
                                                      "eight", "nine", "ten" }[n] : "many");
    size_t shown = n < 3 ? n : 3;
    for (size_t k = 0; k < shown; k++) {
        const struct json_object *u = ups[k];
        const char *theme = jget_str(u, "theme", NULL);
        const char *pid = jget_str(u, "prompt_id", "?");
        rc |= strbuf_adds(sb, k == 0 ? (n > 1 ? " The biggest change was on " : " It changed ")
                                     : (k == 1 ? " Next, " : " Then "));
        if (theme && *theme)
            rc |= strbuf_addf(sb, "the prompt for %s (%s", theme, pid);
        else
            rc |= strbuf_addf(sb, "the %s prompt (", pid);
        const char *fv = jget_str(u, "from_version", NULL), *tv = jget_str(u, "to_version", NULL);
        if (fv && tv)
            rc |= strbuf_addf(sb, "%s%s " ARROW " %s", theme && *theme ? ", " : "", fv, tv);
        else if (tv)
            rc |= strbuf_addf(sb, "%snow %s", theme && *theme ? ", " : "", tv);
        rc |= strbuf_adds(sb, ")");
        double b = num(u, "impact.before.acceptance"), a = num(u, "impact.after.acceptance");
        if (!isnan(b) && !isnan(a)) {
            const char *iv = jget_str(u, "impact.verdict", NULL); /* schema 2: the verdict decides */
            rc |= strbuf_addf(sb, ": its acceptance %s from ",
                              iv && !strcmp(iv, "steady") ? "went"
                              : a > b + 0.0005            ? "rose"
                              : a < b - 0.0005            ? "fell"
                                                          : "stayed flat, going");
            rc |= pct(sb, b);
            rc |= strbuf_adds(sb, " to ");
            rc |= pct(sb, a);
            double as = num(u, "impact.after.suggestions");
            if (!isnan(as)) {
                rc |= strbuf_adds(sb, " on ");
                rc |= cnt(sb, as);
                rc |= strbuf_adds(sb, " suggestions after the update");
            }
            const char *v = jget_str(u, "impact.verdict", NULL); /* schema 2 */
            if (v && !strcmp(v, "steady") && fabs(a - b) > 0.0005)
                rc |= strbuf_adds(sb, ", a change within what chance gives");
            rc |= strbuf_adds(sb, ".");
        } else {
            rc |= strbuf_adds(sb, ": its effect cannot be measured yet, for lack of suggestions on both "
                                  "sides of the update.");
        }
        const char *summary = jget_str(u, "summary", NULL);
        size_t added = jget_len(u, "examples_added"), removed = jget_len(u, "examples_removed");
        if (summary && *summary) {
            rc |= strbuf_adds(sb, " What changed: ");
            rc |= quote(sb, summary, 160);
            size_t sl = strlen(summary);
            while (sl && (summary[sl - 1] == ' ' || summary[sl - 1] == '\n'))
                sl--;
            if (!sl || !strchr(".!?", summary[sl - 1]) || strlen(summary) > 160)
                rc |= strbuf_adds(sb, ".");
        }
        if (added || removed) {
            rc |= strbuf_addf(sb, " %s example%s added and %s removed.",
                              added <= 10 ? (const char *[]){ "No", "One", "Two", "Three", "Four", "Five", "Six",
                                                              "Seven", "Eight", "Nine", "Ten" }[added] : "Many",
                              added == 1 ? " was" : "s were",
                              removed <= 10 ? (const char *[]){ "none", "one", "two", "three", "four", "five",
                                                                "six", "seven", "eight", "nine", "ten" }[removed]
                                            : "many");
        }
        double overall = num(r, "rates.acceptance");
        if (k == 0 && !isnan(b) && !isnan(overall)) {
            if (b < overall) {
                rc |= strbuf_adds(sb, " The change was needed because before it only ");
                rc |= pct(sb, b);
                rc |= strbuf_adds(sb, " of these suggestions were accepted, below the overall ");
                rc |= pct(sb, overall);
                rc |= strbuf_adds(sb, ".");
            } else {
                rc |= strbuf_adds(sb, " These messages were already accepted more often than average (");
                rc |= pct(sb, overall);
                rc |= strbuf_adds(sb, "); the update refined their wording rather than fixing a failure.");
            }
        }
    }
    if (n > shown)
        rc |= strbuf_adds(sb, " The other updates had smaller effects.");
    free(ups);
    return rc ? -1 : 0;
}

/* ---- coach notes ------------------------------------------------------- */

/* The label of a tip ("This habit" when it has none). */
static const char *tip_label(const struct json_object *t)
{
    const char *label = jget_str(t, "label", NULL);
    if (!label || !*label)
        label = jget_str(t, "feature", NULL);
    return label && *label ? label : "This habit";
}

/* "30.5% (95% interval 28.3% to 32.8%, n = 1,626)" of a share, with its
 * interval and n when the report has them (a report of schema 1 has not). */
static int share_ev(strbuf *sb, const struct json_object *t, const char *share, const char *ci, const char *n,
                    bool level)
{
    int rc = pct(sb, num(t, share));
    char lo[64], hi[64];
    snprintf(lo, sizeof lo, "%s.0", ci);
    snprintf(hi, sizeof hi, "%s.1", ci);
    double l = num(t, lo), h = num(t, hi), nn = num(t, n);
    if (isnan(nn))
        return rc;
    rc |= strbuf_adds(sb, " (");
    if (!isnan(l) && !isnan(h)) {
        rc |= strbuf_adds(sb, level ? "95% interval " : "");
        rc |= pct(sb, l);
        rc |= strbuf_adds(sb, " to ");
        rc |= pct(sb, h);
        rc |= strbuf_adds(sb, ", ");
    }
    rc |= strbuf_adds(sb, "n = ");
    rc |= cnt(sb, nn);
    rc |= strbuf_adds(sb, ")");
    return rc;
}

/* "p = 0.240" or "p < 0.01" (below the level that settles a habit), and
 * the same for q against its level. */
static int pq_ev(strbuf *sb, const struct json_object *r, const char *pname, double p, const char *qname, double q)
{
    int rc = strbuf_addf(sb, "%s ", pname);
    double settle = num(r, "coach.settle_p"), level = num(r, "coach.q_level");
    if (!isnan(settle) && p < settle) {
        rc |= strbuf_adds(sb, "< ");
        rc |= numfmt_dec(sb, settle, 2);
    } else {
        rc |= strbuf_adds(sb, "= ");
        rc |= dec(sb, p);
    }
    rc |= strbuf_addf(sb, ", %s ", qname);
    if (!isnan(level) && q < level) {
        rc |= strbuf_adds(sb, "< ");
        rc |= numfmt_dec(sb, level, 2);
    } else {
        rc |= strbuf_adds(sb, "= ");
        rc |= dec(sb, q);
    }
    return rc;
}

/* The two shares of a tip: "appears in A of the replies that worked and in
 * B of the rejected ones, a difference of D". */
static int shares_ev(strbuf *sb, const struct json_object *r, const struct json_object *t, bool lower)
{
    int rc = strbuf_adds(sb, lower ? "it appears in " : "It appears in ");
    rc |= share_ev(sb, t, "ai_win_share", "ai_win_share_ci", "worked_n", jget_has(r, "coach.ci_level"));
    rc |= strbuf_adds(sb, " of the replies that worked (sent as is or vindicated by QA) and in ");
    rc |= share_ev(sb, t, "rejected_share", "rejected_share_ci", "rejected_n", false);
    rc |= strbuf_adds(sb, " of the rejected ones, a difference of ");
    rc |= numfmt_dec(sb, fabs(num(t, "lift")) * 100, 1);
    rc |= strbuf_adds(sb, " pp");
    if (!isnan(num(t, "p")) && !isnan(num(t, "q"))) {
        rc |= strbuf_adds(sb, " (");
        rc |= pq_ev(sb, r, "p", num(t, "p"), "adjusted q", num(t, "q"));
        rc |= strbuf_adds(sb, ")");
    }
    return rc;
}

/* A habit the evidence backs: what it is, its evidence, an example. */
static int note_qualifying(const struct json_object *r, const struct json_object *t, strbuf *sb)
{
    int rc = 0;
    const char *basis = jget_str(t, "basis", "");
    double lift = num(t, "lift");
    bool shares = !strncmp(basis, "shares", 6);
    if (shares && lift < 0)
        rc |= strbuf_addf(sb, "Use with care: %s. ", tip_label(t));
    else
        rc |= strbuf_addf(sb, "%s. ", tip_label(t));
    if (shares) {
        rc |= shares_ev(sb, r, t, false);
        rc |= strbuf_adds(sb, lift < 0 ? ": replies with it were rejected more often, beyond chance."
                                       : ": more common in the replies that worked, beyond chance.");
    }
    if (strstr(basis, "edits")) {
        rc |= strbuf_adds(sb, shares ? " Agents who edited a suggestion also added it " : "Agents who edited a suggestion added it ");
        rc |= cnt(sb, num(t, "edits_added"));
        rc |= strbuf_adds(sb, " times and removed it ");
        rc |= cnt(sb, num(t, "edits_removed"));
        rc |= strbuf_adds(sb, " times (sign test ");
        rc |= pq_ev(sb, r, "p", num(t, "edits_p"), "adjusted q", num(t, "edits_q"));
        rc |= strbuf_adds(sb, "): add it where the assistant leaves it out.");
    }
    const char *ex = jget_str(t, "example", NULL);
    if (ex && *ex && !(shares && lift < 0)) {
        if (sb->len && sb->buf[sb->len - 1] == '.')
            strbuf_setlen(sb, sb->len - 1);
        rc |= strbuf_adds(sb, ", as in ");
        rc |= quote(sb, ex, QUOTE_LONG);
        rc |= strbuf_adds(sb, ".");
    }
    return rc;
}

/* A habit the evidence does not back: said to be weak evidence, with its
 * numbers and what would settle it. */
static int note_weak(const struct json_object *r, const struct json_object *t, strbuf *sb)
{
    int rc = strbuf_addf(sb, "No advice on %s" "%s" "%s this week, as the evidence is weak: ", LQ, tip_label(t), RQ);
    double lift = num(t, "lift"), more = num(t, "more_replies"), min = num(r, "coach.min_lift");
    if (isnan(lift) || isnan(num(t, "ai_win_share")) || isnan(num(t, "rejected_share"))) {
        rc |= strbuf_adds(sb, "too few replies were sent as is or rejected to compare its shares.");
        if (!isnan(more)) {
            rc |= strbuf_adds(sb, " About ");
            rc |= cnt(sb, more);
            rc |= strbuf_adds(sb, " more replies would settle it.");
        }
        return rc;
    }
    rc |= shares_ev(sb, r, t, true);
    rc |= strbuf_adds(sb, ", which could be chance or too small to matter.");
    if (isnan(more) || isnan(min))
        return rc;
    if (fabs(lift) >= min) {
        if (more > 0) {
            rc |= strbuf_adds(sb, " About ");
            rc |= cnt(sb, more);
            rc |= strbuf_adds(sb, " more replies with the same shares would settle it.");
        } else {
            rc |= strbuf_adds(sb, " Another week like this one, with the same shares, would settle it.");
        }
    } else {
        rc |= strbuf_adds(sb, " Only a difference of ");
        rc |= numfmt_dec(sb, min * 100, 0);
        rc |= strbuf_adds(sb, " pp or more counts; ");
        if (more <= 0) {
            rc |= strbuf_adds(sb, "a week of this size (");
            rc |= cnt(sb, num(r, "coach.replies_tested"));
            rc |= strbuf_adds(sb, " replies) would show one.");
        } else {
            rc |= strbuf_adds(sb, "showing one would take about ");
            rc |= cnt(sb, more);
            rc |= strbuf_adds(sb, " more replies.");
        }
    }
    return rc;
}

int narrator_coach_notes(const struct json_object *r, strbuf notes[3])
{
    int rc = 0;
    if (narrator_too_little(r))
        return strbuf_addf(&notes[0], "Too little data to judge any habit of the replies this week (fewer than "
                                      "%d suggestions): no coach notes.", NARRATOR_MIN_SUGGESTIONS) < 0 ? -1 : 0;
    size_t k = 0;
    size_t nt = jget_len(r, "coach.tips");
    const struct json_object *tips = jget(r, "coach.tips");
    /* the habits the evidence backs (coach.tips[].qualifies) first */
    for (size_t i = 0; i < nt && k < 3; i++) {
        const struct json_object *t = json_object_array_get_idx(tips, i);
        if (json_object_get_boolean(jget(t, "qualifies")))
            rc |= note_qualifying(r, t, &notes[k++]);
    }
    /* then the others, said to be weak evidence, never as a finding */
    for (size_t i = 0; i < nt && k < 3; i++) {
        const struct json_object *t = json_object_array_get_idx(tips, i);
        if (!json_object_get_boolean(jget(t, "qualifies")))
            rc |= note_weak(r, t, &notes[k++]);
    }
    static const char *const untested[] = {
        "The evidence this week is weak: no habit of the replies could be tested.",
        ("No advice on phrasing this week: it takes replies sent as is and rejected replies to compare, "
         "and edited replies to see what agents add."),
        "What would settle it: a week with enough replies sent as is, rejected and edited to test each habit.",
    };
    for (size_t g = 0; k < 3; g++)
        rc |= strbuf_adds(&notes[k++], untested[g]);
    return rc ? -1 : 0;
}
