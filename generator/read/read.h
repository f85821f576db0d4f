/*
 * read/read.h - the read stage's public header: what later stages may use
 * of it. The stage turns log files (plain or gzip, files or directories)
 * into validated events folded into mergeable aggregates, with bad lines
 * quarantined.
 *
 * Public: ingest (both passes, re-reading events by position), the event
 * type, the aggregates it fills, the id index and the file list. Nothing
 * outside read/ includes another read/ header (make check-layers).
 */
#ifndef AID_READ_H
#define AID_READ_H

#include "read/agg.h"
#include "read/event.h"
#include "read/idindex.h"
#include "read/ingest.h"
#include "read/logread.h"

#endif
