/*
 * pagebin.h: the binary layout of a document's whole stored data (the
 * content of SCHEMA_SLOT_DATA before docpack packs it; lib/schema.h).
 *
 * Showing a hit with snippets reads every section's text.  As JSON that
 * text had to be unescaped and copied for every hit; in this layout every
 * string is stored raw and NUL-terminated after its length, so the reader
 * points into the unpacked bytes and copies nothing.
 *
 *   byte 0      PAGEBIN_MAGIC (0: no JSON text starts with a NUL byte, so
 *               the older JSON form, which starts with '{', is told apart)
 *   byte 1      PAGEBIN_VERSION
 *   counts      six numbers: n_top, n_secf, n_trf (strings per page, per
 *               section, per translation) and n_secs, n_links, n_tr
 *   strings     n_top page strings (path, url, title, date, section, lang,
 *               description), then n_secs sections of n_secf strings
 *               (heading, anchor, text, code, labels), n_links link
 *               targets, n_tr translations of n_trf strings (lang, url,
 *               path)
 *
 * A number is unsigned LEB128 (seven bits a byte, low bits first, the high
 * bit set on every byte but the last).  A string is a number, 0 for null
 * or its byte length plus one, then that many bytes and a NUL byte; the
 * writer cuts a string at its first NUL byte, as the JSON form did.  The
 * per-group string counts let a later version append strings to a group:
 * a reader takes the ones it knows and skips the others, and reads the
 * ones it knows but the data lacks as null.
 */
#ifndef RECAP_PAGEBIN_H
#define RECAP_PAGEBIN_H

#include <stddef.h>

#include "util.h"

#define PAGEBIN_MAGIC 0
#define PAGEBIN_VERSION 1

/* The strings of each group, in order. */
enum {
    PB_PATH,
    PB_URL,
    PB_TITLE,
    PB_DATE,
    PB_SECTION,
    PB_LANG,
    PB_DESC,
    PB_N_TOP
};
enum { PB_HEADING, PB_ANCHOR, PB_TEXT, PB_CODE, PB_LABELS, PB_N_SECF };
enum { PB_TR_LANG, PB_TR_URL, PB_TR_PATH, PB_N_TRF };

/*
 * Writing: pagebin_begin puts the header for a page of n_secs sections,
 * n_links links and n_tr translations; then the caller puts exactly
 * PB_N_TOP + n_secs * PB_N_SECF + n_links + n_tr * PB_N_TRF strings in
 * the order above.  A string is `len` bytes of `s`, or null when `s` is
 * NULL.  Errors are the strbuf's (b->oom).
 */
void pagebin_begin(strbuf *b, size_t n_secs, size_t n_links, size_t n_tr);
void pagebin_put_str(strbuf *b, const char *s, size_t len);

/* Reading: a cursor over the bytes after the magic and version. */
typedef struct pagebin_reader {
    const unsigned char *p, *end;
} pagebin_reader;

/* True when `len` bytes of `data` start like this layout. */
int pagebin_is(const char *data, size_t len);

/*
 * Starts reading `len` bytes of `data` (which must outlive what is read)
 * and reads the six counts into n[0..5].  Returns 0, or -1 when the data
 * is not of this layout or a count cannot fit in what follows.
 */
int pagebin_open(pagebin_reader *r, const char *data, size_t len, size_t n[6]);

/*
 * Reads one string: *s points into the data (NUL-terminated; NULL for
 * null) and *len is its length.  Returns 0, or -1 when the string runs
 * past the end or lacks its NUL byte.
 */
int pagebin_get_str(pagebin_reader *r, const char **s, size_t *len);

#endif
