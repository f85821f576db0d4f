/*
 * redact.h - mask personal data in free text before it leaves the machine
 * (LLM prompts) or is published (report.json, HTML, PDF, XLSX).
 *
 *   redact_rules *r;
 *   err = redact_rules_new(&r, cfg->redact_rules, &eb);   (NULL path: built-ins only)
 *   strbuf out = STRBUF_INIT;
 *   int n = redact_text(r, text, strlen(text), &out);   n masks, -1 no memory
 *   ...
 *   redact_rules_free(r);
 *
 * Built-in rules, each one a hand-written scanner (linear in the text, no
 * backtracking), applied in this order of precedence:
 *
 *   email   local@domain.tld, letters beyond ASCII included (IDN),
 *           or a quoted local part ("john doe"@example.com)   -> "[email]"
 *   iban    CC99 + 11..30 letters/digits, optionally grouped by
 *           single spaces, mod-97 checksum valid               -> "[iban]"
 *   order   5 or more digits next to an order cue: '#' right before
 *           them, or "order", "tracking", "reference", "ref", "awb",
 *           "shipment" (then optionally "id", "no", "number", "nr",
 *           "num", "is", ':', '#'); or shaped like the sample's order
 *           numbers (3-6..8-6..8 digits joined by '-': 402-1234567-
 *           1234567), whatever the words around     -> "[order]"
 *   card    13..19 digits, Luhn checksum valid, optionally grouped by
 *           spaces or hyphens (or by one of space, double space,
 *           '-', '.', '/' throughout), in a text that talks about a
 *           card ("card", "visa", "mastercard", "amex", "credit",
 *           "debit", "cvv"); or, whatever the checksum and the words,
 *           grouped like a card (4-4-4-4..., 4-6-5)             -> "[card]"
 *   phone   a run of digits with "+", "(", ")", " ", "-", "."
 *           separators holding phone_min_digits..15 digits,
 *            starting with "+" or "(" or having a separator, and not
 *           shaped like a date, time or decimal number         -> "[phone]"
 *   number  any run of number_min_digits or more digits (order,
 *           account, ticket, tracking numbers)                 -> "[number]"
 *   name    one or two capitalised words after a cue ("my name
 *           is", "name:", "this is", "i'm", "hi", "dear", "pulled up
 *           for", ...; case-insensitive), or before " here" at the
 *           start of a sentence or line or after ":" ("Joyce here"), or two or three such
 *           words before ':' at the start of a line or after ': ' (a speaker label
 *           "Crystal Minh: ..."), or one or two after ", " that end a
 *           sentence (a vocative: "Thanks, Crystal."), or a whole text of
 *           two or three capitalised words ("Crystal Minh")  -> "[name]"
 *           (names elsewhere cannot be told from words without a
 *           dictionary: add regex rules for known names if needed)
 *
 * Before the scanners run, digits of other scripts (full-width U+FF10..19,
 * Arabic-Indic U+0660..69 and U+06F0..F9), Unicode dashes and minus
 * (U+2010..2015, U+2212, U+FE63, U+FF0D), no-break and thin spaces and the
 * full-width '@' are read as their ASCII counterparts; text outside a mask
 * is copied as given.
 *
 * Rules file (optional, AIDIGEST_REDACT_RULES / redact_rules in the config
 * file): one directive per line, '#' starts a comment line:
 *
 *   off RULE                 turn a built-in rule off (email, iban, order, card, phone, number, name)
 *   on RULE                  turn it back on
 *   mask RULE TEXT           replace the mask text of a rule (e.g. mask email <e-mail>)
 *   number_min_digits N      default 6
 *   phone_min_digits N       default 7
 *   name_cue WORDS...        one more cue before a name (e.g. name_cue customer name)
 *   regex MASK ERE           an extra POSIX extended regular expression; every
 *                            match is replaced by MASK (applied after the
 *                            built-ins, on their output; leftmost-longest)
 *
 * A rules object is read-only after construction: redact_text may be called
 * from several threads at once with the same rules.
 */
#ifndef AID_REDACT_H
#define AID_REDACT_H

#include <stddef.h>

#include "common/err.h"
#include "common/strbuf.h"

typedef struct redact_rules redact_rules;

/* Built-in rules plus, when rules_path is not NULL, the directives of that
 * file. NULL on error (eb says which line and why, or out of memory). */
AID_MUST_CHECK aid_err redact_rules_new(redact_rules **out, const char *rules_path, aid_errbuf *eb);
void redact_rules_free(redact_rules *r);

/* Append the masked text of in[0..len) to out. Returns the number of masks
 * made, or -1 when out of memory (out then holds a partial text the caller
 * must discard). Bytes that are not part of a match are copied unchanged
 * (invalid UTF-8 included). */
AID_MUST_CHECK int redact_text(const redact_rules *r, const char *in, size_t len, strbuf *out);

/* Like redact_text, but each masked span, with the letters or digits glued
 * to it ("ORD[number]"), becomes one space instead of its mask: for
 * counting the words of a text (terms) without the personal data, the
 * fragments of identifiers or the mask words. Same return values. */
AID_MUST_CHECK int redact_strip(const redact_rules *r, const char *in, size_t len, strbuf *out);

/* Convenience: mask a NUL-terminated string into a new malloc'd string
 * (caller frees). NULL when out of memory. */
char *redact_dup(const redact_rules *r, const char *s, int *nmasks);

#endif
