/* jbuild.c - see jbuild.h. */
#include "common/jbuild.h"

#include <math.h>

#include "common/jget.h"

struct json_object *jbuild_made(jbuild *b, struct json_object *o)
{
    if (!o)
        b->oom = true;
    return o;
}

struct json_object *jbuild_num(jbuild *b, double v, int decimals)
{
    if (isnan(v) || isinf(v))
        return NULL;
    return jbuild_made(b, jget_new_num(v, decimals));
}

struct json_object *jbuild_int(jbuild *b, int64_t v)
{
    return jbuild_made(b, json_object_new_int64(v));
}

struct json_object *jbuild_str(jbuild *b, const char *s)
{
    return s ? jbuild_made(b, json_object_new_string(s)) : NULL;
}

struct json_object *jbuild_bool(jbuild *b, bool v)
{
    return jbuild_made(b, json_object_new_boolean(v));
}

void jbuild_add(jbuild *b, struct json_object *o, const char *k, struct json_object *v)
{
    if (!o || json_object_object_add(o, k, v) != 0) {
        b->oom = true;
        json_object_put(v);
    }
}

void jbuild_push(jbuild *b, struct json_object *arr, struct json_object *v)
{
    if (!arr || json_object_array_add(arr, v) != 0) {
        b->oom = true;
        json_object_put(v);
    }
}
