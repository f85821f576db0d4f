/*
 * compute/compute.h - the compute stage's public header. The stage turns
 * what the read stage gathered, and the archive's earlier weeks, into the
 * figures of report.json (docs/figures.md).
 *
 * Public: figures (the report), alerts (its alerts[]), history (earlier weeks in OUT), report
 * (writing report.json, terms.json and the weekly table) and neardup (the
 * near-duplicate grouping, which retraining uses too).
 */
#ifndef AID_COMPUTE_H
#define AID_COMPUTE_H

#include "compute/alerts.h"
#include "compute/figures.h"
#include "compute/history.h"
#include "compute/neardup.h"
#include "compute/report.h"

#endif
