/*
 * numfmt.h - how numbers read in every document (HTML, PDF, XLSX labels,
 * mail, narrative), so that "36.9%" means the same everywhere and the
 * fact checker can recognise it.
 *
 * All functions append to out and return 0, or -1 when out of memory.
 * A NaN value (a JSON null read with jget_double(..., NAN)) is written as
 * the en dash "–" (or "n/a" for the _ascii variants).
 */
#ifndef AID_NUMFMT_H
#define AID_NUMFMT_H

#include "common/err.h"

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

/* 12345 -> "12,345" */
AID_MUST_CHECK int numfmt_int(strbuf *out, int64_t v);
/* 0.36912 -> "36.9%" (decimals after the point) */
AID_MUST_CHECK int numfmt_pct(strbuf *out, double share, int decimals);
/* A change of a share, in percentage points: 0.0235 -> "+2.4 pp", -0.01 -> "−1.0 pp" */
AID_MUST_CHECK int numfmt_pp(strbuf *out, double delta, int decimals);
/* A plain decimal: 0.74213 -> "0.742" (decimals digits) */
AID_MUST_CHECK int numfmt_dec(strbuf *out, double v, int decimals);
/* A signed decimal: -0.0291 -> "−0.029", 0.01 -> "+0.010" */
AID_MUST_CHECK int numfmt_signed(strbuf *out, double v, int decimals);

/* For human messages (stderr): 179147 -> "179,147" into buf (ASCII '-'
 * for a negative value), which is returned; cannot fail (buf >= 28
 * bytes holds any int64_t). */
char *numfmt_group(char *buf, size_t n, int64_t v);

#endif
