/*
 * hugo.c: Hugo's rules for where a page lives and whether it is published.
 *
 * A content path is [<lang>/]<section>/.../<file>.md.  The first part is a
 * language when it looks like one ("en", "zh", "pt-br"); the page's URL is
 * the path without the language, the extension and a bundle's index file,
 * lower-cased, with a trailing slash ("en/docs/a/B.md" -> "/docs/a/b/").
 * Pages in a language other than the default are prefixed with it
 * ("/zh/docs/a/b/").  Front matter `url` replaces the whole URL and `slug`
 * the last part.
 */
#define _DEFAULT_SOURCE /* time */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ingest.h"
#include "util.h"

/* Front-matter keys that give the publication date, in Hugo's order of
 * preference, and the expiry date. */
static const char *const publish_keys[] = {"publishdate", "pubdate",
                                           "published", "date"};
static const char *const expiry_keys[] = {"expirydate", "unpublishdate"};

/* Whether the `len` bytes at `s` look like a language folder:
 * ^[a-z]{2}(-[a-z]{2,4})?$ */
int
hugo_is_lang(const char *s, size_t len)
{
    size_t i;

    if (len != 2 && (len < 5 || len > 7 || s[2] != '-'))
        return 0;
    for (i = 0; i < len; i++)
        if (i != 2 && !(s[i] >= 'a' && s[i] <= 'z'))
            return 0;
    return 1;
}

static int
is_index_file(const char *name, size_t len)
{
    static const char *const names[] = {"index.md", "_index.md",
                                        "index.markdown", "_index.markdown"};
    size_t i;

    for (i = 0; i < UTIL_ARRAY_LEN(names); i++)
        if (len == strlen(names[i]) && memcmp(name, names[i], len) == 0)
            return 1;
    return 0;
}

/* Appends one URL path part, lower-cased, spaces as '-'. */
static void
put_part(strbuf *url, const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        strbuf_putc(url,
                    s[i] == ' ' ? '-' : (char)tolower((unsigned char)s[i]));
    strbuf_putc(url, '/');
}

/* The URL of a page whose path (without the language folder) is `rest`. */
static char *
page_url(const char *rest, const char *lang_prefix, const char *slug)
{
    strbuf url = STRBUF_INIT;
    const char *p = rest, *slash, *dot, *name = rest;
    size_t name_len;

    strbuf_putc(&url, '/');
    if (lang_prefix)
        put_part(&url, lang_prefix, strlen(lang_prefix));
    /* Directories. */
    while ((slash = strchr(p, '/')) != NULL) {
        name = slash + 1;
        if (strchr(name, '/') == NULL && is_index_file(name, strlen(name)) &&
            slug && *slug && strncmp(name, "_index", 6) != 0) {
            /* A leaf bundle: the slug renames the bundle folder. */
            put_part(&url, slug, strlen(slug));
            return strbuf_detach(&url, NULL);
        }
        put_part(&url, p, (size_t)(slash - p));
        p = name;
    }
    name_len = strlen(name);
    if (!is_index_file(name, name_len)) {
        dot = strrchr(name, '.');
        if (dot && dot != name)
            name_len = (size_t)(dot - name);
        if (slug && *slug)
            put_part(&url, slug, strlen(slug));
        else
            put_part(&url, name, name_len);
    }
    return strbuf_detach(&url, NULL);
}

static char *
front_matter_url(const char *u)
{
    return u[0] == '/' ? util_strdup(u) : util_asprintf("/%s", u);
}

/* Sets doc->date and doc->date_unix from the first parsable date key. */
static void
resolve_date(ingest_doc *doc)
{
    size_t i;

    free(doc->date);
    doc->date = NULL;
    doc->date_unix = 0;
    for (i = 0; i < UTIL_ARRAY_LEN(publish_keys); i++) {
        const char *v = ingest_doc_get(doc, publish_keys[i]);
        if (v && fm_parse_date(v, &doc->date_unix, &doc->date) == 0)
            return;
        doc->date_unix = 0;
    }
}

/* The language of a "name.<lang>.md" file name: sets *lang_off and
 * *lang_len to the suffix (the bytes between the two last dots) and
 * returns 1, or returns 0. */
static int
lang_suffix(const char *path, size_t *lang_off, size_t *lang_len)
{
    const char *base = strrchr(path, '/'), *ext, *dot;

    base = base ? base + 1 : path;
    ext = strrchr(base, '.');
    if (!ext || ext == base)
        return 0;
    for (dot = ext - 1; dot > base && *dot != '.'; dot--)
        ;
    if (*dot != '.' || dot == base)
        return 0;
    /* "x.md.md" is not Markdown's language. */
    if (!hugo_is_lang(dot + 1, (size_t)(ext - dot - 1)) ||
        (ext - dot - 1 == 2 && memcmp(dot + 1, "md", 2) == 0))
        return 0;
    *lang_off = (size_t)(dot + 1 - path);
    *lang_len = (size_t)(ext - dot - 1);
    return 1;
}

int
hugo_resolve(ingest_doc *doc, const char *default_lang)
{
    const char *path = doc->path ? doc->path : "";
    const char *slash = strchr(path, '/'), *rest = path, *sec_end;
    const char *url = ingest_doc_get(doc, "url");
    const char *fm_lang = ingest_doc_get(doc, "lang");
    const char *prefix = NULL;
    char *rest_copy = NULL;
    size_t off, len;

    if (!default_lang)
        default_lang = "en";
    free(doc->lang);
    free(doc->section);
    free(doc->url);
    doc->section = doc->url = NULL;
    if (slash && hugo_is_lang(path, (size_t)(slash - path))) {
        doc->lang = util_strndup(path, (size_t)(slash - path));
        rest = slash + 1;
    } else {
        doc->lang = util_strdup(default_lang);
    }
    if (lang_suffix(path, &off, &len)) {
        /* "docs/x.zh.md": Chinese, at the URL of "docs/x.md". */
        free(doc->lang);
        doc->lang = util_strndup(path + off, len);
        rest_copy = util_asprintf("%.*s%s", (int)(off - 1 - (rest - path)),
                                  rest, path + off + len);
        rest = rest_copy ? rest_copy : rest;
    }
    if (fm_lang && hugo_is_lang(fm_lang, strlen(fm_lang))) {
        free(doc->lang);
        doc->lang = util_strdup(fm_lang);
    }
    if (doc->lang && strcmp(doc->lang, default_lang) != 0)
        prefix = doc->lang;
    sec_end = strchr(rest, '/');
    doc->section = sec_end ? util_strndup(rest, (size_t)(sec_end - rest))
                           : util_strdup("");
    if (url && *url)
        doc->url = front_matter_url(url);
    else
        doc->url = page_url(rest, prefix, ingest_doc_get(doc, "slug"));
    free(rest_copy);
    resolve_date(doc);
    return doc->lang && doc->section && doc->url ? 0 : -1;
}

static int
is_true(const char *v)
{
    return v && strcasecmp(v, "true") == 0;
}

/* The first parsable date among `keys`; 0 when there is none. */
static int
find_date(const ingest_doc *doc, const char *const *keys, size_t n_keys,
          int64_t *out)
{
    size_t i;

    for (i = 0; i < n_keys; i++) {
        const char *v = ingest_doc_get(doc, keys[i]);
        if (v && fm_parse_date(v, out, NULL) == 0)
            return 1;
    }
    return 0;
}

int
hugo_publishable(const ingest_doc *doc, const char **reason)
{
    return hugo_publishable_incl(doc, 0, reason);
}

int
hugo_publishable_incl(const ingest_doc *doc, unsigned include,
                      const char **reason)
{
    static const char *const render_keys[] = {"build.render", "_build.render"};
    int64_t now = (int64_t)time(NULL), when;
    size_t i;

    if (!(include & INGEST_INCLUDE_DRAFTS) &&
        is_true(ingest_doc_get(doc, "draft"))) {
        *reason = "draft: true";
        return 0;
    }
    if (is_true(ingest_doc_get(doc, "headless"))) {
        *reason = "headless bundle";
        return 0;
    }
    for (i = 0; i < UTIL_ARRAY_LEN(render_keys); i++) {
        const char *v = ingest_doc_get(doc, render_keys[i]);
        if (v && (strcasecmp(v, "never") == 0 || strcasecmp(v, "false") == 0)) {
            *reason = "build.render: never";
            return 0;
        }
        if (v && strcasecmp(v, "link") == 0) {
            *reason = "build.render: link";
            return 0;
        }
    }
    if (!(include & INGEST_INCLUDE_FUTURE) &&
        find_date(doc, publish_keys, UTIL_ARRAY_LEN(publish_keys), &when) &&
        when > now) {
        *reason = "publish date in the future";
        return 0;
    }
    if (!(include & INGEST_INCLUDE_EXPIRED) &&
        find_date(doc, expiry_keys, UTIL_ARRAY_LEN(expiry_keys), &when) &&
        when <= now) {
        *reason = "expiry date in the past";
        return 0;
    }
    return 1;
}
