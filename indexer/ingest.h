/*
 * ingest.h: turning one Hugo markdown file into an ingest_doc: front matter
 * fields, URL, language, section, and the body as plain-text sections with
 * their headings and anchors.  Nothing here knows about Xapian or terms:
 * lib/docterms.c turns an ingest_doc into index terms.
 *
 * Modules (one banner each, as FTS5's fts5Int.h does):
 *   frontmatter.c  splitting and parsing front matter (fm_)
 *   markdown.c     body text extraction with cmark-gfm (md_)
 *   shortcode.c    Hugo shortcodes, expanded before markdown parsing (sc_)
 *   hugo.c         URL, section and language rules, publishability (hugo_)
 *   ingest.c       one file end to end, and walking a content tree (ingest_)
 */
#ifndef RECAP_INGEST_H
#define RECAP_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* One front-matter key.  Scalars have one value; lists have one value per
 * item; nested mappings are flattened with dots ("build.render").  Values
 * are the strings as written (dates as written, booleans as "true"). */
typedef struct ingest_field {
    char *key;      /* lower-cased key */
    char **values;  /* n_values NUL-terminated strings */
    size_t n_values;
    int is_list;    /* written as a sequence */
} ingest_field;

/* Kinds of text inside a section, kept apart so they can be weighted. */
typedef struct ingest_section {
    char *heading;  /* plain heading text; NULL for the part before the
                       first heading */
    char *anchor;   /* Hugo's id for the heading ("configure-cluster1");
                       NULL when heading is NULL */
    int level;      /* heading level 1-6; 0 for the lead section */
    char *text;     /* prose: paragraphs, list items, table cells, link
                       text, image alt text and captions; blocks separated
                       by "\n\n"; never NULL */
    size_t text_len;
    char *code;     /* code blocks and inline code spans that are blocks,
                       separated by "\n\n"; never NULL */
    size_t code_len;
} ingest_section;

typedef struct ingest_doc {
    char *path;     /* relative to the content root, '/'-separated:
                       "en/blog/2025/x/index.md" */
    char *lang;     /* "en" ("content/<lang>/..."; the default language when
                       the tree has no language folders) */
    char *section;  /* first path part after the language: "blog", "docs";
                       "" for top-level pages */
    char *url;      /* "/blog/2025/x/", "/zh/docs/..." */
    char *date;     /* ISO 8601 date of publication ("2025-04-25" or
                       "2025-04-25T10:00:00Z") or NULL */
    int64_t date_unix; /* seconds since the epoch, or 0 when date is NULL */

    ingest_field *fields; /* front matter in file order */
    size_t n_fields;

    ingest_section *sections;
    size_t n_sections;
} ingest_doc;

/* ---- ingest_doc --------------------------------------------------------- */

void ingest_doc_free(ingest_doc *doc);
/* The field named `key` (lower case), or NULL. Borrowed from doc. */
const ingest_field *ingest_doc_field(const ingest_doc *doc, const char *key);
/* The first value of field `key`, or NULL. Borrowed from doc. */
const char *ingest_doc_get(const ingest_doc *doc, const char *key);
/* Appends a value to field `key`, creating it.  Returns 0 or -1 (ENOMEM). */
int ingest_doc_add_value(ingest_doc *doc, const char *key, const char *value,
                         size_t len, int is_list);

/* Callback for warnings that do not stop a file from being indexed: `path`
 * is the file, `line` 1-based (0 when unknown). */
typedef void (*ingest_warn_fn)(void *ctx, const char *path, unsigned line,
                               const char *msg);

/* ---- frontmatter.c ------------------------------------------------------ */

typedef enum fm_kind { FM_NONE, FM_YAML, FM_TOML, FM_JSON } fm_kind;

/*
 * Finds the front matter at the start of `src`: its kind, the byte range of
 * its contents (without the delimiters) and the byte offset where the body
 * starts, plus the 1-based line number of the body's first line.  A file
 * without front matter gives FM_NONE and body_off 0.  An opening delimiter
 * without a closing one gives FM_NONE too (the whole file is the body).
 */
fm_kind fm_split(const char *src, size_t len, size_t *fm_off, size_t *fm_len,
                 size_t *body_off, unsigned *body_line);

/*
 * Parses front matter of `kind` into doc->fields.  On a syntax error
 * returns RECAP_EPARSE with *errmsg (malloc()ed) naming the line within the
 * file (`first_line` is the file line of the first front-matter line) and
 * the reason, e.g. "line 7: mapping values are not allowed here".
 * Fields parsed before the error are kept.
 */
recap_status fm_parse(fm_kind kind, const char *text, size_t len,
                      unsigned first_line, ingest_doc *doc, char **errmsg);

/* Parses a Hugo date ("2025-04-25", "2025-04-25T10:00:00Z",
 * "2025-04-25 10:00:00 +0200", ...) to seconds since the epoch and the
 * normalised ISO 8601 form (malloc()ed).  Returns 0, or -1 if unparsable. */
int fm_parse_date(const char *s, int64_t *unix_out, char **iso_out);

/* ---- shortcode.c / markdown.c ------------------------------------------- */

/*
 * Extracts the body: expands Hugo shortcodes ({{< >}} and {{% %}}), parses
 * the markdown with cmark-gfm (table, autolink and strikethrough
 * extensions), and fills doc->sections with plain text: no markdown syntax,
 * HTML tags, HTML comments or shortcode delimiters.  `first_line` is the
 * file line of the body's first line, for warnings.
 * Returns RECAP_OK, RECAP_ENOMEM, or RECAP_EPARSE with *errmsg.
 */
recap_status md_extract(const char *body, size_t len, unsigned first_line,
                        ingest_doc *doc, ingest_warn_fn warn, void *warn_ctx,
                        char **errmsg);

/* Hugo's heading id for `text` ("Configure `cluster1` as a primary" ->
 * "configure-cluster1-as-a-primary").  Caller frees. */
char *md_anchorize(const char *text, size_t len);

/* ---- hugo.c ------------------------------------------------------------- */

/* Fills doc->lang, doc->section, doc->url from doc->path and the front
 * matter (url, slug), and doc->date from publishdate/date.  `default_lang`
 * is used when the path has no language folder.  Returns 0 or -1 (ENOMEM). */
int hugo_resolve(ingest_doc *doc, const char *default_lang);

/* Whether Hugo publishes the page.  Returns 1, or 0 with *reason set to a
 * static string ("draft: true", "headless bundle", ...). */
int hugo_publishable(const ingest_doc *doc, const char **reason);

/* ---- ingest.c ----------------------------------------------------------- */

/*
 * Reads and parses `root`/`relpath` into *out.
 * Returns RECAP_OK; RECAP_ESKIPPED (not published: *errmsg says why);
 * RECAP_EIO (unreadable); RECAP_EPARSE (nothing usable); RECAP_ENOMEM.
 * A broken front matter is a warning (the body is still indexed), reported
 * through `warn`.
 */
recap_status ingest_file(const char *root, const char *relpath,
                         const char *default_lang, ingest_warn_fn warn,
                         void *warn_ctx, ingest_doc **out, char **errmsg);

/*
 * Lists the markdown files under `root` (recursively, sorted, relative
 * paths), skipping hidden entries.  If `root` has a `content/` folder, that
 * folder is the root and *content_root_out says so (malloc()ed).
 * Returns RECAP_OK, RECAP_ENOTFOUND, RECAP_EIO (with *errmsg), RECAP_ENOMEM.
 */
recap_status ingest_walk(const char *root, char ***paths_out, size_t *n_out,
                         char **content_root_out, char **errmsg);
void ingest_paths_free(char **paths, size_t n);

#endif
