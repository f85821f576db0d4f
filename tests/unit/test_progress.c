/* progress: the text of a line, drawing, the rate limit, clearing, and no
 * output at all without a handle. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/progress.h"
#include "tap.h"

int main(void)
{
    char b[160];
    progress_format(b, sizeof b, "read", 0, 0, 0, 0);
    is_str(b, "read...", "a stage without counts");
    progress_format(b, sizeof b, "read", 12300000, 45600000, 179147, 100);
    is_str(b, "read: 12.3 of 45.6 MB, 179,147 lines", "MB done of the total, lines; no rate in the first 200 ms");
    progress_format(b, sizeof b, "read", 10000000, 50000000, 1000, 2000);
    is_str(b, "read: 10.0 of 50.0 MB, 1,000 lines, 5.0 MB/s, ETA 8 s", "rate and ETA");
    progress_format(b, sizeof b, "read", 10000000, 0, 1000, 2000);
    is_str(b, "read: 10.0 MB, 1,000 lines, 5.0 MB/s", "no total: no ETA");
    progress_format(b, 8, "read", 10000000, 50000000, 1000, 2000);
    is_int((int)strlen(b), 7, "cut to the buffer");

    /* NULL: nothing, no crash */
    progress_stage(NULL, "read", 1);
    progress_add(NULL, 1, 1);
    progress_clear(NULL);
    progress_free(NULL);
    ok(1, "a NULL handle does nothing");

    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    progress *p = NULL;
    is_int(progress_new(&p, fp, NULL), AID_OK, "progress_new");
    progress_stage(p, "read", 3000000);
    progress_add(p, 1000000, 10);      /* the first counts: drawn */
    progress_add(p, 1000000, 10);      /* within 250 ms: not */
    fflush(fp);
    is_str(buf, "\r\033[Kread: 0.0 of 3.0 MB, 0 lines\r\r\033[Kread: 1.0 of 3.0 MB, 10 lines\r",
           "drawn at the start and at the first counts only, the cursor left at the line's start");
    size_t mark = len;
    usleep((PROGRESS_REDRAW_MS + 50) * 1000);
    progress_add(p, 1000000, 10);
    fflush(fp);
    ok(strstr(buf + mark, "read: 3.0 of 3.0 MB, 30 lines") != NULL, "redrawn after PROGRESS_REDRAW_MS");
    progress_stage(p, "compute", 0);
    progress_clear(p);
    fflush(fp);
    ok(len >= 4 && !strcmp(buf + len - 4, "\r\033[K") && strstr(buf, "\r\033[Kcompute...\r") != NULL,
       "the next stage drawn, then cleared");
    mark = len;
    progress_clear(p);
    progress_free(p);
    fflush(fp);
    is_int((int)len, (int)mark, "clearing a cleared line writes nothing");
    fclose(fp);
    free(buf);
    return tap_done();
}
