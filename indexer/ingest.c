/*
 * ingest.c: one markdown file end to end (read, front matter, Hugo rules,
 * body), and walking a content tree for the files to ingest.
 */
#define _DEFAULT_SOURCE /* DT_* in struct dirent */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdint.h>

#include "ingest.h"
#include "util.h"

/* Deeper folders than this are not walked (a symlink loop, most likely). */
#define WALK_MAX_DEPTH 64

static void
set_msg(char **errmsg, char *msg)
{
    if (errmsg)
        *errmsg = msg;
    else
        free(msg);
}

/* ---- UTF-8 --------------------------------------------------------------
 */

/* The length of the valid UTF-8 sequence at s[0..len), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
    size_t n, i;
    unsigned long cp;

    if (s[0] < 0x80)
        return s[0] != 0; /* NUL: replaced too */
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2, cp = s[0] & 0x1F;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        n = 3, cp = s[0] & 0x0F;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        n = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (len < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

/*
 * Replaces each byte that is not part of valid UTF-8 with U+FFFD, so that
 * the parsers (libyaml refuses such input) and everything downstream see
 * valid text.  Returns the 1-based line of the first bad byte (0 when the
 * text was valid); *src and *len are replaced when it was not.  -1 when out
 * of memory.
 */
static long
fix_utf8(char **src, size_t *len)
{
    const unsigned char *s = (const unsigned char *)*src;
    strbuf b = STRBUF_INIT;
    size_t i = 0, n, start = 0;
    long first_bad = 0, line = 1;

    while (i < *len) {
        n = utf8_seq(s + i, *len - i);
        if (n) {
            line += s[i] == '\n';
            i += n;
            continue;
        }
        if (!first_bad)
            first_bad = line;
        strbuf_append(&b, *src + start, i - start);
        strbuf_puts(&b, "\xEF\xBF\xBD");
        start = ++i;
    }
    if (!first_bad)
        return 0;
    strbuf_append(&b, *src + start, *len - start);
    if (b.oom) {
        strbuf_free(&b);
        return -1;
    }
    free(*src);
    *src = strbuf_detach(&b, len);
    return *src ? first_bad : -1;
}

/* ---- one file -----------------------------------------------------------
 */

/* Parses the front matter; a syntax error becomes a warning. */
static recap_status
front_matter(ingest_doc *doc, const char *src, size_t len, size_t *body_off,
             unsigned *body_line, ingest_warn_fn warn, void *warn_ctx)
{
    size_t fm_off, fm_len, i;
    unsigned first_line = 1, line = 0;
    char *msg = NULL, *text;
    recap_status rc;
    fm_kind kind;

    kind = fm_split(src, len, &fm_off, &fm_len, body_off, body_line);
    if (kind == FM_NONE)
        return RECAP_OK;
    for (i = 0; i < fm_off; i++)
        first_line += src[i] == '\n';
    rc = fm_parse(kind, src + fm_off, fm_len, first_line, doc, &msg);
    if (rc != RECAP_EPARSE) {
        free(msg);
        return rc;
    }
    /* "line 7: problem" -> line 7, "problem". */
    text = msg;
    if (msg && sscanf(msg, "line %u: ", &line) == 1 && strstr(msg, ": "))
        text = strstr(msg, ": ") + 2;
    if (warn) {
        char *w = util_asprintf("front matter: %s; indexed the body only",
                                text ? text : "syntax error");
        warn(warn_ctx, doc->path, line, w ? w : "front matter is broken");
        free(w);
    }
    free(msg);
    return RECAP_OK;
}

/* ---- leaf bundles -------------------------------------------------------
 */

/*
 * In Hugo, every file below a folder that holds index.md (a leaf bundle)
 * other than that index.md is a resource of the bundle, not a page: it has
 * no URL of its own and is shown, if at all, by the bundle's page (Istio's
 * FAQ entries and glossary terms) or by shortcodes (its boilerplates, in a
 * headless bundle).  Returns the relative path of the bundle's index file,
 * or NULL when `relpath` is a page.  Sets *oom when out of memory.
 */
static char *
bundle_index(const char *root, const char *relpath, int *oom)
{
    static const char *const names[] = {"index.md", "index.markdown"};
    const char *slash;
    struct stat st;
    char *cand, *full;
    size_t i;

    *oom = 0;
    for (slash = strchr(relpath, '/'); slash; slash = strchr(slash + 1, '/'))
        for (i = 0; i < UTIL_ARRAY_LEN(names); i++) {
            cand = util_asprintf("%.*s/%s", (int)(slash - relpath), relpath,
                                 names[i]);
            full = cand ? util_asprintf("%s/%s", root, cand) : NULL;
            if (!full) {
                free(cand);
                *oom = 1;
                return NULL;
            }
            if (strcmp(cand, relpath) != 0 && stat(full, &st) == 0 &&
                S_ISREG(st.st_mode)) {
                free(full);
                return cand;
            }
            free(full);
            free(cand);
        }
    return NULL;
}

/* Gives a bundle resource the URL of its bundle's page, or skips it when
 * the bundle is not published (a headless bundle). */
static recap_status
adopt_bundle_url(const char *root, const char *bundle, const char *lang,
                 ingest_doc *doc, char **errmsg)
{
    ingest_doc *owner = calloc(1, sizeof(*owner));
    recap_status rc = RECAP_ENOMEM;
    size_t fm_off, fm_len, body_off, i;
    unsigned body_line, first_line = 1;
    const char *reason;
    char *full, *src = NULL, *dir;
    size_t len;
    fm_kind kind;

    full = util_asprintf("%s/%s", root, bundle);
    if (!full || !owner || !(owner->path = util_strdup(bundle)))
        goto done;
    if (util_read_file(full, &src, &len) == 0) {
        kind = fm_split(src, len, &fm_off, &fm_len, &body_off, &body_line);
        for (i = 0; i < fm_off; i++)
            first_line += src[i] == '\n';
        /* Errors in the bundle's front matter are reported with it. */
        if (fm_parse(kind, src + fm_off, fm_len, first_line, owner, NULL) ==
            RECAP_ENOMEM)
            goto done;
    }
    if (hugo_resolve(owner, lang) != 0)
        goto done;
    if (!hugo_publishable(owner, &reason)) {
        dir = util_strndup(bundle, (size_t)(strrchr(bundle, '/') - bundle));
        set_msg(errmsg, util_asprintf("resource of the bundle %s (%s)",
                                      dir ? dir : bundle, reason));
        free(dir);
        rc = RECAP_ESKIPPED;
        goto done;
    }
    free(doc->url);
    doc->url = owner->url;
    owner->url = NULL;
    rc = RECAP_OK;
done:
    ingest_doc_free(owner);
    free(src);
    free(full);
    return rc;
}

/* ---- translations -------------------------------------------------------
 */

/* Appends a translation of `doc`: the page `relpath` if it exists and
 * Hugo publishes it.  Returns 0, or -1 when out of memory. */
static int
add_translation(const char *root, const char *relpath, const char *lang,
                const char *default_lang, ingest_doc *doc)
{
    ingest_doc *other = NULL;
    ingest_translation *t;
    size_t fm_off, fm_len, body_off, len, i;
    unsigned body_line, first_line = 1;
    const char *reason;
    char *full, *src = NULL;
    fm_kind kind;
    int rc = -1;

    if (!(full = util_asprintf("%s/%s", root, relpath)))
        return -1;
    if (util_read_file(full, &src, &len) != 0) {
        free(full);
        return errno == ENOMEM ? -1 : 0;
    }
    if (!(other = calloc(1, sizeof(*other))) ||
        !(other->path = util_strdup(relpath)))
        goto done;
    kind = fm_split(src, len, &fm_off, &fm_len, &body_off, &body_line);
    for (i = 0; i < fm_off; i++)
        first_line += src[i] == '\n';
    if (fm_parse(kind, src + fm_off, fm_len, first_line, other, NULL) ==
            RECAP_ENOMEM ||
        hugo_resolve(other, default_lang) != 0)
        goto done;
    rc = 0;
    if (!hugo_publishable(other, &reason) || strcmp(other->lang, lang) != 0 ||
        strcmp(other->lang, doc->lang) == 0)
        goto done;
    t = realloc(doc->translations, (doc->n_translations + 1) * sizeof(*t));
    if (!t) {
        rc = -1;
        goto done;
    }
    doc->translations = t;
    t += doc->n_translations;
    t->lang = other->lang;
    t->path = other->path;
    t->url = other->url;
    other->lang = other->path = other->url = NULL;
    doc->n_translations++;
done:
    ingest_doc_free(other);
    free(src);
    free(full);
    return rc;
}

static int
cmp_translations(const void *a, const void *b)
{
    return strcmp(((const ingest_translation *)a)->lang,
                  ((const ingest_translation *)b)->lang);
}

/*
 * Finds the other-language versions of doc: with language folders, the
 * same path under each other language folder of the root; with language
 * suffixes ("x.zh.md"), the same name with each other language's suffix
 * (and without one, for the default language).  Returns 0 or -1 (ENOMEM).
 */
static int
find_translations(const char *root, const char *default_lang, ingest_doc *doc)
{
    const char *path = doc->path, *slash = strchr(path, '/');
    int folder = slash && hugo_is_lang(path, (size_t)(slash - path));
    struct dirent *de;
    char *cand;
    DIR *d;
    int rc = 0;

    if (!folder)
        return 0; /* suffix-only sites: not looked up (see README) */
    if (!(d = opendir(root)))
        return 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (!hugo_is_lang(de->d_name, n) ||
            (n == (size_t)(slash - path) && memcmp(de->d_name, path, n) == 0))
            continue;
        cand = util_asprintf("%s%s", de->d_name, slash);
        rc = cand ? add_translation(root, cand, de->d_name, default_lang, doc)
                  : -1;
        free(cand);
    }
    closedir(d);
    if (rc == 0 && doc->n_translations > 1)
        qsort(doc->translations, doc->n_translations,
              sizeof(*doc->translations), cmp_translations);
    return rc;
}

/* ---- one file, end to end -----------------------------------------------
 */

/* A title for a page without one: its file name (its folder's name for a
 * bundle's index), without the extension, '-' and '_' read as spaces. */
static int
title_from_path(ingest_doc *doc)
{
    const char *p = doc->path, *end = p + strlen(p), *b;
    strbuf t = STRBUF_INIT;
    char *title;
    int rc;

    b = strrchr(p, '/');
    b = b ? b + 1 : p;
    if (strncmp(b, "index.", 6) == 0 || strncmp(b, "_index.", 7) == 0) {
        end = b > p ? b - 1 : b;
        for (b = end; b > p && b[-1] != '/'; b--)
            ;
    } else if (strrchr(b, '.') && strrchr(b, '.') != b) {
        end = strrchr(b, '.');
    }
    for (; b < end; b++)
        strbuf_putc(&t, *b == '-' || *b == '_' ? ' ' : *b);
    if (t.len == 0)
        return 0;
    title = strbuf_detach(&t, NULL);
    rc = title ? ingest_doc_add_value(doc, "title", title, strlen(title), 0)
               : -1;
    free(title);
    return rc;
}

/* Reads the file, refusing what is not a regular file or too large. */
static recap_status
read_source(const char *full, char **src, size_t *len, char **errmsg)
{
    struct stat st;

    if (stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
        (uint64_t)st.st_size > INGEST_MAX_FILE_SIZE) {
        set_msg(errmsg, util_asprintf("%s is %.1f MB, over the %u MB limit "
                                      "for a page; not indexed",
                                      full, st.st_size / 1048576.0,
                                      INGEST_MAX_FILE_SIZE / 1048576));
        return RECAP_EIO;
    }
    if (util_read_file(full, src, len) != 0) {
        if (errno == ENOMEM)
            return RECAP_ENOMEM;
        set_msg(errmsg,
                util_asprintf("cannot read %s: %s", full, strerror(errno)));
        return RECAP_EIO;
    }
    return RECAP_OK;
}

recap_status
ingest_file(const char *root, const char *relpath, const char *default_lang,
            ingest_warn_fn warn, void *warn_ctx, ingest_doc **out,
            char **errmsg)
{
    return ingest_file_cfg(NULL, root, relpath, default_lang, warn, warn_ctx,
                           out, errmsg);
}

recap_status
ingest_file_cfg(sitecfg *cfg, const char *root, const char *relpath,
                const char *default_lang, ingest_warn_fn warn, void *warn_ctx,
                ingest_doc **out, char **errmsg)
{
    recap_status rc = RECAP_ENOMEM;
    ingest_doc *doc = NULL;
    char *full = NULL, *src = NULL;
    const char *reason;
    size_t len, body_off = 0;
    unsigned body_line = 1;
    long bad_line;
    char *bundle;
    int oom, has_nul;
    md_env env = {cfg, root, default_lang, warn, warn_ctx};

    *out = NULL;
    full = util_asprintf("%s/%s", root, relpath);
    if (!full)
        goto done;
    if ((rc = read_source(full, &src, &len, errmsg)) != RECAP_OK)
        goto done;
    rc = RECAP_ENOMEM;
    doc = calloc(1, sizeof(*doc));
    if (!doc || !(doc->path = util_strdup(relpath)))
        goto done;
    has_nul = memchr(src, '\0', len) != NULL;
    bad_line = fix_utf8(&src, &len);
    if (bad_line < 0)
        goto done;
    if (bad_line > 0 && warn)
        warn(warn_ctx, relpath, (unsigned)bad_line,
             has_nul ? "NUL bytes or invalid UTF-8; replaced with U+FFFD"
                     : "not valid UTF-8; bad bytes replaced with U+FFFD");
    rc = front_matter(doc, src, len, &body_off, &body_line, warn, warn_ctx);
    if (rc != RECAP_OK)
        goto done;
    rc = RECAP_ENOMEM;
    if (hugo_resolve(doc, default_lang) != 0)
        goto done;
    /* Decided before the body is parsed: skipped pages cost nothing. */
    if (!hugo_publishable_incl(doc, sitecfg_include(cfg), &reason)) {
        rc = RECAP_ESKIPPED;
        set_msg(errmsg, util_strdup(reason));
        goto done;
    }
    if ((bundle = bundle_index(root, relpath, &oom)) != NULL) {
        rc = adopt_bundle_url(root, bundle, default_lang, doc, errmsg);
        free(bundle);
        if (rc != RECAP_OK)
            goto done;
    } else if (oom) {
        goto done;
    }
    if (!ingest_doc_get(doc, "title") && title_from_path(doc) != 0)
        goto done;
    if (find_translations(root, default_lang, doc) != 0)
        goto done;
    rc = md_extract_env(src + body_off, len - body_off, body_line, doc, &env,
                        errmsg);
    if (rc == RECAP_OK && sitecfg_count_unknown(cfg, doc) != 0)
        rc = RECAP_ENOMEM;
done:
    if (rc == RECAP_OK) {
        *out = doc;
        doc = NULL;
    }
    ingest_doc_free(doc);
    free(src);
    free(full);
    return rc;
}

/* ---- walking ------------------------------------------------------------
 */

typedef struct walk_ctx {
    char **paths;
    size_t n, cap;
    char **errmsg;
    ingest_problem_fn problem; /* NULL: the first problem stops the walk */
    void *problem_ctx;
    size_t n_problems;
    /* The folders being walked, outermost first, to see symlink loops. */
    dev_t dev[WALK_MAX_DEPTH + 2];
    ino_t ino[WALK_MAX_DEPTH + 2];
} walk_ctx;

static int
is_markdown(const char *name)
{
    const char *dot = strrchr(name, '.');

    return dot && dot != name &&
           (strcmp(dot, ".md") == 0 || strcmp(dot, ".markdown") == 0);
}

static recap_status
add_path(walk_ctx *w, const char *rel)
{
    char **paths;

    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 256;
        paths = realloc(w->paths, w->cap * sizeof(*paths));
        if (!paths)
            return RECAP_ENOMEM;
        w->paths = paths;
    }
    if (!(w->paths[w->n] = util_strdup(rel)))
        return RECAP_ENOMEM;
    w->n++;
    return RECAP_OK;
}

/* Reports a folder that is left out; stops the walk when nobody listens. */
static recap_status
walk_problem(walk_ctx *w, const char *rel, const char *dir, const char *reason)
{
    w->n_problems++;
    if (!w->problem) {
        set_msg(w->errmsg,
                util_asprintf("cannot read folder %s: %s", dir, reason));
        return RECAP_EIO;
    }
    w->problem(w->problem_ctx, *rel ? rel : dir, reason);
    return RECAP_OK;
}

/* Walks `base`/`rel` (rel is "" for the root). */
static recap_status
walk_dir(walk_ctx *w, const char *base, const char *rel, int depth)
{
    recap_status rc = RECAP_OK;
    struct dirent *de;
    struct stat st;
    char *dir, *child = NULL, *child_full = NULL;
    DIR *d;
    int i;

    dir = *rel ? util_asprintf("%s/%s", base, rel) : util_strdup(base);
    if (!dir)
        return RECAP_ENOMEM;
    if (stat(dir, &st) == 0) {
        for (i = 0; i < depth; i++)
            if (w->dev[i] == st.st_dev && w->ino[i] == st.st_ino) {
                rc = walk_problem(w, rel, dir,
                                  "symbolic link loop (a folder inside "
                                  "itself); not walked");
                free(dir);
                return rc;
            }
        w->dev[depth] = st.st_dev;
        w->ino[depth] = st.st_ino;
    }
    if (depth > WALK_MAX_DEPTH || !(d = opendir(dir))) {
        rc = walk_problem(w, rel, dir,
                          depth > WALK_MAX_DEPTH ? "nested too deeply"
                                                 : strerror(errno));
        free(dir);
        return rc;
    }
    while (rc == RECAP_OK && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* hidden, and "." and ".." */
        child = *rel ? util_asprintf("%s/%s", rel, de->d_name)
                     : util_strdup(de->d_name);
        child_full = util_asprintf("%s/%s", dir, de->d_name);
        if (!child || !child_full)
            rc = RECAP_ENOMEM;
        else if (stat(child_full, &st) != 0) {
            if (errno == ELOOP)
                rc = walk_problem(w, child, child_full,
                                  "symbolic link loop; left out");
            /* else a dangling link: nothing to index */
        } else if (S_ISDIR(st.st_mode))
            rc = walk_dir(w, base, child, depth + 1);
        else if (S_ISREG(st.st_mode) && is_markdown(de->d_name))
            rc = add_path(w, child);
        free(child);
        free(child_full);
    }
    closedir(d);
    free(dir);
    return rc;
}

static int
cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

recap_status
ingest_walk(const char *root, char ***paths_out, size_t *n_out,
            char **content_root_out, char **errmsg)
{
    return ingest_walk_report(root, paths_out, n_out, content_root_out, NULL,
                              NULL, NULL, errmsg);
}

recap_status
ingest_walk_report(const char *root, char ***paths_out, size_t *n_out,
                   char **content_root_out, ingest_problem_fn problem,
                   void *ctx, size_t *n_problems_out, char **errmsg)
{
    walk_ctx *w = calloc(1, sizeof(*w));
    recap_status rc;
    struct stat st;
    char *base = NULL;

    *paths_out = NULL;
    *n_out = 0;
    if (content_root_out)
        *content_root_out = NULL;
    if (n_problems_out)
        *n_problems_out = 0;
    if (!w)
        return RECAP_ENOMEM;
    w->errmsg = errmsg;
    w->problem = problem;
    w->problem_ctx = ctx;
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        set_msg(errmsg, util_asprintf("no content folder at %s", root));
        free(w);
        return RECAP_ENOTFOUND;
    }
    if (!(base = util_asprintf("%s/content", root))) {
        free(w);
        return RECAP_ENOMEM;
    }
    if (stat(base, &st) != 0 || !S_ISDIR(st.st_mode)) {
        free(base);
        if (!(base = util_strdup(root))) {
            free(w);
            return RECAP_ENOMEM;
        }
    }
    rc = walk_dir(w, base, "", 0);
    if (n_problems_out)
        *n_problems_out = w->n_problems;
    if (rc != RECAP_OK) {
        ingest_paths_free(w->paths, w->n);
        free(base);
        free(w);
        return rc;
    }
    if (w->n) /* qsort() of NULL, even of nothing, is undefined */
        qsort(w->paths, w->n, sizeof(*w->paths), cmp_paths);
    *paths_out = w->paths;
    *n_out = w->n;
    if (content_root_out)
        *content_root_out = base;
    else
        free(base);
    free(w);
    return RECAP_OK;
}

void
ingest_paths_free(char **paths, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}
