/*
 * tmplload.c - reading and parsing template files (tmplload.h).
 */
#include "common/tmpl/tmplload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fsutil.h"
#include "common/strbuf.h"
#include "common/tmpl/tmplparse.h"

/* Read a regular file whole. 0, or -1 with errno. */
static int read_regular(const char *path, char **data, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    struct stat st;
    char *buf = NULL;
    *data = NULL;
    if (!fp)
        return -1;
    if (fstat(fileno(fp), &st) < 0)
        goto fail;
    if (!S_ISREG(st.st_mode)) {
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        goto fail;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        errno = ENOMEM;
        goto fail;
    }
    size_t n = st.st_size ? fread(buf, 1, (size_t)st.st_size, fp) : 0;
    if (n != (size_t)st.st_size) {
        errno = EIO;
        goto fail;
    }
    buf[n] = '\0';
    fclose(fp);
    *data = buf;
    *len = n;
    return 0;
fail:;
    int saved = errno;
    free(buf);
    fclose(fp);
    errno = saved;
    return -1;
}

char *tmplload_dir_of(const char *name)
{
    const char *sl = strrchr(name, '/');
    return sl ? strndup(name, (size_t)(sl - name)) : strdup("");
}

aid_err tmplload_safe(tmpl_engine *e, const char *rel, tmpl **out, aid_errbuf *eb,
                      const char *from, int from_line)
{
    char where[600] = "";
    if (from)
        snprintf(where, sizeof where, "%s:%d: ", from, from_line);
    uint32_t h = tmplmap_hash(rel);
    tmplmap_ent *ce = tmplmap_find(&e->cache, rel, h);
    if (ce) {
        *out = ce->val;
        return AID_OK;
    }
    if (rel[0] == '/' || !rel[0])
        return aid_errbuf_set(eb, AID_ERR_TEMPLATE,
                              "%stemplate name \"%s\" must be relative to the template root", where,
                              rel);
    if (!e->root_real && !(e->root_real = realpath(e->root, NULL)))
        return errno == ENOMEM
                   ? aid_errbuf_set(eb, AID_ERR_NOMEM, "%stemplate root %s: out of memory", where,
                                    e->root)
                   : aid_errbuf_set(eb, AID_ERR_IO, "%stemplate root %s: %s", where, e->root,
                                    strerror(errno));
    strbuf path = STRBUF_INIT;
    char *real = NULL, *text = NULL;
    size_t len = 0;
    aid_err err = AID_OK;
    tmpl *t = NULL;
    if (fsutil_join(&path, e->root, rel) < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (!(real = realpath(path.buf, NULL))) {
        if (errno == ENOMEM) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s%s: out of memory", where, rel);
            goto cleanup;
        }
        err = aid_errbuf_set(eb, AID_ERR_TEMPLATE, "%scannot read template %s: %s", where, rel,
                             strerror(errno));
        goto cleanup;
    }
    size_t rl = strlen(e->root_real);
    if (strncmp(real, e->root_real, rl) != 0 || (real[rl] != '/' && !(rl == 1 && real[0] == '/'))) {
        err = aid_errbuf_set(eb, AID_ERR_TEMPLATE, "%stemplate %s is outside the template root %s",
                             where, rel, e->root);
        goto cleanup;
    }
    if (read_regular(real, &text, &len) < 0) {
        if (errno == ENOMEM)
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s%s: out of memory", where, rel);
        else
            err = aid_errbuf_set(eb, AID_ERR_TEMPLATE, "%scannot read template %s: %s", where,
                                 rel, strerror(errno));
        goto cleanup;
    }
    if (strlen(text) != len) {
        err = aid_errbuf_set(eb, AID_ERR_TEMPLATE, "%s:%d: template contains a NUL byte", rel, 1);
        goto cleanup;
    }
    if ((err = tmplparse_template(e, rel, text, len, -1, &t, eb)))
        goto cleanup;
    if (!(t->dir = tmplload_dir_of(rel))) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (!(ce = tmplmap_slot(&e->cache, rel, h))) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    ce->val = t;
    *out = t;
    t = NULL;
cleanup:
    tmpltree_free(t);
    free(text);
    free(real);
    strbuf_release(&path);
    return err;
}

aid_err tmplload_compat(tmpl_engine *e, const char *name, int depth, tmpl **out, aid_errbuf *eb)
{
    strbuf path = STRBUF_INIT;
    char *text = NULL;
    size_t len = 0;
    aid_err err;
    int rc;
    *out = NULL;
    if (name[0] == '/' || !strcmp(e->root, "."))
        rc = strbuf_adds(&path, name);
    else
        rc = fsutil_join(&path, e->root, name);
    if (rc < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (read_regular(path.buf, &text, &len) < 0) {
        if (errno == ENOMEM) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        if (e->errout)
            fprintf(e->errout, "C Template library: failed to read template from file \"%s\"\n",
                    name);
        err = aid_errbuf_set(eb, AID_ERR_TEMPLATE, "failed to read template from file \"%s\"",
                             name);
        goto cleanup;
    }
    /* C Template works on C strings: a NUL byte ends the template. */
    err = tmplparse_template(e, name, text, strlen(text), depth, out, eb);
cleanup:
    free(text);
    strbuf_release(&path);
    return err;
}
