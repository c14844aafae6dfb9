/*
 * shortcode.h: Hugo shortcodes ({{< name args >}}, {{% name args %}}),
 * expanded into plain markdown before cmark parses the body.  Internal to
 * the indexer: only markdown.c uses it.
 *
 * What each shortcode contributes is decided by the site configuration's
 * shortcode table (sitecfg.c; behaviours in ingest.h, sc_behaviour), not
 * here.  This module applies it:
 *   code             the content is taken out verbatim (nested shortcodes
 *                    expanded, comment forms shown literally), stored in an
 *                    sc_codes table and replaced by a fenced block whose
 *                    only line is a marker (SC_MARK_START, the decimal
 *                    index, SC_MARK_END).  The code never goes through
 *                    cmark, so fences or indentation inside it cannot break
 *                    the markdown around it.
 *   container labels a tab's name becomes SC_LABEL_START name SC_LABEL_END,
 *                    which markdown.c takes out of the prose into the
 *                    section's labels.
 *   include          the included file's body is expanded in place (its
 *                    lines carry the container prefix of the including
 *                    line, so it stays inside a list item), recursively up
 *                    to INGEST_MAX_INCLUDE_DEPTH, cycles refused.
 *   comment form     a shortcode written with C comment markers inside
 *                    its delimiters, as docs about shortcodes do: its
 *                    inner text without delimiters (in code, the
 *                    shortcode as Hugo shows it: {{< x >}}).
 * A malformed or unterminated tag loses its opening delimiter and the rest
 * is kept literally; stray closing delimiters are dropped.  Time is linear
 * in the input (each included file adds its own length).
 */
#ifndef RECAP_SHORTCODE_H
#define RECAP_SHORTCODE_H

#include <stddef.h>

#include "ingest.h"
#include "util.h"

/* Marker bytes around a code index in the expanded markdown.  They are
 * removed from the input, so they only ever come from sc_expand. */
#define SC_MARK_START '\x02'
#define SC_MARK_END '\x03'
/* Marker bytes around a label (a tab's name). */
#define SC_LABEL_START '\x04'
#define SC_LABEL_END '\x05'

/* Code blocks taken out of text shortcodes, by index. */
typedef struct sc_codes {
    char **code;      /* n NUL-terminated strings */
    size_t *code_len; /* byte lengths */
    size_t n;
    size_t cap;
} sc_codes;

#define SC_CODES_INIT                                                          \
    {                                                                          \
        NULL, NULL, 0, 0                                                       \
    }

/* Where warnings about malformed shortcodes go (warn may be NULL). */
typedef struct sc_warner {
    ingest_warn_fn warn;
    void *ctx;
    const char *path;    /* file name for messages, may be NULL */
    unsigned first_line; /* file line of src's first byte */
} sc_warner;

/* What the expansion may read besides the body. */
typedef struct sc_env {
    const sitecfg *cfg;       /* the shortcode table; NULL: built-in */
    ingest_doc *doc;          /* its front matter, path and lang are read;
                                 unknown shortcodes are counted in it; may
                                 be NULL */
    const char *root;         /* content root for included files; NULL:
                                 includes expand to nothing */
    const char *default_lang; /* fallback folder of included files */
} sc_env;

/*
 * Expands the shortcodes of `src` (`len` bytes) into markdown appended to
 * `out`, storing code-shortcode contents in `codes`.  `env` may be NULL
 * (built-in table, no includes).  Returns 0, or -1 when out of memory
 * (out->oom is then set or codes is incomplete).
 */
int sc_expand(const char *src, size_t len, strbuf *out, sc_codes *codes,
              const sc_warner *warner, const sc_env *env);

/* Parses a marker at s[0..len): returns the code index and sets *used to
 * the marker's byte length, or returns (size_t)-1 if s does not start with
 * a complete marker. */
size_t sc_marker_parse(const char *s, size_t len, size_t *used);

void sc_codes_free(sc_codes *codes);

#endif
