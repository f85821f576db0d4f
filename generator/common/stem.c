#include "common/stem.h"

#include <libstemmer.h>
#include <limits.h>
#include <stdlib.h>

struct stemmer {
    struct sb_stemmer *sb;
};

aid_err stem_new(stemmer **out, aid_errbuf *eb)
{
    *out = NULL;
    stemmer *s = calloc(1, sizeof *s);
    if (!s)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    /* "english" is Snowball's English (Porter2) stemmer; NULL = UTF-8. It is
     * always compiled into libstemmer, so NULL here means no memory. */
    s->sb = sb_stemmer_new("english", NULL);
    if (!s->sb) {
        free(s);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    *out = s;
    return AID_OK;
}

void stem_free(stemmer *s)
{
    if (!s)
        return;
    sb_stemmer_delete(s->sb);
    free(s);
}

int stem_word(stemmer *s, const char *word, size_t len, const char **stem, size_t *stem_len)
{
    if (len > INT_MAX) { /* never a word of a message line; keep it as it is */
        *stem = word;
        *stem_len = len;
        return 0;
    }
    const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)word, (int)len);
    if (!r)
        return -1;
    *stem = (const char *)r;
    *stem_len = (size_t)sb_stemmer_length(s->sb);
    return 0;
}
