#include "common/jget.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct json_object *jget(const struct json_object *root, const char *path)
{
    struct json_object *cur = (struct json_object *)root;
    const char *p = path;
    char key[256];
    while (cur && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof key)
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        p += n + (dot ? 1 : 0);
        if (json_object_is_type(cur, json_type_object)) {
            struct json_object *next = NULL;
            if (!json_object_object_get_ex(cur, key, &next))
                return NULL;
            cur = next;
        } else if (json_object_is_type(cur, json_type_array)) {
            char *end;
            long idx = strtol(key, &end, 10);
            if (end == key || *end || idx < 0 || (size_t)idx >= json_object_array_length(cur))
                return NULL;
            cur = json_object_array_get_idx(cur, (size_t)idx);
        } else {
            return NULL;
        }
    }
    return cur;
}

double jget_double(const struct json_object *root, const char *path, double dflt)
{
    struct json_object *o = jget(root, path);
    if (o && (json_object_is_type(o, json_type_double) || json_object_is_type(o, json_type_int)))
        return json_object_get_double(o);
    return dflt;
}

int64_t jget_int(const struct json_object *root, const char *path, int64_t dflt)
{
    struct json_object *o = jget(root, path);
    if (o && json_object_is_type(o, json_type_int))
        return json_object_get_int64(o);
    if (o && json_object_is_type(o, json_type_double))
        return (int64_t)json_object_get_double(o);
    return dflt;
}

const char *jget_str(const struct json_object *root, const char *path, const char *dflt)
{
    struct json_object *o = jget(root, path);
    if (o && json_object_is_type(o, json_type_string))
        return json_object_get_string(o);
    return dflt;
}

bool jget_has(const struct json_object *root, const char *path)
{
    struct json_object *o = jget(root, path);
    return o != NULL;
}

size_t jget_len(const struct json_object *root, const char *path)
{
    struct json_object *o = jget(root, path);
    if (o && json_object_is_type(o, json_type_array))
        return json_object_array_length(o);
    return 0;
}

struct json_object *jget_new_num(double v, int decimals)
{
    if (isnan(v) || isinf(v))
        return NULL;
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", decimals, v);
    if (!strcmp(buf, "-0.000000") || !strcmp(buf, "-0.0000") || !strcmp(buf, "-0"))
        snprintf(buf, sizeof buf, "%.*f", decimals, 0.0);
    return json_object_new_double_s(atof(buf), buf);
}

int jget_set(struct json_object *obj, const char *key, struct json_object *val)
{
    if (!obj || !val || json_object_object_add(obj, key, val) != 0) {
        json_object_put(val);
        return -1;
    }
    return 0;
}

int jget_push(struct json_object *arr, struct json_object *val)
{
    if (!arr || !val || json_object_array_add(arr, val) != 0) {
        json_object_put(val);
        return -1;
    }
    return 0;
}

bool jget_is_null_text(const char *s, size_t end)
{
    size_t i = 0;
    while (i < end && isspace((unsigned char)s[i]))
        i++;
    if (end - i < 4 || strncasecmp(s + i, "null", 4) != 0)
        return false;
    for (i += 4; i < end && isspace((unsigned char)s[i]); i++)
        ;
    return i == end;
}

int jget_parse(const char *s, struct json_object **out)
{
    *out = NULL;
    struct json_tokener *tok = json_tokener_new();
    if (!tok)
        return -1;
    struct json_object *o = json_tokener_parse_ex(tok, s, -1);
    enum json_tokener_error e = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (e != json_tokener_success) {
        json_object_put(o);
        return 1;
    }
    if (!o && !jget_is_null_text(s, end))
        return -1;
    *out = o;
    return 0;
}

int jget_append(strbuf *out, struct json_object *o, bool pretty)
{
    int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
                (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
    const char *s = o ? json_object_to_json_string_ext(o, flags) : NULL;
    return s && strbuf_adds(out, s) == 0 && strbuf_addc(out, '\n') == 0 ? 0 : -1;
}
