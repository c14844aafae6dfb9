/*
 * incremental.c: source stamps of indexed files (see incremental.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
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
    snprintf(out, 17, "%016llx", (unsigned long long)util_fnv1a64(data, len));
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

/*
 * The stamps are stored as lines, which read and write many times faster
 * than the JSON object they are kept in (half the time of a one-file
 * update was jansson's):
 *
 *   recap-stamps 1 REV TERMS_VERSION\n
 *   PATH\tSIZE\tMTIME_NS\tHASH[\tINCLUDED]...\n   (one per file)
 *
 * A path with a tab or a line break is left out: that file is read again
 * by every sync.  Stamps written as JSON by earlier versions still load.
 */
#define STAMPS_MAGIC "recap-stamps 1 "

/* Whether `s` can stand in a stamp line. */
static int
plain_field(const char *s)
{
    return s && !strpbrk(s, "\t\n");
}

/* The stamp lines of `files` (path -> [size, mtime_ns, "hash",
 * [included]]) for revision `rev`, in *out. */
static void
dump_lines(json_t *files, uint64_t rev, strbuf *out)
{
    const char *path;
    json_t *v, *d;
    size_t i;

    strbuf_printf(out, STAMPS_MAGIC "%" PRIu64 " %d\n", rev,
                  SCHEMA_TERMS_VERSION);
    json_object_foreach(files, path, v)
    {
        const char *hash = json_string_value(json_array_get(v, 2));
        size_t mark = out->len;
        if (!plain_field(path) || !hash || strlen(hash) != 16)
            continue;
        strbuf_printf(out, "%s\t%" PRId64 "\t%" PRId64 "\t%s", path,
                      (int64_t)json_integer_value(json_array_get(v, 0)),
                      (int64_t)json_integer_value(json_array_get(v, 1)), hash);
        json_array_foreach(json_array_get(v, 3), i, d)
        {
            if (!plain_field(json_string_value(d))) {
                out->len = mark; /* the file is stamped without it: drop */
                break;
            }
            strbuf_putc(out, '\t');
            strbuf_puts(out, json_string_value(d));
        }
        if (out->len > mark)
            strbuf_putc(out, '\n');
    }
}

/* Reads stamp lines (after their header) into `files`; -1 when one is
 * malformed or memory runs out. */
static int
load_lines(const char *p, const char *end, json_t *files)
{
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *f[4];
        const char *tab;
        json_t *stamp, *deps;
        char *path, *num_end;
        long long size, mtime;
        size_t k;

        if (!nl)
            nl = end; /* the last line may lack its line break */
        for (k = 0, f[0] = p; k < 3; k++) {
            tab = memchr(f[k], '\t', (size_t)(nl - f[k]));
            if (!tab)
                return -1;
            f[k + 1] = tab + 1;
        }
        size = strtoll(f[1], &num_end, 10);
        if (num_end != f[2] - 1)
            return -1;
        mtime = strtoll(f[2], &num_end, 10);
        if (num_end != f[3] - 1)
            return -1;
        tab = memchr(f[3], '\t', (size_t)(nl - f[3]));
        if (!tab)
            tab = nl;
        if (tab - f[3] != 16)
            return -1;
        stamp = json_array();
        deps = json_array();
        path = util_strndup(p, (size_t)(f[1] - 1 - p));
        if (!stamp || !deps || !path ||
            json_array_append_new(stamp, json_integer(size)) ||
            json_array_append_new(stamp, json_integer(mtime)) ||
            json_array_append_new(stamp, json_stringn(f[3], 16)) ||
            json_array_append(stamp, deps)) {
            json_decref(stamp);
            json_decref(deps);
            free(path);
            return -1;
        }
        while (tab < nl) {
            const char *next = memchr(tab + 1, '\t', (size_t)(nl - tab - 1));
            if (!next)
                next = nl;
            if (json_array_append_new(
                    deps, json_stringn(tab + 1, (size_t)(next - tab - 1)))) {
                json_decref(stamp);
                json_decref(deps);
                free(path);
                return -1;
            }
            tab = next;
        }
        json_decref(deps);
        if (json_object_set_new(files, path, stamp)) {
            free(path);
            return -1;
        }
        free(path);
        p = nl + 1;
    }
    return 0;
}

json_t *
incr_parse_stamps(const char *data, size_t len, uint64_t rev)
{
    size_t magic = sizeof(STAMPS_MAGIC) - 1;
    const char *p, *end = data + len, *path;
    json_t *files = NULL, *obj, *v;
    void *tmp;
    uint64_t r = 0;
    long terms = 0;

    if (len > magic && memcmp(data, STAMPS_MAGIC, magic) == 0) {
        /* Header: the revision and the terms version, digits only. */
        for (p = data + magic; p < end && *p >= '0' && *p <= '9'; p++)
            r = r * 10 + (uint64_t)(*p - '0');
        if (p < end && *p == ' ')
            for (p++; p < end && *p >= '0' && *p <= '9' && terms < 100000; p++)
                terms = terms * 10 + (*p - '0');
        if (p >= end || *p != '\n' || r != rev ||
            terms != SCHEMA_TERMS_VERSION || !(files = json_object()) ||
            load_lines(p + 1, end, files)) {
            json_decref(files);
            return NULL;
        }
        return files;
    }
    obj = json_loadb(data, len, 0, NULL);
    files = json_object_get(obj, "files");
    if ((uint64_t)json_integer_value(json_object_get(obj, "rev")) != rev ||
        json_integer_value(json_object_get(obj, "terms")) !=
            SCHEMA_TERMS_VERSION ||
        !json_is_object(files)) {
        json_decref(obj);
        return NULL;
    }
    json_incref(files);
    json_decref(obj);
    /* A stamp of another shape is dropped: its file is read again. */
    json_object_foreach_safe(files, tmp, path, v)
    {
        if (!json_is_array(v) || json_array_size(v) != 4 ||
            !json_is_integer(json_array_get(v, 0)) ||
            !json_is_integer(json_array_get(v, 1)) ||
            !json_is_string(json_array_get(v, 2)) ||
            !json_is_array(json_array_get(v, 3)))
            json_object_del(files, path);
    }
    return files;
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
    json_t *files = NULL;
    xap_error err;

    if (xap_db_get_metadata(idx->db, SCHEMA_META_STAMPS, &data, &len, &err) ==
            RECAP_OK &&
        xap_db_revision(idx->db, &rev, &err) == RECAP_OK && len)
        files = incr_parse_stamps(data, len, rev);
    free(data);
    return files ? files : json_object();
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
    strbuf dump = STRBUF_INIT;
    xap_error err;
    recap_status rc;

    if (xap_db_revision(idx->db, &rev, &err))
        return index_fail_xap(idx, &err, "reading the index revision");
    /* The commit this batch ends in makes revision rev + 1.  Without stamps
     * (out of memory), an empty value makes the next sync read all. */
    if (idx->incr)
        dump_lines(idx->incr->files, rev + 1, &dump);
    rc = xap_db_set_metadata(idx->db, SCHEMA_META_STAMPS,
                             dump.oom ? "" : strbuf_cstr(&dump),
                             dump.oom ? 0 : dump.len, &err);
    strbuf_free(&dump);
    return rc ? index_fail_xap(idx, &err, "storing source stamps") : RECAP_OK;
}
