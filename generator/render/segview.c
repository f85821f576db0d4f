#include "render/segview.h"

#include <string.h>

#include "common/jget.h"
#include "common/numfmt.h"

const char *const segview_dims[SEGVIEW_DIMS] = { "prompt", "channel", "agent" };

bool segview_published(const aid_config *cfg, const char *dim)
{
    if (!strcmp(dim, "agent"))
        return cfg && cfg->publish_agents;
    return true;
}

const char *segview_title(const char *dim)
{
    return !strcmp(dim, "prompt") ? "Prompt" : !strcmp(dim, "channel") ? "Channel" : "Agent";
}

int segview_label(strbuf *out, const struct json_object *row)
{
    const char *kind = jget_str(row, "kind", "value");
    if (!strcmp(kind, "other")) {
        int64_t m = jget_int(row, "members", 0);
        if (strbuf_adds(out, "other (") < 0 || numfmt_int(out, m) < 0)
            return -1;
        return strbuf_adds(out, m == 1 ? " segment)" : " segments)");
    }
    return strbuf_adds(out, jget_str(row, "segment", ""));
}

int segview_versions(strbuf *out, const struct json_object *row)
{
    struct json_object *v = jget(row, "versions");
    for (size_t i = 0, n = jget_len(row, "versions"); v && i < n; i++) {
        struct json_object *e = json_object_array_get_idx(v, i);
        if ((i && strbuf_adds(out, ", ") < 0) || strbuf_adds(out, jget_str(e, "version", "no version")) < 0 ||
            strbuf_addc(out, ' ') < 0 || numfmt_int(out, jget_int(e, "suggestions", 0)) < 0)
            return -1;
    }
    return 0;
}
