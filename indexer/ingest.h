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
 *   sitecfg.c      the site configuration: shortcode table, site parameters,
 *                  what to include, unknown-shortcode counts (sitecfg_)
 *   ingest.c       one file end to end, and walking a content tree (ingest_)
 *   dump.c         an ingest_doc as JSON, for recapsearch-index --dump
 */
#ifndef RECAP_INGEST_H
#define RECAP_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "limit.h"
#include "status.h"

/* One front-matter key.  Scalars have one value; lists have one value per
 * item; nested mappings are flattened with dots ("build.render").  Values
 * are the strings as written (dates as written, booleans as "true"). */
typedef struct ingest_field {
    char *key;     /* lower-cased key */
    char **values; /* n_values NUL-terminated strings */
    size_t n_values;
    int is_list; /* written as a sequence */
} ingest_field;

/* Kinds of text inside a section, kept apart so they can be weighted. */
typedef struct ingest_section {
    char *heading; /* plain heading text; NULL for the part before the
                      first heading */
    char *anchor;  /* Hugo's id for the heading ("configure-cluster1");
                      NULL when heading is NULL */
    int level;     /* heading level 1-6; 0 for the lead section */
    char *text;    /* prose: paragraphs, list items, table cells, link
                      text, image alt text and captions; blocks separated
                      by "\n\n"; never NULL */
    size_t text_len;
    char *code; /* code blocks and inline code spans that are blocks,
                   separated by "\n\n"; never NULL */
    size_t code_len;
    char *labels; /* heading-like labels inside the section (tab names,
                     block headers), one per line; never NULL */
    size_t labels_len;
} ingest_section;

/* Another-language version of the same page. */
typedef struct ingest_translation {
    char *lang;
    char *path; /* relative to the content root */
    char *url;
} ingest_translation;

typedef struct ingest_doc {
    char *path;        /* relative to the content root, '/'-separated:
                          "en/blog/2025/x/index.md" */
    char *lang;        /* "en" ("content/<lang>/..."; the default language when
                          the tree has no language folders) */
    char *section;     /* first path part after the language: "blog", "docs";
                          "" for top-level pages */
    char *url;         /* "/blog/2025/x/", "/zh/docs/..." */
    char *date;        /* ISO 8601 date of publication ("2025-04-25" or
                          "2025-04-25T10:00:00Z") or NULL */
    int64_t date_unix; /* seconds since the epoch, or 0 when date is NULL */

    ingest_field *fields; /* front matter in file order */
    size_t n_fields;

    ingest_section *sections;
    size_t n_sections;

    char **links; /* link and image targets of the body, in order, each
                     once; never part of the prose */
    size_t n_links;

    ingest_translation *translations; /* by language */
    size_t n_translations;

    char **unknown; /* names of shortcodes the table does not know, each
                       once, with unknown_count[i] uses */
    size_t *unknown_count;
    size_t n_unknown;
} ingest_doc;

/* ---- ingest_doc --------------------------------------------------------- */

void ingest_doc_free(ingest_doc *doc);
/* The field named `key` (lower case), or NULL. Borrowed from doc. */
const ingest_field *ingest_doc_field(const ingest_doc *doc, const char *key);
/* The field `key`, added without values when the document has none; NULL
 * when out of memory. */
ingest_field *ingest_doc_field_make(ingest_doc *doc, const char *key);
/* The first value of field `key`, or NULL. Borrowed from doc. */
const char *ingest_doc_get(const ingest_doc *doc, const char *key);
/* Appends a value to field `key`, creating it.  Returns 0 or -1 (ENOMEM). */
int ingest_doc_add_value(ingest_doc *doc, const char *key, const char *value,
                         size_t len, int is_list);

/* Callback for warnings that do not stop a file from being indexed: `path`
 * is the file, `line` 1-based (0 when unknown). */
typedef void (*ingest_warn_fn)(void *ctx, const char *path, unsigned line,
                               const char *msg);

/* Appends `s` to doc->links unless it is there already.  0 or -1. */
int ingest_doc_add_link(ingest_doc *doc, const char *s, size_t len);
/* Counts one use of the unknown shortcode `name`.  0 or -1. */
int ingest_doc_add_unknown(ingest_doc *doc, const char *name, size_t len);

/* ---- sitecfg.c ---------------------------------------------------------- */

/*
 * What a shortcode contributes to the page, as a reader sees it:
 *   SC_CONTAINER     paired; the inner markdown stays; the value of the
 *                    first `label` argument present becomes a label
 *   SC_CODE          paired; the inner text is a code block
 *   SC_CAPTION       the values of the `args` arguments become text
 *   SC_TERM          paired: the inner text; single: its first argument
 *   SC_INCLUDE       replaced by the body of <lang>/<dir>/NAME.md, NAME the
 *                    first argument, recursively
 *   SC_PARAM         replaced by a site parameter: `param`, else the first
 *                    argument, else the shortcode's name; nothing when the
 *                    parameter is not set
 *   SC_LINK          makes a URL: as SC_PARAM (inside a markdown link target
 *                    it is part of the target, which is never prose)
 *   SC_TEXT          replaced by the fixed text `text`
 *   SC_FRONT_MATTER  the front-matter `fields`, one "Label: value" line
 *                    each (a security bulletin's CVEs and CVSS)
 *   SC_DROP          removed, with its content when paired
 * Anything else is unknown: delimiters and arguments dropped, a paired
 * shortcode's inner markdown kept, and its name counted.
 */
typedef enum sc_behaviour {
    SC_UNKNOWN = 0,
    SC_CONTAINER,
    SC_CODE,
    SC_CAPTION,
    SC_TERM,
    SC_INCLUDE,
    SC_PARAM,
    SC_LINK,
    SC_TEXT,
    SC_FRONT_MATTER,
    SC_DROP
} sc_behaviour;

typedef struct sc_rule {
    const char *name;
    sc_behaviour behaviour;
    const char *const *args; /* SC_CAPTION: argument names, in order;
                                SC_CONTAINER: label argument names */
    size_t n_args;
    const char *value;         /* SC_PARAM/SC_LINK: the parameter;
                                  SC_TEXT: the text; SC_INCLUDE: the folder */
    const char *const *fields; /* SC_FRONT_MATTER: n_fields pairs of a
                                  front-matter key and its label */
    size_t n_fields;
    int at_links; /* SC_CODE: "@path@" shows as "path" */
} sc_rule;

/* Pages Hugo leaves out that are indexed anyway (recapsearch-index
 * --include-drafts and the like). */
enum {
    INGEST_INCLUDE_DRAFTS = 1,
    INGEST_INCLUDE_FUTURE = 2,
    INGEST_INCLUDE_EXPIRED = 4
};

/* Included files (boilerplates) nest at most this deep. */
#define INGEST_MAX_INCLUDE_DEPTH 8
/* Larger source files are refused (reported, counted as failed). */
#define INGEST_MAX_FILE_SIZE LIMIT_FILE_BYTES /* lib/limit.h */

typedef struct sitecfg sitecfg;

/*
 * Makes a configuration: the built-in shortcode table, extended and
 * overridden by `shortcodes_file` (YAML, TOML or JSON; NULL for none), the
 * site parameters of `params_file` (NULL for none), and `include`
 * (INGEST_INCLUDE_*).  Returns RECAP_OK and *out (free with sitecfg_free),
 * or RECAP_EIO / RECAP_EPARSE with *errmsg naming the file and line, or
 * RECAP_ENOMEM.
 */
recap_status sitecfg_new(const char *shortcodes_file, const char *params_file,
                         unsigned include, sitecfg **out, char **errmsg);
void sitecfg_free(sitecfg *cfg);
unsigned sitecfg_include(const sitecfg *cfg);
/* The rule for shortcode `name` (cfg NULL: the built-in table), or NULL
 * when it is unknown.  Borrowed from cfg. */
const sc_rule *sitecfg_rule(const sitecfg *cfg, const char *name, size_t len);
/* The value of site parameter `key` (dotted for nested keys), or NULL. */
const char *sitecfg_param(const sitecfg *cfg, const char *key, size_t len);
/* Adds a document's unknown-shortcode counts to the run's totals
 * (thread-safe).  0 or -1 (ENOMEM). */
int sitecfg_count_unknown(sitecfg *cfg, const ingest_doc *doc);
/* Forgets the totals (a new batch). */
void sitecfg_reset_unknown(sitecfg *cfg);
/* The run's unknown shortcodes, most used first: the i-th name (borrowed
 * until the next count or reset) and *count; NULL past the end. */
size_t sitecfg_unknown_count(const sitecfg *cfg);
const char *sitecfg_unknown(const sitecfg *cfg, size_t i, uint64_t *count);

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

/* Where a body comes from, for shortcodes that need more than the body. */
typedef struct md_env {
    const sitecfg *cfg; /* NULL: the built-in shortcode table */
    const char *root;   /* content root, for included files; NULL: none */
    const char *default_lang;
    ingest_warn_fn warn;
    void *warn_ctx;
} md_env;

/* md_extract with a site configuration: shortcodes by cfg's table,
 * boilerplates included from env->root. */
recap_status md_extract_env(const char *body, size_t len, unsigned first_line,
                            ingest_doc *doc, const md_env *env, char **errmsg);

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
/* The same, indexing anyway what `include` (INGEST_INCLUDE_*) asks for. */
int hugo_publishable_incl(const ingest_doc *doc, unsigned include,
                          const char **reason);
/* Whether the `len` bytes at `s` look like a language code ("en",
 * "pt-br"). */
int hugo_is_lang(const char *s, size_t len);

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
 * ingest_file with a site configuration (NULL: built-in defaults): its
 * shortcode table and parameters, boilerplates included from `root`,
 * translations looked up in the other language folders, and unknown
 * shortcodes counted into cfg.  Files over INGEST_MAX_FILE_SIZE are
 * refused with RECAP_EIO.
 */
recap_status ingest_file_cfg(sitecfg *cfg, const char *root,
                             const char *relpath, const char *default_lang,
                             ingest_warn_fn warn, void *warn_ctx,
                             ingest_doc **out, char **errmsg);

/*
 * Lists the markdown files under `root` (recursively, sorted, relative
 * paths), skipping hidden entries.  If `root` has a `content/` folder, that
 * folder is the root and *content_root_out says so (malloc()ed).
 * Returns RECAP_OK, RECAP_ENOTFOUND, RECAP_EIO (with *errmsg), RECAP_ENOMEM.
 */
recap_status ingest_walk(const char *root, char ***paths_out, size_t *n_out,
                         char **content_root_out, char **errmsg);

/*
 * ingest_walk that goes on past folders it cannot read and symbolic-link
 * loops: each is reported once to `problem` (path relative to the root, or
 * the root itself, and the reason) and left out.  *n_problems_out (may be
 * NULL) receives their number.
 */
typedef void (*ingest_problem_fn)(void *ctx, const char *path,
                                  const char *reason);
recap_status ingest_walk_report(const char *root, char ***paths_out,
                                size_t *n_out, char **content_root_out,
                                ingest_problem_fn problem, void *ctx,
                                size_t *n_problems_out, char **errmsg);

/* ---- dump.c ------------------------------------------------------------- */

/* The JSON recapsearch-index --dump prints for `doc`, with the `warnings`
 * (n_warnings strings) met while reading it; malloc()ed, NULL on ENOMEM. */
char *dump_doc_json(const ingest_doc *doc, const char *const *warnings,
                    size_t n_warnings);
void ingest_paths_free(char **paths, size_t n);

#endif
