#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fsutil.h"
#include "compute/history.h"
#include "read/read.h"
#include "tap.h"

static char dir[] = "/tmp/aidigest-history.XXXXXX";

static void terms(const char *week, int64_t messages, const char *const *k, const int64_t *v, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, week);
    mkdir(path, 0777);
    strmap *m = strmap_new(sizeof(agg_term));
    strmap *w = strmap_new(sizeof(agg_word));
    for (size_t i = 0; i < n; i++) {
        *(int64_t *)strmap_upsert(m, k[i], strlen(k[i]), NULL) = v[i];
        if (!strchr(k[i], ' ')) { /* each word its own only form */
            agg_word *wd = strmap_upsert(w, k[i], strlen(k[i]), NULL);
            wd->count = v[i];
            wd->stem = strdup(k[i]);
            wd->stem_len = strlen(k[i]);
        }
    }
    snprintf(path, sizeof path, "%s/%s/terms.json", dir, week);
    history_write_terms(path, week, messages, m, w, NULL);
    for (size_t i = 0; i < strmap_capacity(w); i++) {
        void *val;
        if (strmap_slot(w, i, NULL, NULL, &val))
            free(((agg_word *)val)->stem);
    }
    strmap_free(w);
    strmap_free(m);
}

static int64_t get(const strmap *m, const char *k)
{
    int64_t *v = m ? strmap_get(m, k, strlen(k)) : NULL;
    return v ? *v : -1;
}

int main(void)
{
    ok(mkdtemp(dir) != NULL, "a temporary directory");
    const char *k1[] = { "refund", "delay", "zero", "gift card" };
    const int64_t v1[] = { 10, 2, 0, 4 };
    terms("2026-W45", 100, k1, v1, 4);
    const char *k2[] = { "refund", "late" };
    const int64_t v2[] = { 5, 7 };
    terms("2026-W46", 80, k2, v2, 2);
    terms("2026-W48", 999, k2, v2, 2); /* after the week: not history */
    char path[256];
    snprintf(path, sizeof path, "%s/2026-W46/report.json", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"week\":\"2026-W46\",\"totals\":{\"suggestions\":3}}", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/2026-W45/terms.json", dir);
    char *data = NULL;
    size_t len;
    fsutil_read_file(path, &data, &len, NULL);
    ok(data && strstr(data, "\"zero\"") == NULL, "terms with count 0 are not stored");
    ok(data && strstr(data, "\"terms\":{\"delay\":2,\"refund\":10}") != NULL, "terms are stored sorted");
    ok(data && strstr(data, "\"format\":2") != NULL, "format 2");
    ok(data && strstr(data, "\"phrases\":{\"gift card\":4}") != NULL, "phrases apart from the words");
    ok(data && strstr(data, "\"surfaces\":{\"delay\":{\"delay\":2},\"refund\":{\"refund\":10}}") != NULL,
       "the words' forms by stem");
    free(data);

    history h;
    is_int(history_load(&h, dir, "2026-W47", stderr, NULL), AID_OK, "load the history of W47");
    ok(h.prev_report != NULL, "the previous week's report");
    is_int(h.baseline_messages, 180, "baseline messages summed over earlier weeks");
    is_int(get(h.baseline_terms, "refund"), 15, "baseline counts summed");
    is_int(get(h.baseline_terms, "late"), 7, "a term of one week");
    is_int(get(h.baseline_terms, "gift card"), 4, "a phrase");
    is_int(h.baseline_phrase_messages, 180, "both weeks count phrases");
    ok(h.prev_has_phrases, "the previous week counts phrases");
    is_int(get(h.baseline_surfaces, "refund\trefund"), 15, "forms summed");
    is_int(json_object_array_length(h.converted_weeks), 0, "nothing converted");
    is_int(get(h.prev_terms, "refund"), 5, "the previous week's own counts");
    is_int(get(h.prev_terms, "delay"), -1, "a term the previous week lacks");
    is_int(json_object_array_length(h.baseline_weeks), 2, "two baseline weeks");
    is_str(json_object_get_string(json_object_array_get_idx(h.baseline_weeks, 0)), "2026-W45", "oldest first");
    history_release(&h);

    is_int(history_load(&h, dir, "2026-W46", stderr, NULL), AID_OK, "load the history of W46");
    ok(h.prev_report == NULL, "W45 has no report.json: no previous report");
    is_int(get(h.prev_terms, "refund"), 10, "but its terms");
    is_int(h.baseline_messages, 100, "only W45 is earlier");
    history_release(&h);

    snprintf(path, sizeof path, "%s/2026-W44", dir);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/2026-W44/terms.json", dir);
    f = fopen(path, "w");
    fputs("{\"week\":\"2026-W44\",\"messages\":-50,\"terms\":{\"refund\":-9,\"late\":\"x\"}}", f);
    fclose(f);
    is_int(history_load(&h, dir, "2026-W47", stderr, NULL), AID_OK, "a damaged earlier terms.json does not stop it");
    is_int(h.baseline_messages, 180, "negative messages are not counted");
    is_int(get(h.baseline_terms, "refund"), 15, "nor negative or non-numeric counts");
    history_release(&h);

    /* the first format (no "format"): words stemmed, counts summed up to the week's messages */
    snprintf(path, sizeof path, "%s/2026-W44/terms.json", dir);
    f = fopen(path, "w");
    fputs("{\"week\":\"2026-W44\",\"messages\":10,\"terms\":{\"delay\":3,\"delayed\":4,\"refunds\":6,\"refund\":5}}", f);
    fclose(f);
    is_int(history_load(&h, dir, "2026-W45", stderr, NULL), AID_OK, "a first-format terms.json is read");
    is_int(get(h.baseline_terms, "delay"), 7, "delay + delayed = 7 under the stem");
    is_int(get(h.baseline_terms, "refund"), 10, "refunds + refund = 11, at most the 10 messages");
    is_int(get(h.baseline_surfaces, "delay\tdelayed"), 4, "each word a form of its stem");
    is_int(h.baseline_messages, 10, "its messages count for words");
    is_int(h.baseline_phrase_messages, 0, "but not for phrases");
    ok(!h.prev_has_phrases, "the previous week has no phrases");
    is_int(json_object_array_length(h.converted_weeks), 1, "listed as converted");
    history_release(&h);
    fclose(fopen(path, "w"));
    f = fopen(path, "w");
    fputs("{\"week\":\"2026-W44\",\"format\":7,\"messages\":10,\"terms\":{\"delay\":3}}", f);
    fclose(f);
    is_int(history_load(&h, dir, "2026-W45", stderr, NULL), AID_OK, "an unknown format does not stop it");
    is_int(json_object_array_length(h.baseline_weeks), 0, "and is skipped");
    history_release(&h);

    is_int(history_load(&h, "/nonexistent/out", "2026-W47", stderr, NULL), AID_OK, "a missing archive is no error");
    is_int(h.baseline_messages, 0, "and has no baseline");
    history_release(&h);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ok(system(cmd) == 0, "clean up");
    return tap_done();
}
