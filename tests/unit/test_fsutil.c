#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "tap.h"

int main(void)
{
    char dir[] = "/tmp/aidigest-fsutil.XXXXXX";
    ok(mkdtemp(dir) != NULL, "a temporary directory");
    strbuf p = STRBUF_INIT;
    aid_errbuf eb = { { 0 } };

    fsutil_join(&p, dir, "a/b/c");
    is_int(fsutil_mkdirs(p.buf, &eb), AID_OK, "mkdirs makes nested directories");
    ok(fsutil_is_dir(p.buf), "they exist");
    is_int(fsutil_mkdirs(p.buf, &eb), AID_OK, "mkdirs of an existing directory is fine");

    fsutil_join(&p, dir, "a/file.txt");
    is_int(fsutil_write_atomic(p.buf, "hello\n", 6, &eb), AID_OK, "write_atomic");
    char *data = NULL;
    size_t len = 0;
    is_int(fsutil_read_file(p.buf, &data, &len, &eb), AID_OK, "read_file");
    is_str(data, "hello\n", "reads back what was written");
    is_int(len, 6, "with its length");
    free(data);

    strbuf tmp = STRBUF_INIT;
    fsutil_tmp_path(p.buf, &tmp);
    ok(strstr(tmp.buf, "/a/.file.txt.tmp.") != NULL, "the temporary name is hidden beside the file");
    ok(!fsutil_exists(tmp.buf), "and gone after the rename");

    fsutil_afile af;
    is_int(fsutil_afile_open(&af, p.buf, &eb), AID_OK, "afile_open");
    fputs("changed\n", af.fp);
    fsutil_afile_abort(&af);
    fsutil_read_file(p.buf, &data, &len, &eb);
    is_str(data, "hello\n", "an aborted afile leaves the old file as it was");
    free(data);
    ok(!fsutil_exists(tmp.buf), "and no temporary file");
    fsutil_afile_abort(&af);
    ok(1, "abort twice is harmless");

    is_int(fsutil_afile_open(&af, p.buf, &eb), AID_OK, "afile_open again");
    fputs("new\n", af.fp);
    is_int(fsutil_afile_commit(&af, &eb), AID_OK, "afile_commit");
    fsutil_read_file(p.buf, &data, &len, &eb);
    is_str(data, "new\n", "a committed afile replaces the file");
    free(data);

    fsutil_join(&p, dir, "missing/x.txt");
    eb.msg[0] = '\0';
    is_int(fsutil_write_atomic(p.buf, "x", 1, &eb), AID_ERR_IO, "writing into a missing directory fails");
    ok(strstr(eb.msg, "missing/x.txt") != NULL, "naming the file: %s", eb.msg);
    is_int(fsutil_read_file(p.buf, &data, &len, &eb), AID_ERR_NOTFOUND, "reading a missing file is NOTFOUND");

    fsutil_join(&p, dir, "a/file.txt/sub");
    is_int(fsutil_mkdirs(p.buf, &eb), AID_ERR_IO, "mkdirs through a file fails");

    fsutil_join(&p, "/x//", "y");
    is_str(p.buf, "/x/y", "join folds the slashes between");
    fsutil_join(&p, "/", "y");
    is_str(p.buf, "/y", "join below the root");
    ok(fsutil_exe_dir(&p) == 0 && fsutil_is_dir(p.buf), "exe_dir names a directory");

    strbuf_release(&p);
    strbuf_release(&tmp);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ok(system(cmd) == 0, "clean up");
    return tap_done();
}
