/*
 * jbuild.h - build a json-c tree with one sticky out-of-memory flag.
 *
 *   jbuild b = { false };
 *   struct json_object *o = jbuild_made(&b, json_object_new_object());
 *   jbuild_add(&b, o, "n", jbuild_int(&b, 12));
 *   jbuild_add(&b, o, "share", jbuild_num(&b, 0.25, 6));
 *   if (b.oom) { json_object_put(o); return AID_ERR_NOMEM; }
 *
 * Every json-c failure sets b->oom and the building goes on: a NULL
 * container swallows (releases) what is added to it, and a NULL value on
 * purpose is a JSON null. The caller checks b->oom once at the end (the
 * pattern of figures.c, for the compute modules that build a part of
 * report.json: drift, coach, segments, outcomes, costfig).
 *
 * Ownership: jbuild_add and jbuild_push always consume v (added, or
 * released on failure); the constructors return a new object the caller
 * owns (or NULL).
 */
#ifndef AID_JBUILD_H
#define AID_JBUILD_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct jbuild {
    bool oom; /* a json-c constructor or add failed */
} jbuild;

/* o itself; sets b->oom when o is NULL (a failed constructor). */
struct json_object *jbuild_made(jbuild *b, struct json_object *o);
/* A number with `decimals` decimals (jget_new_num); NULL (a JSON null,
 * not a failure) for NaN or infinity. */
struct json_object *jbuild_num(jbuild *b, double v, int decimals);
struct json_object *jbuild_int(jbuild *b, int64_t v);
/* A string; NULL (a JSON null, not a failure) for s NULL. */
struct json_object *jbuild_str(jbuild *b, const char *s);
struct json_object *jbuild_bool(jbuild *b, bool v);
/* Add v under k to o / append v to arr; v is consumed. */
void jbuild_add(jbuild *b, struct json_object *o, const char *k, struct json_object *v);
void jbuild_push(jbuild *b, struct json_object *arr, struct json_object *v);

#endif
