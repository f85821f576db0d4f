#include "common/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The error for a failed system call: a kernel or libc out of memory
 * (fopen's buffer, nftw's stack) is AID_ERR_NOMEM, anything else a read or
 * write error (a full disk is one, naming the file). */
static aid_err sys_fail(aid_errbuf *eb, const char *path, const char *what)
{
    int e = errno;
    if (e == ENOMEM)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path);
    return aid_errbuf_set(eb, e == ENOENT && !strcmp(what, "read") ? AID_ERR_NOTFOUND : AID_ERR_IO,
                          "%s: cannot %s: %s", path, what, strerror(e));
}

aid_err fsutil_mkdirs(const char *path, aid_errbuf *eb)
{
    strbuf sb = STRBUF_INIT;
    if (strbuf_adds(&sb, path) < 0)
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    for (size_t i = 1; i <= sb.len; i++) {
        if (i == sb.len || sb.buf[i] == '/') {
            char saved = sb.buf[i];
            sb.buf[i] = '\0';
            if (mkdir(sb.buf, 0777) < 0 && errno != EEXIST) {
                aid_err e = aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot create directory: %s",
                                           sb.buf, strerror(errno));
                strbuf_release(&sb);
                return e;
            }
            sb.buf[i] = saved;
        }
    }
    strbuf_release(&sb);
    if (!fsutil_is_dir(path))
        return aid_errbuf_set(eb, AID_ERR_IO, "%s: not a directory", path);
    return AID_OK;
}

int fsutil_tmp_path(const char *path, strbuf *out)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    strbuf_reset(out);
    if (strbuf_add(out, path, dirlen) < 0 ||
        strbuf_addf(out, ".%s.tmp.%ld", path + dirlen, (long)getpid()) < 0)
        return -1;
    return 0;
}

static int fsutil_fsync_dir(const char *path)
{
    strbuf d = STRBUF_INIT;
    if (strbuf_adds(&d, path) < 0)
        return -1;
    char *dir = dirname(d.buf);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    strbuf_release(&d);
    return 0;
}

aid_err fsutil_commit_tmp(const char *tmp, const char *path, aid_errbuf *eb)
{
    int fd = open(tmp, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    if (rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot write: %s", path, strerror(e));
    }
    fsutil_fsync_dir(path);
    return AID_OK;
}

aid_err fsutil_write_atomic(const char *path, const void *data, size_t len, aid_errbuf *eb)
{
    fsutil_afile af;
    aid_err err = fsutil_afile_open(&af, path, eb);
    if (err)
        return err;
    if (len && fwrite(data, 1, len, af.fp) != len) {
        int e = errno;
        fsutil_afile_abort(&af);
        return aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot write: %s", path, strerror(e));
    }
    return fsutil_afile_commit(&af, eb);
}

aid_err fsutil_read_file(const char *path, char **data, size_t *len, aid_errbuf *eb)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return sys_fail(eb, path, "read");
    strbuf sb = STRBUF_INIT;
    char chunk[65536];
    size_t n;
    aid_err err = AID_OK;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (strbuf_add(&sb, chunk, n) < 0) {
            err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path);
            goto cleanup;
        }
    }
    if (ferror(fp)) {
        err = sys_fail(eb, path, "read");
        goto cleanup;
    }
    *data = strbuf_detach(&sb, len);
    if (!*data)
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "%s: out of memory", path);
cleanup:
    strbuf_release(&sb);
    fclose(fp);
    return err;
}

bool fsutil_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

bool fsutil_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

aid_err fsutil_afile_open(fsutil_afile *af, const char *path, aid_errbuf *eb)
{
    strbuf tmp = STRBUF_INIT;
    af->fp = NULL;
    af->tmp = NULL;
    af->path = strdup(path);
    if (!af->path || fsutil_tmp_path(path, &tmp) < 0) {
        strbuf_release(&tmp);
        fsutil_afile_abort(af);
        return aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
    }
    af->tmp = strbuf_detach(&tmp, NULL);
    af->fp = fopen(af->tmp, "wb");
    if (!af->fp) {
        aid_err e = sys_fail(eb, path, "write");
        fsutil_afile_abort(af);
        return e;
    }
    return AID_OK;
}

aid_err fsutil_afile_commit(fsutil_afile *af, aid_errbuf *eb)
{
    aid_err err = AID_OK;
    int bad = ferror(af->fp);
    if (fclose(af->fp) != 0 || bad) {
        err = sys_fail(eb, af->path, "write");
        unlink(af->tmp);
    } else {
        err = fsutil_commit_tmp(af->tmp, af->path, eb);
    }
    af->fp = NULL;
    free(af->tmp);
    free(af->path);
    af->tmp = af->path = NULL;
    return err;
}

void fsutil_afile_abort(fsutil_afile *af)
{
    if (af->fp) {
        fclose(af->fp);
        if (af->tmp)
            unlink(af->tmp);
    }
    free(af->tmp);
    free(af->path);
    af->fp = NULL;
    af->tmp = af->path = NULL;
}

int fsutil_join(strbuf *out, const char *dir, const char *name)
{
    strbuf_reset(out);
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    if (strbuf_add(out, dir, dl) < 0)
        return -1;
    if (dl && dir[dl - 1] != '/' && strbuf_addc(out, '/') < 0)
        return -1;
    return strbuf_adds(out, name);
}

int fsutil_exe_dir(strbuf *out)
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    strbuf_reset(out);
    return strbuf_adds(out, buf);
}

static int fsutil_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

aid_err fsutil_remove_tree(const char *path, aid_errbuf *eb)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? AID_OK
                               : aid_errbuf_set(eb, AID_ERR_IO, "%s: %s", path, strerror(errno));
    if (nftw(path, fsutil_rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
        return sys_fail(eb, path, "remove");
    return AID_OK;
}

aid_err fsutil_replace_dir(const char *from, const char *to, aid_errbuf *eb)
{
    strbuf old = STRBUF_INIT;
    aid_err err = AID_OK;
    bool moved = false;
    if (fsutil_tmp_path(to, &old) < 0 || strbuf_adds(&old, ".old") < 0) {
        err = aid_errbuf_set(eb, AID_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (rename(to, old.buf) == 0) {
        moved = true;
    } else if (errno != ENOENT) {
        err = aid_errbuf_set(eb, AID_ERR_IO, "%s: cannot replace: %s", to, strerror(errno));
        goto cleanup;
    }
    if (rename(from, to) < 0) {
        err = sys_fail(eb, to, "write");
        if (moved)
            rename(old.buf, to); /* put the old one back */
        goto cleanup;
    }
    fsutil_fsync_dir(to);
    if (moved) /* the new one is in place; an old one left behind is still an error */
        err = fsutil_remove_tree(old.buf, eb);
cleanup:
    strbuf_release(&old);
    return err;
}
