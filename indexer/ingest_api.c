/*
 * ingest_api.c: the public calls about how a site is read: the index
 * handle's ingest options, its unknown-shortcode counts, and
 * recap_dump_file.
 */
#define _DEFAULT_SOURCE /* realpath */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "index_int.h"
#include "ingest.h"
#include "util.h"
#include "writer_int.h"

static unsigned
include_flags(unsigned f)
{
    return (f & RECAP_INCLUDE_DRAFTS ? INGEST_INCLUDE_DRAFTS : 0) |
           (f & RECAP_INCLUDE_FUTURE ? INGEST_INCLUDE_FUTURE : 0) |
           (f & RECAP_INCLUDE_EXPIRED ? INGEST_INCLUDE_EXPIRED : 0);
}

recap_status
recap_index_set_ingest_options(recap_index *idx,
                               const recap_ingest_options *opts)
{
    sitecfg *cfg = NULL;
    char *msg = NULL;
    recap_status rc;

    if (!idx || !opts || opts->version != RECAP_INGEST_OPTIONS_VERSION)
        return idx ? index_fail(idx, RECAP_EINVAL, "bad ingest options")
                   : RECAP_EINVAL;
    if (idx->mode == RECAP_OPEN_READ || idx->in_batch)
        return index_fail(idx, RECAP_EINVAL,
                          "ingest options are set on a writer, outside a "
                          "batch");
    rc = sitecfg_new(opts->shortcodes_file, opts->params_file,
                     include_flags(opts->include), &cfg, &msg);
    if (rc != RECAP_OK) {
        index_fail(idx, rc, "%s", msg ? msg : recap_status_str(rc));
        free(msg);
        return rc;
    }
    sitecfg_free(idx->ingest_cfg);
    idx->ingest_cfg = cfg;
    idx->teardown = writer_teardown;
    return RECAP_OK;
}

const char *
recap_index_unknown_shortcode(const recap_index *idx, size_t i, uint64_t *count)
{
    return sitecfg_unknown(idx ? idx->ingest_cfg : NULL, i, count);
}

/* ---- recap_dump_file ---------------------------------------------------- */

typedef struct warn_list {
    char **v;
    size_t n;
    int oom;
} warn_list;

static void
collect_warning(void *ctx, const char *path, unsigned line, const char *msg)
{
    warn_list *w = ctx;
    char **v = realloc(w->v, (w->n + 1) * sizeof(*v));
    char *s = line ? util_asprintf("%s:%u: %s", path, line, msg)
                   : util_asprintf("%s: %s", path, msg);

    if (!v || !s) {
        free(s);
        if (v)
            w->v = v;
        w->oom = 1;
        return;
    }
    w->v = v;
    w->v[w->n++] = s;
}

/* The content root for `root` (its content/ folder when it has one). */
static char *
content_root(const char *root)
{
    struct stat st;
    char *c = util_asprintf("%s/content", root);

    if (c && stat(c, &st) == 0 && S_ISDIR(st.st_mode))
        return c;
    free(c);
    return util_strdup(root);
}

/*
 * Splits `file` into a content root and a path relative to it: `root`
 * given: root/file when it exists, else file made relative to root; no
 * root: the nearest ancestor folder named "content", else file's folder.
 */
static recap_status
locate(const char *root, const char *file, char **root_out, char **rel_out,
       char **errmsg)
{
    char real_file[PATH_MAX], real_root[PATH_MAX], *base = NULL, *joined;
    struct stat st;
    size_t n;
    char *p;

    *root_out = *rel_out = NULL;
    if (root) {
        if (!(base = content_root(root)))
            return RECAP_ENOMEM;
        joined = util_asprintf("%s/%s", base, file);
        if (joined && stat(joined, &st) == 0 && S_ISREG(st.st_mode)) {
            free(joined);
            *root_out = base;
            *rel_out = util_strdup(file);
            return *rel_out ? RECAP_OK : RECAP_ENOMEM;
        }
        free(joined);
    }
    if (!realpath(file, real_file)) {
        if (errmsg)
            *errmsg = util_asprintf("no file %s%s%s", file,
                                    root ? " under " : "", root ? root : "");
        free(base);
        return RECAP_ENOTFOUND;
    }
    if (base) {
        if (!realpath(base, real_root)) {
            free(base);
            return RECAP_ENOTFOUND;
        }
        n = strlen(real_root);
        if (strncmp(real_file, real_root, n) != 0 || real_file[n] != '/') {
            if (errmsg)
                *errmsg = util_asprintf("%s is not under %s", file, base);
            free(base);
            return RECAP_ENOTFOUND;
        }
        *root_out = base;
        *rel_out = util_strdup(real_file + n + 1);
        return *rel_out ? RECAP_OK : RECAP_ENOMEM;
    }
    /* No root: the nearest folder named "content" above the file. */
    for (p = strrchr(real_file, '/'); p && p > real_file;) {
        char *q = p - 1;
        while (q > real_file && *q != '/')
            q--;
        if ((size_t)(p - q) == 8 && memcmp(q, "/content", 8) == 0) {
            *root_out = util_strndup(real_file, (size_t)(p - real_file));
            *rel_out = util_strdup(p + 1);
            return *root_out && *rel_out ? RECAP_OK : RECAP_ENOMEM;
        }
        p = q;
    }
    p = strrchr(real_file, '/');
    *root_out = util_strndup(real_file, (size_t)(p - real_file));
    *rel_out = util_strdup(p + 1);
    return *root_out && *rel_out ? RECAP_OK : RECAP_ENOMEM;
}

/* {"path": ..., "skipped": reason} for a page that is not published. */
static char *
skipped_json(const char *relpath, const char *reason, const warn_list *warnings)
{
    json_t *w = json_array(), *obj;
    char *out;
    size_t i;

    for (i = 0; w && i < warnings->n; i++)
        json_array_append_new(w, json_string(warnings->v[i]));
    obj = json_pack("{s:s, s:s, s:o}", "path", relpath, "skipped", reason,
                    "warnings", w);
    out = obj ? json_dumps(obj, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(obj);
    return out;
}

recap_status
recap_dump_file(const recap_ingest_options *opts, const char *root,
                const char *file, char **json_out, char **errmsg)
{
    recap_ingest_options defaults = RECAP_INGEST_OPTIONS_INIT;
    warn_list warnings = {NULL, 0, 0};
    char *base = NULL, *rel = NULL, *msg = NULL;
    const char *lang;
    ingest_doc *doc = NULL;
    sitecfg *cfg = NULL;
    recap_status rc;
    size_t i;

    if (errmsg)
        *errmsg = NULL;
    if (!json_out || !file)
        return RECAP_EINVAL;
    *json_out = NULL;
    if (!opts)
        opts = &defaults;
    if (opts->version != RECAP_INGEST_OPTIONS_VERSION)
        return RECAP_EINVAL;
    lang = opts->default_lang ? opts->default_lang : "en";
    rc = sitecfg_new(opts->shortcodes_file, opts->params_file,
                     include_flags(opts->include), &cfg, errmsg);
    if (rc == RECAP_OK)
        rc = locate(root, file, &base, &rel, errmsg);
    if (rc != RECAP_OK)
        goto done;
    rc = ingest_file_cfg(cfg, base, rel, lang, collect_warning, &warnings, &doc,
                         &msg);
    if (rc == RECAP_ESKIPPED) {
        *json_out = skipped_json(rel, msg ? msg : "not published", &warnings);
        rc = *json_out ? RECAP_OK : RECAP_ENOMEM;
    } else if (rc == RECAP_OK) {
        *json_out =
            dump_doc_json(doc, (const char *const *)warnings.v, warnings.n);
        rc = *json_out && !warnings.oom ? RECAP_OK : RECAP_ENOMEM;
    } else if (errmsg && msg) {
        *errmsg = msg;
        msg = NULL;
    }
done:
    for (i = 0; i < warnings.n; i++)
        free(warnings.v[i]);
    free(warnings.v);
    ingest_doc_free(doc);
    sitecfg_free(cfg);
    free(msg);
    free(base);
    free(rel);
    return rc;
}
