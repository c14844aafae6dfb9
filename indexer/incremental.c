/*
 * incremental.c: source stamps of indexed files (see incremental.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "incremental.h"
#include "incremental_int.h"
#include "ingest.h"
#include "schema.h"
#include "util.h"

void
incr_hash_hex(const char *data, size_t len, char out[17])
{
    /* FNV-1a, 64 bits: enough to tell an edit from a touch. */
    uint64_t h = 14695981039346656037ULL;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= (unsigned char)data[i];
        h *= 1099511628211ULL;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

int
incr_stat(const char *root, const char *relpath, int64_t *size,
          int64_t *mtime_ns)
{
    struct stat st;
    char *full = util_asprintf("%s/%s", root, relpath);
    int rc = full && stat(full, &st) == 0 ? 0 : -1;

    free(full);
    if (rc == 0) {
        *size = (int64_t)st.st_size;
        *mtime_ns =
            (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    }
    return rc;
}

int
incr_hash_file(const char *root, const char *relpath, char out[17])
{
    return incr_read_file(root, relpath, out, NULL, NULL, NULL);
}

int
incr_read_file(const char *root, const char *relpath, char out[17],
               const char *default_lang, json_t *deps, int *oom)
{
    char *full = util_asprintf("%s/%s", root, relpath), *data = NULL;
    size_t len;
    int rc = full ? util_read_file(full, &data, &len) : -1;

    if (rc == 0) {
        incr_hash_hex(data, len, out);
        if (deps)
            incr_scan_includes(data, len, relpath, default_lang, deps);
    }
    if (oom)
        *oom = !full;
    free(data);
    free(full);
    return rc;
}

/* Appends the files `{{< boilerplate NAME >}}` may include from the page
 * `relpath`: <lang>/boilerplates/NAME.md, the same under the default
 * language, and boilerplates/NAME.md. */
static void
add_candidates(json_t *deps, const char *relpath, const char *dflt,
               const char *name, size_t len)
{
    const char *slash = strchr(relpath, '/');
    const char *ext =
        len > 3 && memcmp(name + len - 3, ".md", 3) == 0 ? "" : ".md";
    char *p;

    if (slash && hugo_is_lang(relpath, (size_t)(slash - relpath)) &&
        (p = util_asprintf("%.*s/boilerplates/%.*s%s", (int)(slash - relpath),
                           relpath, (int)len, name, ext))) {
        json_array_append_new(deps, json_string(p));
        free(p);
    }
    if (dflt && (p = util_asprintf("%s/boilerplates/%.*s%s", dflt, (int)len,
                                   name, ext))) {
        json_array_append_new(deps, json_string(p));
        free(p);
    }
    if ((p = util_asprintf("boilerplates/%.*s%s", (int)len, name, ext))) {
        json_array_append_new(deps, json_string(p));
        free(p);
    }
}

void
incr_scan_includes(const char *src, size_t len, const char *relpath,
                   const char *default_lang, json_t *deps)
{
    static const char kw[] = "boilerplate";
    const char *p = src, *end = src + len, *name;
    size_t n;

    while (p + 2 < end && (p = memchr(p, '{', (size_t)(end - p) - 2)) != NULL) {
        if (p[1] != '{' || (p[2] != '<' && p[2] != '%')) {
            p++;
            continue;
        }
        p += 3;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if ((size_t)(end - p) <= sizeof(kw) ||
            memcmp(p, kw, sizeof(kw) - 1) != 0 ||
            (p[sizeof(kw) - 1] != ' ' && p[sizeof(kw) - 1] != '\t'))
            continue;
        p += sizeof(kw) - 1;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p < end && (*p == '"' || *p == '\''))
            p++;
        for (name = p, n = 0;
             p < end && (size_t)(p - name) < 200 && *p != '"' && *p != '\'' &&
             *p != ' ' && *p != '>' && *p != '%' && *p != '\n';
             p++)
            n++;
        if (n)
            add_candidates(deps, relpath, default_lang, name, n);
    }
}

json_t *
incr_make_stamp(int64_t size, int64_t mtime_ns, const char *hash)
{
    return json_pack("[I, I, s, []]", (json_int_t)size, (json_int_t)mtime_ns,
                     hash);
}

/* The committed stamps, or an empty object when they are missing or stale
 * (written for another revision than the current one, or by a program
 * that made other terms: SCHEMA_TERMS_VERSION). */
static json_t *
load(recap_index *idx)
{
    char *data = NULL;
    size_t len = 0;
    uint64_t rev = 0;
    json_t *obj = NULL, *files;
    xap_error err;

    if (xap_db_get_metadata(idx->db, SCHEMA_META_STAMPS, &data, &len, &err) ||
        xap_db_revision(idx->db, &rev, &err) || !len)
        goto empty;
    obj = json_loadb(data, len, 0, NULL);
    files = json_object_get(obj, "files");
    if ((uint64_t)json_integer_value(json_object_get(obj, "rev")) != rev ||
        json_integer_value(json_object_get(obj, "terms")) !=
            SCHEMA_TERMS_VERSION ||
        !json_is_object(files))
        goto empty;
    json_incref(files);
    json_decref(obj);
    free(data);
    return files;
empty:
    json_decref(obj);
    free(data);
    return json_object();
}

void
incr_begin(recap_index *idx, int full)
{
    incr_end(idx);
    idx->incr = calloc(1, sizeof(*idx->incr));
    if (!idx->incr)
        return;
    idx->incr->files = full ? json_object() : load(idx);
    if (!idx->incr->files) {
        free(idx->incr);
        idx->incr = NULL;
    }
}

void
incr_end(recap_index *idx)
{
    if (!idx->incr)
        return;
    json_decref(idx->incr->files);
    json_decref(idx->incr->pending);
    free(idx->incr);
    idx->incr = NULL;
}

void
incr_pre(recap_index *idx, const char *root, const char *relpath)
{
    int64_t size, mtime;
    char hash[17];

    if (!idx->incr)
        return;
    json_decref(idx->incr->pending);
    idx->incr->pending = NULL;
    /* Stat first: a write after it changes the mtime again, so it is seen
     * by the next sync even when it lands before the read. */
    if (incr_stat(root, relpath, &size, &mtime) == 0 &&
        (idx->incr->pending = incr_make_stamp(size, mtime, "")) &&
        incr_read_file(root, relpath, hash, idx->default_lang,
                       json_array_get(idx->incr->pending, 3), NULL) == 0)
        json_array_set_new(idx->incr->pending, 2, json_string(hash));
    else {
        json_decref(idx->incr->pending);
        idx->incr->pending = NULL;
    }
}

void
incr_note(recap_index *idx, const char *relpath)
{
    if (!idx->incr)
        return;
    if (idx->incr->pending)
        json_object_set_new(idx->incr->files, relpath, idx->incr->pending);
    else
        json_object_del(idx->incr->files, relpath);
    idx->incr->pending = NULL;
}

void
incr_forget(recap_index *idx, const char *relpath)
{
    if (idx->incr)
        json_object_del(idx->incr->files, relpath);
}

recap_status
incr_save(recap_index *idx)
{
    uint64_t rev = 0;
    json_t *obj = NULL;
    char *dump = NULL;
    xap_error err;
    recap_status rc;

    if (xap_db_revision(idx->db, &rev, &err))
        return index_fail_xap(idx, &err, "reading the index revision");
    /* The commit this batch ends in makes revision rev + 1.  Without stamps
     * (out of memory), an empty value makes the next sync read all. */
    if (idx->incr)
        obj =
            json_pack("{s:I, s:O, s:i}", "rev", (json_int_t)(rev + 1), "files",
                      idx->incr->files, "terms", SCHEMA_TERMS_VERSION);
    dump = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    rc = xap_db_set_metadata(idx->db, SCHEMA_META_STAMPS, dump ? dump : "",
                             dump ? strlen(dump) : 0, &err);
    free(dump);
    json_decref(obj);
    return rc ? index_fail_xap(idx, &err, "storing source stamps") : RECAP_OK;
}
