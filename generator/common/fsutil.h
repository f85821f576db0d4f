/*
 * fsutil.h - files written atomically, directories, whole-file reads.
 *
 * Every output of aidigest is written to a temporary name beside its final
 * path and renamed into place, so a reader (or a crash) never sees a
 * half-written file.
 */
#ifndef AID_FSUTIL_H
#define AID_FSUTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include "common/err.h"
#include "common/strbuf.h"

/* mkdir -p. */
AID_MUST_CHECK aid_err fsutil_mkdirs(const char *path, aid_errbuf *eb);

/* Write data to path atomically (temporary file, fsync, rename). */
AID_MUST_CHECK aid_err fsutil_write_atomic(const char *path, const void *data, size_t len, aid_errbuf *eb);

/* Read a whole file. *data is malloc'd, NUL-terminated; the caller frees. */
AID_MUST_CHECK aid_err fsutil_read_file(const char *path, char **data, size_t *len, aid_errbuf *eb);

bool fsutil_exists(const char *path);
bool fsutil_is_dir(const char *path);

/* Build the temporary name used for path (".<name>.tmp.<pid>" beside it). */
AID_MUST_CHECK int fsutil_tmp_path(const char *path, strbuf *out);

/* fsync and rename tmp onto path; on failure tmp is removed. For libraries
 * that write a file themselves (libharu, libxlsxwriter): let them write to
 * fsutil_tmp_path(path), then call this. */
AID_MUST_CHECK aid_err fsutil_commit_tmp(const char *tmp, const char *path, aid_errbuf *eb);

/* A stdio stream that becomes `path` only when committed.
 *   fsutil_afile af;
 *   fsutil_afile_open(&af, path, eb); fprintf(af.fp, ...);
 *   fsutil_afile_commit(&af, eb);     or fsutil_afile_abort(&af);
 * commit and abort both release the struct; abort accepts a never-opened
 * or already released one. */
typedef struct fsutil_afile {
    FILE *fp;
    char *tmp;
    char *path;
} fsutil_afile;

AID_MUST_CHECK aid_err fsutil_afile_open(fsutil_afile *af, const char *path, aid_errbuf *eb);
AID_MUST_CHECK aid_err fsutil_afile_commit(fsutil_afile *af, aid_errbuf *eb);
void fsutil_afile_abort(fsutil_afile *af);

/* rm -rf: remove path and everything below it (symbolic links are removed,
 * not followed). A missing path is no error. */
AID_MUST_CHECK aid_err fsutil_remove_tree(const char *path, aid_errbuf *eb);

/* Put the directory `from` in the place of `to` (which may exist: it is
 * moved aside first and removed after), so that `to` goes from complete
 * old to complete new. */
AID_MUST_CHECK aid_err fsutil_replace_dir(const char *from, const char *to, aid_errbuf *eb);

/* Join a directory and a name with one '/'. Returns 0 or -1 (no memory). */
AID_MUST_CHECK int fsutil_join(strbuf *out, const char *dir, const char *name);

/* Directory of the running executable (for finding templates/). */
AID_MUST_CHECK int fsutil_exe_dir(strbuf *out);

#endif
