/*
 * aggseg.h - the segment part of the aggregates (agg.seg): this week's
 * and the week before's counts of every distinct prompt_id, channel and
 * agent_id (docs/figures.md, "Segments").
 *
 * Like the rest of agg, every part is a sum, so merging workers gives the
 * same result in any order, and a contribution can be taken back (sign
 * -1). Memory: one fixed-size entry per distinct value of each field
 * (about 700 bytes) plus, for prompts, one count per distinct
 * prompt_version; nothing grows with the number of lines.
 */
#ifndef AID_AGGSEG_H
#define AID_AGGSEG_H

#include <stdint.h>

#include "common/strmap.h"
#include "read/event.h"

#define AGGSEG_CAL_BINS 10 /* = AGG_CAL_BINS: the fixed calibration bins */

/* The breakdowns, in the order of report.json's segments member. */
typedef enum aggseg_dim {
    AGGSEG_PROMPT = 0,
    AGGSEG_CHANNEL,
    AGGSEG_AGENT,
    AGGSEG__DIMS
} aggseg_dim;

/* "prompt", "channel", "agent". */
const char *aggseg_dim_name(aggseg_dim d);

/* One segment's counts over one week. Confidences in nano-units as in
 * agg_week (conf_sq in nano-units squared); measured and light count its
 * measured edits and the light ones among them (docs/figures.md "Edits"). */
typedef struct aggseg_week {
    int64_t n, by_action[ACTION__COUNT];
    int64_t with_conf, conf_nano;
    __int128 conf_sq;
    int64_t cal_n[AGGSEG_CAL_BINS], cal_accepted[AGGSEG_CAL_BINS], cal_conf_nano[AGGSEG_CAL_BINS];
    int64_t measured, light;
} aggseg_week;

/* One segment: [0] this week, [1] the week before; for prompts, the
 * prompt_version of this week's suggestions (version as written ->
 * int64_t count; NULL for the other fields) and how many had none. */
typedef struct aggseg_entry {
    aggseg_week w[2];
    strmap *versions;
    int64_t no_version;
} aggseg_entry;

typedef struct aggseg {
    strmap *tab[AGGSEG__DIMS];      /* value as written -> aggseg_entry */
    aggseg_entry none[AGGSEG__DIMS]; /* suggestions without the field (or with "") */
} aggseg;

/* Pass as edit_bin when the caller has not measured the edit: aggseg_add
 * measures an edited suggestion itself. */
#define AGGSEG_EDIT_UNKNOWN (-2)

/* Empty tables. 0 or -1 (no memory; aggseg_release still safe). */
AID_MUST_CHECK int aggseg_init(aggseg *s);
void aggseg_release(aggseg *s);

/* Add (sign +1) or take back (-1) one suggestion of week wk (0 this week,
 * 1 the week before). edit_bin: its share bin (editdist_bin) when it is a
 * measured edit, -1 when it is not one, AGGSEG_EDIT_UNKNOWN to measure it
 * here. 0 or -1 (no memory). */
AID_MUST_CHECK int aggseg_add(aggseg *s, const event *ev, int wk, int sign, int edit_bin);

/* Fold src into dst (src keeps its tables; free it after). 0 or -1. */
AID_MUST_CHECK int aggseg_merge(aggseg *dst, const aggseg *src);

#endif
